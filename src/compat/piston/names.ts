/** Piston's language names for Verdict's languages (each definition's dropIn.piston), and the aliases Piston clients use. */
import { findLanguage, languages, type LanguageDefinition } from '../../languages/registry.js';

export function pistonName(lang: LanguageDefinition): string {
  return lang.dropIn.piston.name;
}

export function pistonAliases(lang: LanguageDefinition): string[] {
  const name = pistonName(lang);
  return [...new Set([...lang.dropIn.piston.aliases, lang.id, ...lang.aliases])].filter((a) => a !== name);
}

const byPistonName = new Map<string, LanguageDefinition>();
for (const lang of languages) for (const n of [pistonName(lang), ...pistonAliases(lang)]) byPistonName.set(n, lang);

export function findPistonLanguage(name: string): LanguageDefinition | undefined {
  return byPistonName.get(name.toLowerCase()) ?? findLanguage(name);
}
