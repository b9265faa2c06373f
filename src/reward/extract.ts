/**
 * The program inside a model's completion. A trainer sends raw model text; what
 * is judged must be decided here the same way every time, so the rules are fixed:
 *
 * 1. Reasoning is removed first: every `<think>…</think>` span (tags in any case,
 *    spanning lines, any number of them). An unclosed `<think>` removes everything
 *    after it: the model was cut off while thinking and wrote no answer. A `</think>`
 *    with no `<think>` before it removes everything before it: some chat templates
 *    put the opening tag in the prompt, so the completion starts inside the reasoning.
 *    Tags are looked for everywhere, code included.
 * 2. Fenced blocks are found as CommonMark finds them: a line of three or more
 *    backticks or tildes, indented by at most three spaces, opens a block; it is
 *    closed by a line of the same character, at least as many, and nothing else
 *    but spaces. A block never closed runs to the end of the text, so the last
 *    block of a truncated completion still counts. A backtick fence whose info
 *    string holds a backtick is not a fence (it is inline code on one line). An
 *    indented fence's content loses up to as many leading spaces as the fence had,
 *    which undoes the indentation of a block inside a list item.
 * 3. A block's tag is the first word of its info string, in any case. The blocks
 *    tagged with the language (its id, its aliases, or a common name from its
 *    definition's `fenceTags`) are the candidates; if there are none, the untagged blocks are.
 *    A block tagged with anything else (another language, "text", "bash") is never
 *    used. Blocks holding only whitespace are never candidates.
 * 4. The policy picks from the candidates: `last_block` the last (a model that
 *    revises itself ends with its final answer), `first_block` the first,
 *    `all_blocks` all of them in order joined by a blank line (a solution split
 *    across blocks). `whole` ignores fences and takes the whole text left after
 *    step 1, trimmed: for models that answer with bare code.
 * 5. Nothing to take is `code: null`, an outcome of its own that is never judged.
 *    Code is kept as written (line endings become "\n") except that the fence
 *    lines are dropped and the whitespace at its end becomes exactly one "\n".
 */

export const extractionPolicies = ['last_block', 'first_block', 'all_blocks', 'whole'] as const;
export type ExtractionPolicy = (typeof extractionPolicies)[number];

export const extractionPolicyDescriptions: Record<ExtractionPolicy, string> = {
  last_block: 'The last fenced block tagged with the language (else the last untagged one)',
  first_block: 'The first fenced block tagged with the language (else the first untagged one)',
  all_blocks: 'Every fenced block tagged with the language (else every untagged one), joined by a blank line',
  whole: 'The whole completion, reasoning removed and trimmed: for models that answer with bare code',
};

export interface Extraction {
  /** null: the completion holds no code under this policy (its own outcome, never judged). */
  code: string | null;
  policy: ExtractionPolicy;
  /** Fenced blocks found (after removing reasoning), and how many of them were used. */
  blocksFound: number;
  blocksUsed: number;
  /** Whether text inside <think>…</think> was removed. */
  reasoningRemoved: boolean;
}

/** A language as extraction names it: a registry entry, or a plain {id, aliases} (which has no fence tags of its own). */
export function extractCode(completion: string, language: { id: string; aliases: readonly string[]; fenceTags?: readonly string[] }, policy: ExtractionPolicy): Extraction {
  const { text, removed } = removeReasoning(completion.replace(/\r\n?/g, '\n'));
  const blocks = fencedBlocks(text);
  const result = (code: string | null, blocksUsed: number): Extraction => ({
    code,
    policy,
    blocksFound: blocks.length,
    blocksUsed,
    reasoningRemoved: removed,
  });

  if (policy === 'whole') {
    const whole = text.trim();
    return result(whole === '' ? null : whole + '\n', 0);
  }

  const names = new Set([language.id, ...language.aliases, ...(language.fenceTags ?? [])].map((n) => n.toLowerCase()));
  const nonBlank = blocks.filter((b) => b.content.trim() !== '');
  const tagged = nonBlank.filter((b) => names.has(b.tag));
  const candidates = tagged.length > 0 ? tagged : nonBlank.filter((b) => b.tag === '');
  if (candidates.length === 0) return result(null, 0);

  const chosen = policy === 'first_block' ? candidates.slice(0, 1) : policy === 'last_block' ? candidates.slice(-1) : candidates;
  return result(chosen.map((b) => b.content.trimEnd()).join('\n\n') + '\n', chosen.length);
}

/** Tags are matched without nesting: in `<think>a<think>b</think>c</think>`, the second closing tag is unmatched and removes `c` with the rest. */
function removeReasoning(text: string): { text: string; removed: boolean } {
  const tag = /<(\/?)think\s*>/gi;
  const close = /<\/think\s*>/gi;
  let kept = '';
  let from = 0;
  let removed = false;
  for (let m = tag.exec(text); m !== null; m = tag.exec(text)) {
    removed = true;
    if (m[1] === '/') {
      kept = '';
      from = tag.lastIndex;
      continue;
    }
    kept += text.slice(from, m.index);
    close.lastIndex = tag.lastIndex;
    if (close.exec(text) === null) return { text: kept, removed };
    from = tag.lastIndex = close.lastIndex;
  }
  return { text: kept + text.slice(from), removed };
}

interface FencedBlock {
  /** First word of the info string, lower-cased; '' when untagged. */
  tag: string;
  content: string;
}

function fencedBlocks(text: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  let open: { char: string; length: number; indent: RegExp; tag: string; lines: string[] } | null = null;
  for (const line of text.split('\n')) {
    if (open !== null) {
      const fence = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line)?.[1];
      if (fence !== undefined && fence[0] === open.char && fence.length >= open.length) {
        blocks.push({ tag: open.tag, content: open.lines.join('\n') });
        open = null;
      } else {
        open.lines.push(line.replace(open.indent, ''));
      }
      continue;
    }
    const m = /^( {0,3})(`{3,}|~{3,})(.*)$/.exec(line);
    if (m === null) continue;
    const [, indent = '', fence = '', info = ''] = m;
    if (fence[0] === '`' && info.includes('`')) continue;
    open = { char: fence[0]!, length: fence.length, indent: new RegExp(`^ {0,${indent.length}}`), tag: (info.trim().split(/\s+/)[0] ?? '').toLowerCase(), lines: [] };
  }
  if (open !== null) blocks.push({ tag: open.tag, content: open.lines.join('\n') });
  return blocks;
}
