/**
 * Each language's definition carries what used to be tables elsewhere. The expected values are
 * those tables as they were (the drop-in names as the Piston and SandboxFusion routes held them,
 * the segmenter as the label route ran it), typed by language id so a new language without an
 * entry here does not compile.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lexicalSegmentation } from '../../src/label/segment.js';
import { harnessLanguages } from '../../src/languages/harness.js';
import { languageIds, languages, languagesById, type LanguageId } from '../../src/languages/registry.js';

const ids = (has: (id: LanguageId) => boolean): LanguageId[] => languageIds.filter(has);

describe('language definitions', () => {
  it('are registered under their own ids, in the order of the closed vocabulary', () => {
    assert.deepEqual(
      languages.map((l) => l.id),
      [...languageIds],
    );
    for (const id of languageIds) assert.equal(languagesById[id].id, id);
  });

  it("carry the drop-in names the Piston and SandboxFusion routes had as their own tables (PISTON_NAMES, sandboxFusionLanguages)", () => {
    const piston = {
      python: { name: 'python', aliases: ['py', 'py3', 'python3'] },
      cpp: { name: 'c++', aliases: ['cpp', 'g++'] },
      c: { name: 'c', aliases: ['gcc'] },
      java: { name: 'java', aliases: [] },
      javascript: { name: 'javascript', aliases: ['js', 'node', 'node-js', 'node-javascript'] },
      typescript: { name: 'typescript', aliases: ['ts', 'node-ts', 'tsc'] },
      go: { name: 'go', aliases: ['golang'] },
      rust: { name: 'rust', aliases: ['rs'] },
    } satisfies Record<LanguageId, { name: string; aliases: string[] }>;
    for (const id of languageIds) assert.deepEqual(languagesById[id].dropIn.piston, piston[id], id);

    const sandboxFusion: Array<[string, LanguageId]> = [
      ['python', 'python'],
      ['cpp', 'cpp'],
      ['nodejs', 'javascript'],
      ['js', 'javascript'],
      ['typescript', 'typescript'],
      ['ts', 'typescript'],
      ['go', 'go'],
      ['go_test', 'go'],
      ['java', 'java'],
      ['rust', 'rust'],
    ];
    const fromDefinitions = languages.flatMap((l) => l.dropIn.sandboxFusion.map((name): [string, LanguageId] => [name, l.id]));
    const byName = (pairs: Array<[string, LanguageId]>) => [...pairs].sort(([a], [b]) => a.localeCompare(b));
    assert.deepEqual(byName(fromDefinitions), byName(sandboxFusion));
  });

  it("give Python the parser-based segmenter the label route ran (SEGMENTER), and no other language one", () => {
    assert.deepEqual(languagesById.python.segmenter?.argv, ['python3', '/opt/verdict/python/segment.py']);
    assert.deepEqual(ids((id) => languagesById[id].segmenter !== undefined), ['python']);
  });

  it('name the fence tags, CLI extensions and definers the tables in extract.ts, verdict.ts and rows.ts held', () => {
    const fenceTags = {
      python: ['py', 'python3'],
      cpp: ['c++', 'cc', 'cxx'],
      javascript: ['js', 'node', 'javascript'],
      typescript: ['ts'],
      go: ['golang'],
      rust: ['rs'],
      java: ['java'],
      c: ['c'],
    } satisfies Record<LanguageId, string[]>;
    const cliExtensions = {
      python: ['.py'],
      cpp: ['.cpp', '.cc', '.cxx'],
      c: ['.c'],
      java: ['.java'],
      javascript: ['.js', '.mjs'],
      typescript: ['.ts'],
      go: ['.go'],
      rust: ['.rs'],
    } satisfies Record<LanguageId, string[]>;
    for (const id of languageIds) {
      assert.deepEqual(languagesById[id].fenceTags, fenceTags[id], id);
      assert.deepEqual(languagesById[id].cliExtensions, cliExtensions[id], id);
    }
    const extensions = languages.flatMap((l) => l.cliExtensions);
    assert.equal(new Set(extensions).size, extensions.length, 'an extension names one language');
    assert.deepEqual(languagesById.python.definers, ['def ', 'async def ']);
    assert.deepEqual(languagesById.javascript.definers, ['function ', 'async function ', 'const ', 'let ', 'var ']);
    assert.deepEqual(ids((id) => languagesById[id].definers !== undefined), ['python', 'javascript']);
  });

  it('give test code, failure reports and test files to the languages that had them', () => {
    assert.deepEqual(harnessLanguages, ['python', 'cpp', 'c', 'java', 'javascript', 'typescript', 'rust']);
    assert.deepEqual(ids((id) => languagesById[id].testFileHarness !== undefined), ['go']);
    assert.deepEqual(ids((id) => languagesById[id].testCodeReader !== undefined), ['python', 'javascript', 'typescript']);
    assert.deepEqual(ids((id) => languagesById[id].failureLocation !== undefined), ['python', 'java', 'javascript', 'typescript', 'go', 'rust']);
  });
});

describe('lexicalSegmentation reads the comment syntax of the definition', () => {
  it('C family: // and /* */ comments, # is code', () => {
    assert.deepEqual(lexicalSegmentation('cpp', '// a\n/* b\n c */\nint x; // d\n#include <x>\n\n"/* not a comment"\n').kinds, ['comment', 'comment', 'comment', 'code', 'code', 'blank', 'code']);
  });

  it('Python: # comments, // and /* are code, a string holding # is code', () => {
    assert.deepEqual(lexicalSegmentation('python', '# a\n// b\n/* c */\nx = "#"\n  # d\n').kinds, ['comment', 'code', 'code', 'code', 'comment']);
  });
});
