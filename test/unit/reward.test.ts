import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Verdict } from '../../src/domain/vocabulary.js';
import { findLanguage } from '../../src/languages/registry.js';
import { extractCode, extractionPolicies, extractionPolicyDescriptions, type ExtractionPolicy } from '../../src/reward/extract.js';
import { computeReward, rewardInputFromResult, rewardPresetDescriptions, rewardPresets, type RewardInput, type RewardPreset } from '../../src/reward/presets.js';
import type { SubmissionResult } from '../../src/schemas.js';

const python = findLanguage('python')!;
const cpp = findLanguage('cpp')!;
const javascript = findLanguage('javascript')!;
const c = findLanguage('c')!;

const fence = (tag: string, body: string, marker = '```') => `${marker}${tag}\n${body}\n${marker}`;
const code = (completion: string, policy: ExtractionPolicy = 'last_block', lang = python) => extractCode(completion, lang, policy).code;

describe('extractCode: reasoning', () => {
  it('removes a closed <think> span, tags in any case, across lines', () => {
    const text = `<THINK>\nmaybe ${fence('python', 'print(0)')}\n</Think>\nAnswer:\n${fence('python', 'print(1)')}`;
    const e = extractCode(text, python, 'all_blocks');
    assert.equal(e.code, 'print(1)\n');
    assert.equal(e.reasoningRemoved, true);
    assert.equal(e.blocksFound, 1);
  });

  it('removes several spans and keeps what lies between them', () => {
    const text = `<think>a ${fence('py', 'x = 0')}</think>\n${fence('py', 'x = 1')}\n<think>b</think>\n${fence('py', 'y = 2')}\n<think>${fence('py', 'z = 3')}</think>`;
    assert.equal(code(text, 'all_blocks'), 'x = 1\n\ny = 2\n');
  });

  it('removes everything after an unclosed <think>', () => {
    const text = `${fence('python', 'print(1)')}\n<think>let me reconsider\n${fence('python', 'print(2)')}`;
    const e = extractCode(text, python, 'last_block');
    assert.equal(e.code, 'print(1)\n');
    assert.equal(e.blocksFound, 1);
    assert.equal(e.reasoningRemoved, true);
  });

  it('a completion that only thinks has no code', () => {
    assert.equal(code('<think>hmm\n```python\nprint(1)\n```'), null);
    assert.equal(code('<think>hmm\nprint(1)', 'whole'), null);
  });

  it('removes everything before a stray </think>', () => {
    const text = `the template opened the reasoning\n${fence('python', 'print(0)')}\n</think>\n${fence('python', 'print(1)')}`;
    const e = extractCode(text, python, 'first_block');
    assert.equal(e.code, 'print(1)\n');
    assert.equal(e.blocksFound, 1);
    assert.equal(e.reasoningRemoved, true);
  });

  it('does not nest: the unmatched second </think> removes what precedes it', () => {
    assert.equal(code('<think>a <think> b </think> c </think>\nprint(1)', 'whole'), 'print(1)\n');
  });

  it('reports no removal when there are no tags', () => {
    const e = extractCode(fence('python', 'print(1)'), python, 'last_block');
    assert.equal(e.reasoningRemoved, false);
  });
});

