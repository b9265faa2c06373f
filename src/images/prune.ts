/**
 * Remove sandbox images that no current tag names (earlier contents of the
 * folders). An image a container still uses is kept: removal is not forced.
 */
import type { ImageEngine } from '../sandbox/image-engine.js';
import { REPOSITORY, type Progress, type ResolvedImage } from './images.js';

export async function pruneStale(engine: ImageEngine, current: Iterable<ResolvedImage>, progress: Progress): Promise<void> {
  const keep = new Set([...current].map((i) => i.tag));
  for (const tag of await engine.tagsMatching(`${REPOSITORY}-*`)) {
    if (keep.has(tag)) continue;
    try {
      await engine.remove(tag);
      progress(`removed stale ${tag}`);
    } catch (err) {
      progress(`kept stale ${tag}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
}
