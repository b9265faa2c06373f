/**
 * Dataset rows as Verdict problems: the reader behind `verdict eval`. The Python client has the
 * same reader (clients/python/verdict_client/rows.py); both are tested against the cases of
 * test/fixtures/rows/cases.json, which are the definition. Each shape is read the way its
 * dataset's own evaluator reads it, or refused with a message: a guess that turns into a test
 * which cannot fail (or cannot pass) would be learned from as if it were a verdict.
 *
 *   tests                  Verdict tests (a list), an inputs/outputs object, or either's JSON text
 *   input_output           APPS / TACO: JSON text of {inputs, outputs, fn_name?}
 *   inputs, outputs        the same fields at the top level (verl's ground_truth)
 *   test, entry_point      HumanEval: test code defining check(candidate); the service calls it
 *   test_list              MBPP: assert lines (after test_imports / test_setup_code)
 *   test_code / testCode   test code run after the program
 *   verification_info      open-r1: {language, test_cases: [{input, output, type}]}
 *   official_tests         open-r1 Codeforces: [{input, output}], plus generated_tests and limits
 *   prompt, entry_point    HumanEval: a completion that does not define entry_point continues the prompt
 */
import { findLanguage, isLanguageId, languagesById } from '../languages/registry.js';
import { extractCode } from '../reward/extract.js';

export class RowError extends Error {}

type Row = Record<string, unknown>;

function refuse(message: string): never {
  throw new RowError(message);
}

/** The JSON name of a value's kind, as the Python reader names it too. */
function kindOf(value: unknown): string {
  // A missing field reads as null, as Python's dict.get has it.
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value === 'object' ? 'object' : typeof value;
}

function isObject(value: unknown): value is Row {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A field that is there: datasets loaded as tables fill a column a row lacks with null. */
function present(row: Row, key: string): boolean {
  return Object.hasOwn(row, key) && row[key] !== null && row[key] !== undefined;
}

function parsed(value: unknown, path: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return refuse(`${path}: JSON text that does not parse`);
  }
}

function text(value: unknown, path: string, what: string): string {
  return typeof value === 'string' ? value : refuse(`${path}: ${what} needs a string, not a ${kindOf(value)}`);
}

/** APPS and TACO join a list of lines with "\n" (no newline after the last), for stdin and for the expected output alike. */
function lines(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((line) => typeof line === 'string')) return value.join('\n');
  return refuse(`${path}: needs a string or a list of lines (strings), not a ${kindOf(value)}`);
}

function isAsciiDigits(s: string, from: number): boolean {
  if (from >= s.length) return false;
  for (let i = from; i < s.length; i++) if (s.charCodeAt(i) < 48 || s.charCodeAt(i) > 57) return false;
  return true;
}

/** An object APPS' evaluator rewrites with int keys ({int(k): v}): every key an integer. */
function hasIntKeys(value: unknown): boolean {
  if (!isObject(value)) return false;
  const keys = Object.keys(value);
  return (
    keys.length > 0 &&
    keys.every((key) => {
      const k = key.trim();
      return isAsciiDigits(k, k.startsWith('+') || k.startsWith('-') ? 1 : 0);
    })
  );
}

const INT_KEYS = "an object whose keys are all integers, which APPS' evaluator turns into int keys; call tests in JSON cannot express them";

/** LeetCode's shape: the method of a top-level `class Solution`, as APPS and TACO call it when the program defines one. */
function definesSolutionClass(program: string): boolean {
  const needle = 'class Solution';
  for (let at = program.indexOf(needle); at >= 0; at = program.indexOf(needle, at + 1)) {
    const after = program[at + needle.length];
    if ((at === 0 || program[at - 1] === '\n') && (after === ':' || after === '(' || after === ' ' || after === '\t')) return true;
  }
  return false;
}

/**
 * How APPS' and TACO's testing_util accept a stdin test's output: stripped text, stripped lines,
 * split tokens, floats by np.allclose (rtol 1e-5, atol 1e-8) and, last, tokens as sets with
 * numbers rounded to 3 decimals. Tokens with these tolerances never fail an output they accept in
 * the same order: 1e-3 covers the rounding, 2e-5 of the expected value covers allclose's rtol.
 */
const APPS_CHECKER = { mode: 'float', absTolerance: 1e-3, relTolerance: 2e-5 } as const;
/** open-r1's stdin_stdout cases compare the stripped output line by line, each line stripped: tokens never fail what that accepts. */
const OPEN_R1_CHECKER = 'tokens';