describe('extractCode: language matching', () => {
  it('takes blocks tagged with the id, an alias or a common name, in any case', () => {
    for (const tag of ['python', 'Python', 'PY', 'python3']) assert.equal(code(fence(tag, 'print(1)')), 'print(1)\n', tag);
    for (const tag of ['cpp', 'c++', 'cc', 'cxx', 'CPP']) assert.equal(code(fence(tag, 'int main(){}'), 'last_block', cpp), 'int main(){}\n', tag);
    for (const tag of ['js', 'node', 'nodejs', 'javascript']) assert.equal(code(fence(tag, 'f()'), 'last_block', javascript), 'f()\n', tag);
    for (const [name, tag] of [['typescript', 'ts'], ['go', 'golang'], ['rust', 'rs'], ['java', 'java'], ['c', 'c']] as const) {
      assert.equal(code(fence(tag, 'x'), 'last_block', findLanguage(name)!), 'x\n', name);
    }
  });

  it('uses only the first word of the info string', () => {
    assert.equal(code(fence('python title="main.py"', 'print(1)')), 'print(1)\n');
    assert.equal(code(fence(' python', 'print(1)')), 'print(1)\n');
  });

  it('prefers tagged blocks over untagged ones', () => {
    const text = `${fence('python', 'print(1)')}\n${fence('', 'example output')}`;
    const e = extractCode(text, python, 'last_block');
    assert.equal(e.code, 'print(1)\n');
    assert.equal(e.blocksFound, 2);
    assert.equal(e.blocksUsed, 1);
  });

  it('falls back to untagged blocks when none is tagged with the language', () => {
    const text = `${fence('', 'print(1)')}\nthen\n${fence('', 'print(2)')}`;
    assert.equal(code(text), 'print(2)\n');
    assert.equal(code(text, 'first_block'), 'print(1)\n');
  });

  it('never uses blocks tagged with something else', () => {
    assert.equal(code(`${fence('cpp', 'int main(){}')}\n${fence('bash', 'python3 main.py')}`), null);
    const mixed = `${fence('', 'print(1)')}\n${fence('java', 'class Main {}')}`;
    assert.equal(code(mixed), 'print(1)\n');
    // "c" is another language to C++, and "cpp" to C.
    assert.equal(code(fence('c', 'int main(){}'), 'last_block', cpp), null);
    assert.equal(code(fence('cpp', 'int main(){}'), 'last_block', c), null);
  });

  it('skips whitespace-only blocks when choosing', () => {
    const text = `${fence('python', 'print(1)')}\n${fence('python', '   \n')}`;
    const e = extractCode(text, python, 'last_block');
    assert.equal(e.code, 'print(1)\n');
    assert.equal(e.blocksFound, 2);
    assert.equal(e.blocksUsed, 1);
  });

  it('accepts a plain language object, not only a registry entry', () => {
    assert.equal(extractCode(fence('zz', 'x'), { id: 'zig', aliases: ['zz'] }, 'last_block').code, 'x\n');
  });
});

describe('extractCode: policies', () => {
  const text = ['Here is a first try:', fence('python', 'a = 1'), 'Output:', fence('', '1'), 'Better:', fence('python', 'b = 2'), 'Final:', fence('python', 'c = 3')].join('\n');

  it('last_block takes the last candidate', () => {
    assert.deepEqual(extractCode(text, python, 'last_block'), { code: 'c = 3\n', policy: 'last_block', blocksFound: 4, blocksUsed: 1, reasoningRemoved: false });
  });

  it('first_block takes the first candidate', () => {
    assert.deepEqual(extractCode(text, python, 'first_block'), { code: 'a = 1\n', policy: 'first_block', blocksFound: 4, blocksUsed: 1, reasoningRemoved: false });
  });

  it('all_blocks joins every candidate in order with a blank line', () => {
    assert.deepEqual(extractCode(text, python, 'all_blocks'), {
      code: 'a = 1\n\nb = 2\n\nc = 3\n',
      policy: 'all_blocks',
      blocksFound: 4,
      blocksUsed: 3,
      reasoningRemoved: false,
    });
  });

  it('whole takes the text as it is, trimmed, fences and all', () => {
    assert.deepEqual(extractCode('\n\n  x = 1\nprint(x)  \n\n', python, 'whole'), {
      code: 'x = 1\nprint(x)\n',
      policy: 'whole',
      blocksFound: 0,
      blocksUsed: 0,
      reasoningRemoved: false,
    });
    const e = extractCode(`<think>r</think>\n${fence('python', 'print(1)')}\n`, python, 'whole');
    assert.equal(e.code, '```python\nprint(1)\n```\n');
    assert.equal(e.blocksFound, 1);
    assert.equal(e.blocksUsed, 0);
  });

  it('every policy gives null when there is no code', () => {
    for (const policy of extractionPolicies) {
      for (const text of ['', '   \n\t\n', '<think>only thoughts</think>\n']) {
        const e = extractCode(text, python, policy);
        assert.equal(e.code, null, `${policy} ${JSON.stringify(text)}`);
        assert.equal(e.blocksUsed, 0);
      }
    }
    for (const policy of ['last_block', 'first_block', 'all_blocks'] as const) {
      assert.equal(code('I cannot solve this.', policy), null);
      assert.equal(code(fence('python', ''), policy), null);
    }
  });
});

