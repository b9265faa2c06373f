/** Piston's language names for Verdict's languages, and the aliases Piston clients use. */
import { findLanguage, languages, type LanguageDefinition } from '../../languages/registry.js';

const PISTON_NAMES: Record<string, { name: string; aliases: readonly string[] }> = {
  python: { name: 'python', aliases: ['py', 'py3', 'python3'] },
  cpp: { name: 'c++', aliases: ['cpp', 'g++'] },
  c: { name: 'c', aliases: ['gcc'] },
  java: { name: 'java', aliases: [] },
  javascript: { name: 'javascript', aliases: ['js', 'node', 'node-js', 'node-javascript'] },
  typescript: { name: 'typescript', aliases: ['ts', 'node-ts', 'tsc'] },
  go: { name: 'go', aliases: ['golang'] },
  rust: { name: 'rust', aliases: ['rs'] },
};

export function pistonName(lang: LanguageDefinition): string {
  return PISTON_NAMES[lang.id]?.name ?? lang.id;
}

export function pistonAliases(lang: LanguageDefinition): string[] {
  const name = pistonName(lang);
  return [...new Set([...(PISTON_NAMES[lang.id]?.aliases ?? []), lang.id, ...lang.aliases])].filter((a) => a !== name);
}

const byPistonName = new Map<string, LanguageDefinition>();
for (const lang of languages) for (const n of [pistonName(lang), ...pistonAliases(lang)]) byPistonName.set(n, lang);

export function findPistonLanguage(name: string): LanguageDefinition | undefined {
  return byPistonName.get(name.toLowerCase()) ?? findLanguage(name);
}