/** Whether a line of the program starts by defining `name` (top level: no indentation), in one pass over the text. */
function definesName(program: string, name: string, definers: readonly string[]): boolean {
  for (let at = 0; at < program.length; ) {
    const end = program.indexOf('\n', at);
    const lineEnd = end < 0 ? program.length : end;
    for (const word of definers) {
      if (!program.startsWith(word, at)) continue;
      let p = at + word.length;
      while (program[p] === ' ') p++;
      if (program.startsWith(name, p)) {
        const after = program[p + name.length];
        if (after === undefined || !/[\w$]/.test(after)) return true;
      }
    }
    at = lineEnd + 1;
  }
  return false;
}

/** A fenced block holding `code` as it is: a fence longer than any run of backticks in it cannot be closed early. */
function fenced(code: string): string {
  let longest = 0;
  for (let i = 0, run = 0; i < code.length; i++) {
    run = code[i] === '`' ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}\n${code}\n${fence}`;
}

interface ReadTests {
  tests: unknown[];
  fnName?: string;
  checker?: unknown;
}

/** {inputs, outputs, fn_name?}: stdin tests, or call tests when fn_name names a function (APPS' testing_util). */
function inputsOutputs(io: Row, prefix: string): ReadTests {
  if (!present(io, 'outputs')) refuse(`${prefix}inputs: inputs without outputs`);
  if (!present(io, 'inputs')) refuse(`${prefix}outputs: outputs without inputs`);
  const inputs = io.inputs;
  const outputs = io.outputs;
  if (!Array.isArray(inputs)) return refuse(`${prefix}inputs: needs a list, not a ${kindOf(inputs)}`);
  if (!Array.isArray(outputs)) return refuse(`${prefix}outputs: needs a list, not a ${kindOf(outputs)}`);
  if (inputs.length !== outputs.length) refuse(`${prefix}inputs: ${inputs.length} inputs but ${outputs.length} outputs`);
  if (inputs.length === 0) refuse(`${prefix}inputs: empty; a problem without tests would accept any program that exits 0`);
  if (!present(io, 'fn_name'))
    return {
      tests: inputs.map((input, i) => ({ stdin: lines(input, `${prefix}inputs.${i}`), expectedStdout: lines(outputs[i], `${prefix}outputs.${i}`) })),
      checker: APPS_CHECKER,
    };
  const fnName = io.fn_name;
  if (typeof fnName !== 'string' || fnName === '') return refuse(`${prefix}fn_name: needs a function name`);
  // APPS stores each return value wrapped in a list ([[6], [9]]) and accepts `output == outputs[i][0]`:
  // a row where every output is a one-element list is read as wrapped.
  const wrapped = outputs.every((output) => Array.isArray(output) && output.length === 1);
  const tests = inputs.map((args, i) => {
    if (!Array.isArray(args)) return refuse(`${prefix}inputs.${i}: a call test needs the list of arguments, not a ${kindOf(args)}`);
    if (hasIntKeys(args[0])) refuse(`${prefix}inputs.${i}.0: ${INT_KEYS}`);
    const output = outputs[i];
    if (hasIntKeys(output)) refuse(`${prefix}outputs.${i}: ${INT_KEYS}`);
    if (Array.isArray(output) && hasIntKeys(output[0])) refuse(`${prefix}outputs.${i}.0: ${INT_KEYS}`);
    return { call: { args }, expected: wrapped ? (output as unknown[])[0] : output };
  });
  return { tests, fnName };
}

function nonEmptyList(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) return refuse(`${path}: needs a list, not a ${kindOf(value)}`);
  if (value.length === 0) refuse(`${path}: empty; a problem without tests would accept any program that exits 0`);
  return value;
}

function nativeOrInputsOutputs(value: unknown, path: string): ReadTests {
  const tests = parsed(value, path);
  if (Array.isArray(tests)) return { tests: nonEmptyList(tests, path) };
  if (!isObject(tests)) return refuse(`${path}: needs a list of Verdict tests or an {inputs, outputs} object, not a ${kindOf(tests)}`);
  for (const key of Object.keys(tests)) if (key !== 'inputs' && key !== 'outputs' && key !== 'fn_name') refuse(`${path}.${key}: unknown key; an {inputs, outputs} object has inputs, outputs and fn_name`);
  return inputsOutputs(tests, `${path}.`);
}

function stdinCases(cases: unknown[], path: string): unknown[] {
  return cases.map((c, i) => {
    if (!isObject(c)) return refuse(`${path}.${i}: needs an {input, output} object, not a ${kindOf(c)}`);
    return { stdin: text(c.input, `${path}.${i}.input`, 'a test input'), expectedStdout: text(c.output, `${path}.${i}.output`, 'an expected output') };
  });
}

function verificationInfo(row: Row): ReadTests & { language?: string } {
  const info = parsed(row.verification_info, 'verification_info');
  if (!isObject(info)) return refuse(`verification_info: needs an object, not a ${kindOf(info)}`);
  const cases = nonEmptyList(info.test_cases, 'verification_info.test_cases');
  cases.forEach((c, i) => {
    // open-r1 runs each case as stdin → stdout; any other kind would be guessed at.
    if (isObject(c) && present(c, 'type') && c.type !== 'stdin_stdout') refuse(`verification_info.test_cases.${i}.type: only "stdin_stdout" cases are read`);
  });
  const tests = stdinCases(cases, 'verification_info.test_cases');
  const read = { tests, checker: OPEN_R1_CHECKER };
  return present(info, 'language') ? { ...read, language: text(info.language, 'verification_info.language', 'a language') } : read;
}

/** open-r1's Codeforces rows, judged as open-r1's cf_scoring does: official then generated tests, the problem's own limits. */
function codeforces(row: Row): ReadTests & { limits: Record<string, number> } {
  if (present(row, 'generated_checker') && row.generated_checker !== '') refuse("official_tests: the problem is judged by its generated_checker, which Verdict cannot run; comparing output would fail right answers");
  if (present(row, 'interaction_format') && row.interaction_format !== '') refuse('official_tests: an interactive problem (interaction_format); Verdict cannot play the interactor');
  if (present(row, 'input_mode') && row.input_mode !== 'stdio') refuse('input_mode: only "stdio" is read; the program would read input.txt, and Verdict feeds stdin');
  const tests = stdinCases(nonEmptyList(row.official_tests, 'official_tests'), 'official_tests');
  if (present(row, 'generated_tests')) {
    if (!Array.isArray(row.generated_tests)) refuse(`generated_tests: needs a list of {input, output}, not a ${kindOf(row.generated_tests)}`);
    tests.push(...stdinCases(row.generated_tests, 'generated_tests'));
  }
  const limits: Record<string, number> = {};
  if (present(row, 'time_limit')) {
    if (typeof row.time_limit !== 'number' || !(row.time_limit > 0)) refuse('time_limit: needs a positive number of seconds');
    limits.timeMs = Math.round(row.time_limit * 1000);
  }
  if (present(row, 'memory_limit')) {
    if (typeof row.memory_limit !== 'number' || !(row.memory_limit > 0)) refuse('memory_limit: needs a positive number of megabytes');
    limits.memoryBytes = Math.round(row.memory_limit * 2 ** 20);
  }
  return { tests, limits };
}

/** Columns that hold tests in a shape not read here: refused rather than ignored beside another set. */
const UNREAD_TEST_COLUMNS = ['public_tests', 'private_tests', 'public_test_cases', 'private_test_cases'] as const;

/**
 * The Verdict problem fields of one row. `language` is used when the row names none; `program`
 * (the candidate's text) only decides `fn_name` between a function and `Solution.<fn_name>`.
 */
export function problemFromRow(input: unknown, options: { language?: string; program?: string } = {}): Record<string, unknown> {
  let value = parsed(input, 'row');
  if (Array.isArray(value)) value = { tests: value };
  if (!isObject(value)) return refuse(`row: a ${kindOf(value)}; expected an object of dataset fields, a list of Verdict tests, or its JSON text`);
  const row = value;
  for (const key of UNREAD_TEST_COLUMNS) if (present(row, key)) refuse(`${key}: this shape of tests is not read; give them as inputs/outputs or Verdict tests`);

  const sources: Array<[string, () => ReadTests & { language?: string; limits?: Record<string, number> }]> = [];
  if (present(row, 'tests')) sources.push(['tests', () => nativeOrInputsOutputs(row.tests, 'tests')]);
  if (present(row, 'input_output'))
    sources.push([
      'input_output',
      () => {
        const io = parsed(row.input_output, 'input_output');
        return isObject(io) ? inputsOutputs(io, 'input_output.') : refuse(`input_output: needs an {inputs, outputs} object, not a ${kindOf(io)}`);
      },
    ]);
  if (present(row, 'inputs') || present(row, 'outputs')) sources.push(['inputs/outputs', () => inputsOutputs(row, '')]);
  if (present(row, 'verification_info')) sources.push(['verification_info', () => verificationInfo(row)]);
  if (present(row, 'official_tests')) sources.push(['official_tests', () => codeforces(row)]);
  if (sources.length > 1) refuse(`more than one set of tests: ${sources.map(([name]) => name).join(' and ')}; keep one`);
  const read = sources[0]?.[1]();

  // Test code, in the order it runs: MBPP's imports and setup, its asserts, HumanEval's test, test code as given.
  const code: string[] = [];
  if (present(row, 'test_code') && present(row, 'testCode')) refuse('test_code and testCode: keep one');
  const testCodeKey = present(row, 'testCode') ? 'testCode' : 'test_code';
  const hasTestCode = present(row, 'test_list') || present(row, 'test') || present(row, testCodeKey);
  if (hasTestCode && present(row, 'test_imports')) {
    const imports = row.test_imports;
    if (!Array.isArray(imports) || !imports.every((line) => typeof line === 'string')) refuse('test_imports: needs a list of lines (strings)');
    code.push(...imports);
  }
  if (hasTestCode && present(row, 'test_setup_code')) {
    const setup = text(row.test_setup_code, 'test_setup_code', 'setup code');
    if (setup !== '') code.push(setup);
  }
  if (present(row, 'test_list')) {
    const asserts = nonEmptyList(row.test_list, 'test_list');
    code.push(...asserts.map((line, i) => text(line, `test_list.${i}`, 'an assert line')));
  }
  if (present(row, 'test')) code.push(text(row.test, 'test', 'test code'));
  if (present(row, testCodeKey)) code.push(text(row[testCodeKey], testCodeKey, 'test code'));

  if (read === undefined && code.length === 0)
    refuse('row: no tests; give tests, input_output, inputs/outputs, test (with entry_point), test_list, test_code, verification_info or official_tests');

  let entryPoint: string | undefined;
  for (const [name, candidate] of [
    ['entryPoint', row.entryPoint],
    ['entry_point', row.entry_point],
    ['fn_name', read?.fnName],
  ] as const) {
    if (candidate === undefined || candidate === null) continue;
    const fn = text(candidate, name, 'a function name');
    if (entryPoint !== undefined && entryPoint !== fn) refuse(`${name}: "${fn}" names another function than "${entryPoint}"`);
    entryPoint = fn;
  }
  if (read?.fnName !== undefined && !entryPoint?.includes('.') && options.program !== undefined && definesSolutionClass(options.program)) entryPoint = `Solution.${entryPoint}`;

  let language = options.language ?? 'python';
  if (present(row, 'language')) language = text(row.language, 'language', 'a language');
  if (read?.language !== undefined) {
    if (present(row, 'language') && read.language !== language) refuse(`language: "${language}" but verification_info.language "${read.language}"`);
    language = read.language;
  }

  const problem: Record<string, unknown> = { language };
  // HumanEval's samples continue the prompt (the function's body), and its harness runs prompt +
  // completion + test: a program that does not define the entry point itself is judged after the prompt.
  // The words that open a top-level definition (the definition's `definers`), for a language named by its id.
  const definers = isLanguageId(language) ? languagesById[language].definers : undefined;
  const rowEntryPoint = row.entryPoint ?? row.entry_point;
  if (present(row, 'prompt') && typeof rowEntryPoint === 'string' && definers !== undefined && options.program !== undefined) {
    const prompt = text(row.prompt, 'prompt', 'a prompt');
    // The code of a fenced answer, as the service's default extraction takes it; bare text as it is.
    const known = findLanguage(language);
    const program = (known && extractCode(options.program, known, 'last_block').code) ?? options.program;
    if (!definesName(program, rowEntryPoint, definers)) problem.completion = fenced(prompt + program);
  }
  if (read !== undefined) problem.tests = read.tests;
  if (code.length > 0) problem.testCode = code.join('\n');
  if (entryPoint !== undefined) problem.entryPoint = entryPoint;
  // The row's own checker wins over the one its dataset's evaluator implies.
  if (present(row, 'checker')) problem.checker = row.checker;
  else if (read?.checker !== undefined) problem.checker = read.checker;
  if (present(row, 'limits') && !isObject(row.limits)) refuse(`limits: needs an object, not a ${kindOf(row.limits)}`);
  // The row's own limits win over those a Codeforces row states.
  const limits = { ...read?.limits, ...(isObject(row.limits) ? row.limits : {}) };
  if (Object.keys(limits).length > 0) problem.limits = limits;
  return problem;
}