describe('extractCode: fences', () => {
  it('an unclosed final fence runs to the end of the text', () => {
    const text = `${fence('python', 'print(1)')}\nImproved:\n\`\`\`python\ndef f():\n    return 2`;
    const e = extractCode(text, python, 'last_block');
    assert.equal(e.code, 'def f():\n    return 2\n');
    assert.equal(e.blocksFound, 2);
  });

  it('tilde fences, and fences of one kind inside the other', () => {
    assert.equal(code(fence('python', 'print(1)', '~~~')), 'print(1)\n');
    assert.equal(code('~~~python\ns = """\n```\n"""\n~~~\n'), 's = """\n```\n"""\n');
    assert.equal(code('```python\ns = """\n~~~\n"""\n```'), 's = """\n~~~\n"""\n');
  });

  it('a longer fence is closed only by one at least as long', () => {
    assert.equal(code('````python\na = 1\n```\nb = 2\n`````\n'), 'a = 1\n```\nb = 2\n');
    assert.equal(code('~~~~\nprint(1)\n~~~\n'), 'print(1)\n~~~\n');
  });

  it('a closing fence carries nothing but spaces', () => {
    assert.equal(code('```python\na = 1\n```python\nb = 2\n```\n'), 'a = 1\n```python\nb = 2\n');
  });

  it('fences indented up to three spaces; their indentation is removed from the content', () => {
    assert.equal(code('1. Solution:\n   ```python\n   def f():\n       return 1\n   ```\n'), 'def f():\n    return 1\n');
    assert.equal(code('  ```python\nprint(1)\n ```\n'), 'print(1)\n');
    // Four spaces make an indented code line, not a fence.
    assert.equal(code('    ```python\n    print(1)\n    ```\n'), null);
  });

  it('a backtick fence whose info string holds a backtick is inline code', () => {
    assert.equal(code('```x``` is inline\n```python\nprint(1)\n```'), 'print(1)\n');
    assert.equal(code('~~~python `tick`\nprint(1)\n~~~'), 'print(1)\n');
  });

  it('keeps the content exactly, drops the fence lines, ends with one newline', () => {
    const body = '\n\tif x:  \n\t\treturn "  "\n\n\n';
    assert.equal(code(`\`\`\`python\n${body}\`\`\`\n`), '\n\tif x:  \n\t\treturn "  "\n');
  });

  it('reads CRLF text as LF', () => {
    assert.equal(code('```python\r\nprint(1)\r\nprint(2)\r\n```\r\n'), 'print(1)\nprint(2)\n');
  });
});

describe('extraction vocabulary', () => {
  it('describes every policy', () => {
    assert.deepEqual(Object.keys(extractionPolicyDescriptions).sort(), [...extractionPolicies].sort());
  });
});

const judged = (verdict: Verdict, passed: number, total: number, extra: { compileFailed?: boolean; firstFailure?: Verdict } = {}): RewardInput => ({
  kind: 'judged',
  verdict,
  passed,
  total,
  compileFailed: extra.compileFailed ?? false,
  ...(extra.firstFailure !== undefined ? { firstFailure: extra.firstFailure } : {}),
});

const noCode: RewardInput = { kind: 'no_code' };
const accepted = judged('accepted', 5, 5);
const acceptedNoTests = judged('accepted', 0, 0);
const compileError = judged('compile_error', 0, 5, { compileFailed: true });
const wrongAnswer = judged('wrong_answer', 2, 5, { firstFailure: 'wrong_answer' });
const runtimeError = judged('runtime_error', 3, 5, { firstFailure: 'runtime_error' });
const timeLimit = judged('time_limit_exceeded', 1, 4, { firstFailure: 'time_limit_exceeded' });
const memoryLimit = judged('memory_limit_exceeded', 0, 4, { firstFailure: 'memory_limit_exceeded' });
const outputLimit = judged('output_limit_exceeded', 0, 3, { firstFailure: 'output_limit_exceeded' });
const failedNoTests = judged('runtime_error', 0, 0);
const zeroPassed = judged('wrong_answer', 0, 3);

const expected: Record<RewardPreset, [RewardInput, number][]> = {
  binary: [
    [noCode, 0],
    [accepted, 1],
    [acceptedNoTests, 1],
    [compileError, 0],
    [wrongAnswer, 0],
    [runtimeError, 0],
    [timeLimit, 0],
    [failedNoTests, 0],
  ],
  fraction: [
    [noCode, 0],
    [accepted, 1],
    [acceptedNoTests, 1],
    [failedNoTests, 0],
    [compileError, 0],
    [wrongAnswer, 0.4],
    [runtimeError, 0.6],
    [timeLimit, 0.25],
    [zeroPassed, 0],
    [judged('wrong_answer', 1, 3), 0.333333],
    [judged('wrong_answer', 2, 3), 0.666667],
  ],
  coderl: [
    [noCode, -1],
    [compileError, -1],
    [runtimeError, -0.6],
    [timeLimit, -0.6],
    [memoryLimit, -0.6],
    [outputLimit, -0.6],
    [wrongAnswer, -0.3],
    [zeroPassed, -0.3],
    [accepted, 1],
    [acceptedNoTests, 1],
    [failedNoTests, -0.6],
  ],
  rltf: [
    [noCode, -1],
    [compileError, -1],
    [accepted, 1],
    [acceptedNoTests, 1],
    [zeroPassed, -0.3],
    [wrongAnswer, 0.22],
    [runtimeError, 0.48],
    [timeLimit, 0.025],
    [judged('wrong_answer', 1, 3), 0.133333],
    [judged('wrong_answer', 9, 10), 0.87],
    [failedNoTests, -0.3],
  ],
  compile_only: [
    [noCode, -1],
    [compileError, -1],
    [accepted, 1],
    [wrongAnswer, 1],
    [runtimeError, 1],
    [timeLimit, 1],
    [acceptedNoTests, 1],
  ],
};

