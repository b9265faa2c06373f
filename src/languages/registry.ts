/**
 * Supported languages. Adding one is a folder in sandbox-images/ (Dockerfile and smoke.json),
 * a folder beside this file whose index.ts exports its definition, its id in ids.ts and its
 * line below.
 */
import { c } from './c/index.js';
import { cpp } from './cpp/index.js';
import { go } from './go/index.js';
import { languageIds, type LanguageId } from './ids.js';
import { java } from './java/index.js';
import { javascript } from './javascript/index.js';
import { python } from './python/index.js';
import { rust } from './rust/index.js';
import { typescript } from './typescript/index.js';
import type { LanguageDefinition } from './types.js';

export type { BuildContext, LanguageDefinition } from './types.js';
export { isLanguageId, languageIds, type LanguageId } from './ids.js';

export const languagesById: Readonly<Record<LanguageId, LanguageDefinition>> = { python, cpp, c, java, javascript, typescript, go, rust };

export const languages: readonly LanguageDefinition[] = languageIds.map((id) => {
  const lang = languagesById[id];
  if (lang.id !== id) throw new Error(`the definition registered as ${id} says it is ${lang.id}`);
  return lang;
});

const byName = new Map<string, LanguageDefinition>();
for (const lang of languages) {
  for (const name of [lang.id, ...lang.aliases]) {
    if (byName.has(name)) throw new Error(`language name ${name} is defined twice`);
    byName.set(name, lang);
  }
}

export function findLanguage(name: string): LanguageDefinition | undefined {
  return byName.get(name.toLowerCase());
}
