/** Which image serves each language right now, and the toolchain version it reports. */
import type { ImageCatalog } from '../images/images.js';
import type { ImageRef } from '../judge/submission.js';
import type { RunRecord } from '../sandbox/protocol.js';
import { languages, type LanguageDefinition } from './registry.js';

export type VersionProbe = (lang: LanguageDefinition, image: { tag: string }, argv: readonly string[]) => Promise<RunRecord>;

export class LanguageCatalog {
  private readonly current = new Map<string, ImageRef>();
  private readonly versions = new Map<string, string>();
  private expectedTags = new Map<string, string>();

  constructor(private readonly images: ImageCatalog) {}

  image(lang: LanguageDefinition): ImageRef | undefined {
    return this.current.get(lang.id);
  }

  /** Tags that should exist for the current tree but are not built. */
  missing(): string[] {
    return languages.filter((l) => !this.current.has(l.id)).map((l) => this.expectedTags.get(l.id) ?? `${l.id}: not resolved yet`);
  }

  /** Re-read which images exist and probe the version of any new one. */
  async refresh(probe: VersionProbe): Promise<void> {
    const resolved = await this.images.resolve(languages.map((l) => l.imageFolder));
    this.expectedTags = new Map(
      languages.map((l) => [l.id, resolved ? (resolved.get(l.imageFolder)?.tag ?? `sandbox-images/${l.imageFolder} has no Dockerfile`) : 'no base image']),
    );
    await Promise.all(
      languages.map(async (lang) => {
        const image = resolved?.get(lang.imageFolder);
        if (!image?.id) {
          this.current.delete(lang.id);
          return;
        }
        let version = this.versions.get(image.id);
        if (version === undefined) {
          const record = await probe(lang, image, lang.versionCommand);
          version = `${record.stdout.toString('utf8')}${record.stderr.toString('utf8')}`.split('\n')[0]!.trim();
          this.versions.set(image.id, version);
        }
        this.current.set(lang.id, { tag: image.tag, id: image.id, version });
      }),
    );
  }

  describe() {
    return languages.map((lang) => {
      const image = this.current.get(lang.id);
      return {
        id: lang.id,
        aliases: [...lang.aliases],
        name: lang.name,
        version: image?.version ?? null,
        sourceFile: lang.sourceFile,
        compileCommand: lang.compile?.display ?? null,
        runCommand: `${lang.run.display} [args]`,
        image: image?.tag ?? null,
        imageId: image?.id ?? null,
      };
    });
  }
}