describe('computeReward', () => {
  for (const preset of rewardPresets) {
    it(`${preset} on every outcome`, () => {
      for (const [input, want] of expected[preset]) assert.equal(computeReward(preset, input), want, `${preset} ${JSON.stringify(input)}`);
    });
  }

  it('has a description for every preset', () => {
    assert.deepEqual(Object.keys(rewardPresetDescriptions).sort(), [...rewardPresets].sort());
  });

  it('a compile_error verdict counts as a compile failure even without the flag', () => {
    const input = judged('compile_error', 0, 3);
    assert.equal(computeReward('coderl', input), -1);
    assert.equal(computeReward('rltf', input), -1);
    assert.equal(computeReward('compile_only', input), -1);
    assert.equal(computeReward('fraction', input), 0);
  });

  it('coderl reads the first failing test, not the overall verdict, when given', () => {
    assert.equal(computeReward('coderl', judged('wrong_answer', 0, 2, { firstFailure: 'time_limit_exceeded' })), -0.6);
    assert.equal(computeReward('coderl', judged('runtime_error', 0, 2, { firstFailure: 'wrong_answer' })), -0.3);
    // A skipped test says nothing about how the program failed: the verdict decides.
    assert.equal(computeReward('coderl', judged('runtime_error', 0, 2, { firstFailure: 'skipped' })), -0.6);
  });

  it('returns rounded plain numbers, never −0', () => {
    for (const preset of rewardPresets) {
      for (const [input] of expected[preset]) {
        const r = computeReward(preset, input);
        assert.equal(Math.round(r * 1e6) / 1e6, r);
        assert.ok(!Object.is(r, -0));
      }
    }
    assert.equal(computeReward('rltf', judged('wrong_answer', 1, 7)), -0.114286);
    assert.ok(Object.is(computeReward('fraction', zeroPassed), 0));
  });

  it('is the same every time', () => {
    const input = judged('wrong_answer', 7, 13);
    const first = rewardPresets.map((p) => computeReward(p, input));
    for (let i = 0; i < 100; i++) assert.deepEqual(rewardPresets.map((p) => computeReward(p, input)), first);
  });

  it('refuses impossible counts', () => {
    for (const [passed, total] of [
      [3, 2],
      [-1, 2],
      [1.5, 2],
      [0, Number.NaN],
    ] as const) {
      assert.throws(() => computeReward('fraction', judged('wrong_answer', passed, total)), RangeError);
    }
  });
});

describe('rewardInputFromResult', () => {
  const test = (verdict: Verdict) => ({ verdict }) as SubmissionResult['tests'][number];
  const compile = (status: NonNullable<SubmissionResult['compile']>['status']) => ({ status }) as NonNullable<SubmissionResult['compile']>;

  it('takes the first failing test that ran', () => {
    const input = rewardInputFromResult({
      verdict: 'time_limit_exceeded',
      passed: 1,
      total: 4,
      compile: compile('ok'),
      tests: [test('accepted'), test('time_limit_exceeded'), test('wrong_answer'), test('skipped')],
    });
    assert.deepEqual(input, { kind: 'judged', verdict: 'time_limit_exceeded', passed: 1, total: 4, compileFailed: false, firstFailure: 'time_limit_exceeded' });
    assert.equal(computeReward('coderl', input), -0.6);
  });

  it('a failed, timed-out or memory-starved compile is a compile failure; no compile step is not', () => {
    for (const status of ['failed', 'time_limit_exceeded', 'memory_limit_exceeded'] as const) {
      const input = rewardInputFromResult({ verdict: 'compile_error', passed: 0, total: 2, compile: compile(status), tests: [test('skipped'), test('skipped')] });
      assert.deepEqual(input, { kind: 'judged', verdict: 'compile_error', passed: 0, total: 2, compileFailed: true });
    }
    const interpreted = rewardInputFromResult({ verdict: 'accepted', passed: 2, total: 2, compile: null, tests: [test('accepted'), test('accepted')] });
    assert.deepEqual(interpreted, { kind: 'judged', verdict: 'accepted', passed: 2, total: 2, compileFailed: false });
  });
});
