/**
 * The languages Verdict runs, as a closed vocabulary: a table keyed by language id is typed
 * `Record<LanguageId, …>`, so a language missing from it is a compile error, not a silent gap.
 * The order is the registry's (GET /v1/languages lists them so).
 */
export const languageIds = ['python', 'cpp', 'c', 'java', 'javascript', 'typescript', 'go', 'rust'] as const;
export type LanguageId = (typeof languageIds)[number];

export function isLanguageId(name: string): name is LanguageId {
  return (languageIds as readonly string[]).includes(name);
}
