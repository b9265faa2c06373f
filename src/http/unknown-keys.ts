/**
 * What a 400 says about a key the native API does not know. Every object of its requests is
 * strict, because a dropped key is a silent change of meaning: a test written with "output"
 * loses its expected output and passes whenever the program exits 0. So the answer names the
 * key where it was found and, for the names datasets and other services use (HumanEval's
 * entry_point, APPS' fn_name, SandboxFusion's run_timeout, CodeContests' time_limit…), which
 * field of Verdict's is meant.
 */
import { limitNames } from '../domain/vocabulary.js';
import {
  batchItemSchema,
  batchRequestSchema,
  callSchema,
  checkerObjectSchema,
  editSchema,
  labelRequestSchema,
  limitsSchema,
  problemSchema,
  rewardItemSchema,
  rewardRequestSchema,
  sourceFileSchema,
  submissionRequestSchema,
  testCaseSchema,
  variantSchema,
} from '../schemas.js';

/** Where in a request an object sits, which decides what its keys can mean. */
const objectKinds = [
  'submission',
  'batch',
  'reward',
  'label',
  'problem',
  'batchItem',
  'rewardItem',
  'test',
  'call',
  'limits',
  'checker',
  'file',
  'variant',
  'edit',
] as const;
type ObjectKind = (typeof objectKinds)[number];
type RootKind = Extract<ObjectKind, 'submission' | 'batch' | 'reward' | 'label'>;

/** The request body of each native route; the drop-in APIs keep their originals' leniency and are not here. */
export const rootKindByRoute: ReadonlyMap<string, RootKind> = new Map([
  ['/v1/submissions', 'submission'],
  ['/v1/batch', 'batch'],
  ['/v1/reward', 'reward'],
  ['/v1/label', 'label'],
]);

const validKeys: Record<ObjectKind, readonly string[]> = {
  submission: Object.keys(submissionRequestSchema.shape),
  batch: Object.keys(batchRequestSchema.shape),
  reward: Object.keys(rewardRequestSchema.shape),
  label: Object.keys(labelRequestSchema.shape),
  problem: Object.keys(problemSchema.shape),
  batchItem: Object.keys(batchItemSchema.shape),
  rewardItem: Object.keys(rewardItemSchema.shape),
  test: Object.keys(testCaseSchema.shape),
  call: Object.keys(callSchema.shape),
  limits: Object.keys(limitsSchema.shape),
  checker: Object.keys(checkerObjectSchema.shape),
  file: Object.keys(sourceFileSchema.shape),
  variant: Object.keys(variantSchema.shape),
  edit: Object.keys(editSchema.shape),
};

/** `[hint, ...aliases]` rows → alias → hint. A Map, so that a key such as "constructor" finds nothing. */
function hints(...rows: ReadonlyArray<readonly [string, ...string[]]>): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  for (const [hint, ...aliases] of rows) for (const alias of aliases) map.set(alias, hint);
  return map;
}

const TESTS_HINT = 'tests go in "tests": [{"stdin": …, "expectedStdout": …}], or [{"call": {"args": […]}, "expected": …}]';

/** Keys a program (a submission, a problem, an item) is given under other services' or datasets' names. */
const programRows: ReadonlyArray<readonly [string, ...string[]]> = [
  ['the function to call is "entryPoint"', 'fn_name', 'fnName', 'entry_point', 'function_name', 'func_name', 'function', 'method_name'],
  [
    'test code (asserts, a HumanEval check) is "testCode", run after the program',
    'test',
    'test_code',
    'tests_code',
    'check',
    'check_code',
    'assertions',
    'asserts',
  ],
  ['MBPP\'s asserts go in "testCode" as one string, one assert a line', 'test_list', 'challenge_test_list'],
  ['setup code and imports go at the top of "testCode"', 'test_setup_code', 'test_imports', 'setup_code'],
  ['the time limit is "limits.timeMs" (milliseconds)', 'time_limit', 'timeLimit', 'timeLimitMs', 'time_limit_ms', 'timeout', 'time', 'run_timeout', 'cpu_time_limit'],
  ['the memory limit is "limits.memoryBytes" (bytes)', 'memory_limit', 'memoryLimit', 'memory_limit_mb', 'memory_limit_MB', 'mem_limit', 'memory', 'memory_limit_bytes', 'run_memory_limit'],
  ['the compile time limit is "limits.compileTimeMs" (milliseconds)', 'compile_timeout', 'compileTimeout'],
  ['the compile memory limit is "limits.compileMemoryBytes" (bytes)', 'compile_memory_limit'],
  ['the language is "language"', 'lang', 'language_id', 'languageId', 'programming_language'],
  [
    TESTS_HINT,
    'input',
    'inputs',
    'stdin',
    'output',
    'outputs',
    'expected_output',
    'expectedOutput',
    'expected_stdout',
    'expectedStdout',
    'expected',
    'input_output',
    'test_cases',
    'testcases',
    'test_list_io',
    'examples',
    'public_tests',
    'private_tests',
    'public_test_cases',
    'private_test_cases',
    'generated_tests',
    'official_tests',
    'verification_info',
  ],
  ...limitNames.map((name): [string, string] => [`limits go in "limits": {"${name}": …}`, name]),
];
const sourceRow: readonly [string, ...string[]] = [
  'the program is "source" (one file) or "files"',
  'code',
  'program',
  'solution',
  'src',
  'source_code',
  'sourceCode',
  'canonical_solution',
  'completion',
];
const promptRow: readonly [string, ...string[]] = ['HumanEval\'s prompt is part of the program: send prompt and completion together as "source"', 'prompt'];
const stopRow: readonly [string, ...string[]] = ['"stopOnFirstFailure"', 'fail_fast', 'failFast', 'stop_on_failure', 'early_stop'];
const requestFieldRow: readonly [string, ...string[]] = ['"priority" and "cache" are fields of the whole request, not of an item', 'priority', 'cache'];
const programHints = hints(...programRows, stopRow, sourceRow, promptRow);
const programKeys = new Set(Object.keys(problemSchema.shape));

const deadlineRow: readonly [string, ...string[]] = ['the deadline is "deadlineMs" (milliseconds)', 'deadline', 'deadline_ms', 'timeout_ms'];

const hintsByKind: Record<ObjectKind, ReadonlyMap<string, string>> = {
  submission: programHints,
  problem: hints(...programRows, stopRow, sourceRow, promptRow, requestFieldRow, ['each item has its own "id"', 'id']),
  batchItem: hints(...programRows, stopRow, sourceRow, promptRow, requestFieldRow, ['the item\'s id is "id"', 'task_id', 'name']),
  rewardItem: hints(
    ...programRows,
    stopRow,
    requestFieldRow,
    ['the program is extracted from "completion"', 'source', 'files', 'code', 'program', 'solution', 'response', 'generation', 'output_text', 'text', 'prompt'],
    ['the problem is "problem" (a key of "problems"); the completion\'s own id is "id"', 'task_id', 'problem_id'],
  ),
  batch: hints(deadlineRow, ['the candidates are "items"', 'submissions', 'candidates', 'programs', 'completions', 'samples'], [
    'the shared problem is "problem" ("problems", by name, is /v1/reward\'s)',
    'problems',
  ]),
  reward: hints(
    deadlineRow,
    ['the completions are "items"', 'completions', 'responses', 'samples', 'generations', 'candidates'],
    ['problems are named: "problems": {"<name>": {…}}, and each item\'s "problem" names one', 'problem'],
    ['how a verdict becomes a number is "preset"', 'reward', 'reward_preset', 'reward_type', 'reward_fn'],
    ['which code of a completion is judged is "extraction"', 'extract', 'extraction_policy', 'code_extraction'],
  ),
  label: hints(
    ...programRows,
    deadlineRow,
    ['the correct program is "reference"', 'source', 'code', 'program', 'solution', 'canonical_solution', 'correct'],
    ['the edited programs are "variants"', 'mutants', 'mutations', 'edits', 'candidates'],
    ['the reference is one file, "reference"', 'files'],
  ),
  test: hints(
    ['the input is "stdin"', 'input', 'inputs', 'stdin_input', 'input_data', 'in'],
    [
      'the expected output is "expectedStdout"',
      'output',
      'outputs',
      'expected_output',
      'expectedOutput',
      'expected_stdout',
      'expected_outputs',
      'stdout',
      'out',
      'answer',
    ],
    ['the test\'s name is "id"', 'name', 'test_id', 'testId', 'label'],
    [
      'a test\'s kind is its shape: "stdin" with "expectedStdout", or "call" with "expected"',
      'testtype',
      'type',
    ],
    ['keyword arguments go in "call": {"args": […], "kwargs": {…}}', 'kwargs'],
    ['a call\'s arguments go in "call": {"args": […]}', 'arguments', 'params', 'call_args'],
    ['a call\'s expected return value is "expected", beside "call"', 'return', 'returns', 'return_value', 'expected_return', 'result'],
    ['the function to call is the program\'s "entryPoint", beside "tests"', 'fn_name', 'entry_point', 'entryPoint', 'function', 'func_name'],
    ['test code is the program\'s "testCode", beside "tests"', 'test', 'test_code', 'testCode', 'assertion', 'assert'],
    ['limits are the program\'s, beside "tests": "limits": {"timeMs": …, "memoryBytes": …}', 'time_limit', 'timeout', 'memory_limit', 'limits'],
  ),
  call: hints(
    ['the positional arguments are "args"', 'arguments', 'params', 'positional', 'argv', 'inputs', 'input'],
    ['the keyword arguments are "kwargs"', 'keyword_args', 'keywords', 'named', 'kw'],
    ['the expected return value is the test\'s "expected", beside "call"', 'expected', 'output', 'result', 'return', 'returns', 'expected_output'],
    ['the function to call is the program\'s "entryPoint"', 'fn_name', 'entry_point', 'entryPoint', 'function', 'name'],
  ),
  limits: hints(
    [
      'the CPU time limit is "timeMs" (milliseconds)',
      'time',
      'timeout',
      'time_limit',
      'timeLimit',
      'timeLimitMs',
      'time_ms',
      'cpu_time',
      'cpuTimeMs',
      'cpu_time_limit',
      'timeout_ms',
      'run_timeout',
      'run_cpu_time',
    ],
    [
      'the memory limit is "memoryBytes" (bytes)',
      'memory',
      'mem',
      'memory_limit',
      'memoryLimit',
      'memory_limit_mb',
      'memory_limit_MB',
      'memoryMb',
      'memory_mb',
      'memoryLimitBytes',
      'run_memory_limit',
    ],
    ['the wall-clock limit is "wallTimeMs" (milliseconds)', 'wall_time', 'wallTime', 'wall_time_limit', 'wallTimeLimitMs', 'realTimeMs', 'real_time'],
    ['the output limit is "outputBytes" (stdout plus stderr)', 'output_limit', 'outputLimit', 'max_output', 'outputLimitBytes'],
    ['the compile limits are "compileTimeMs" and "compileMemoryBytes"', 'compile_timeout', 'compileTimeout', 'compile_time', 'compile_memory_limit', 'compileMemory'],
    ['the limit on processes and threads is "processes"', 'max_processes', 'pids', 'pid_limit', 'threads', 'nproc'],
    ['the limit on all tests together is "totalWallTimeMs"', 'total_time', 'total_timeout', 'totalTimeMs', 'totalTime'],
  ),
  checker: hints(
    ['the absolute tolerance is "absTolerance"', 'tolerance', 'tol', 'eps', 'epsilon', 'abs_tol', 'atol', 'absolute_tolerance', 'precision'],
    ['the relative tolerance is "relTolerance"', 'rel_tol', 'rtol', 'relative_tolerance'],
    ['the comparison is "mode"', 'type', 'kind', 'name', 'checker'],
  ),
  file: hints(
    ['the file name is "path"', 'name', 'filename', 'file_name', 'file'],
    ['the file\'s text is "content"', 'contents', 'source', 'code', 'text', 'data'],
    ['"content" is UTF-8 text; there is no "encoding"', 'encoding'],
  ),
  variant: hints(
    ['a whole program is "source"', 'code', 'program', 'mutant', 'solution'],
    ['an edit is "edit": {"op": …, "startLine": …}', 'diff', 'patch', 'change', 'mutation'],
    ['the client\'s own labels go in "tags"', 'labels', 'meta', 'metadata', 'kind', 'line', 'type'],
    ['the variant\'s id is "id"', 'name', 'variant_id'],
  ),
  edit: hints(
    ['the first line is "startLine" (1-based)', 'line', 'start', 'start_line', 'lineno', 'line_number', 'from'],
    ['the last line is "endLine" (inclusive)', 'end', 'end_line', 'to', 'stop'],
    ['the new lines are "text"', 'content', 'replacement', 'new_text', 'code', 'lines', 'new'],
    ['the operation is "op"', 'type', 'kind', 'operation', 'action'],
  ),
};

/**
 * The kind of the object at `path` (segments as in the request, indexes as digits), or undefined
 * where no strict object of the request sits. A problem name holding "/" is indistinguishable
 * from deeper segments here; the worst that does is a hint for the wrong object.
 */
function kindAt(root: RootKind, path: readonly string[]): ObjectKind | undefined {
  const last = path.at(-1);
  const parent = path.at(-2);
  if (last === undefined) return root;
  if (path.length === 1 && last === 'problem' && root === 'batch') return 'problem';
  if (path.length === 2 && parent === 'problems' && root === 'reward') return 'problem';
  if (last === 'limits' || last === 'checker' || last === 'call' || last === 'edit') return last;
  if (!/^\d+$/.test(last)) return undefined;
  if (parent === 'tests') return 'test';
  if (parent === 'files') return 'file';
  if (parent === 'variants') return 'variant';
  if (parent === 'items' && path.length === 2) return root === 'reward' ? 'rewardItem' : 'batchItem';
  return undefined;
}

/** Keys longer than this are shown cut: a key is request text, and the answer must not echo megabytes. */
const MAX_KEY_SHOWN_CHARS = 64;
/** Unknown keys named per object; the rest are counted. An object of a million stray keys gets a short answer. */
export const MAX_UNKNOWN_KEYS_NAMED = 10;

const spelling = (key: string) => key.toLowerCase().replaceAll('_', '').replaceAll('-', '');

function hintFor(kind: ObjectKind | undefined, key: string): string | undefined {
  if (kind === undefined || key.length > MAX_KEY_SHOWN_CHARS) return undefined;
  const known = hintsByKind[kind].get(key);
  if (known !== undefined) return known;
  // expected_stdout, entry_point, test_code, start_line: the field itself in another case style.
  const respelt = validKeys[kind].find((valid) => spelling(valid) === spelling(key));
  if (respelt !== undefined) return `did you mean "${respelt}"?`;
  // What the batch and reward roots do not know but a program does belongs to their problems.
  if (kind === 'batch' && programKeys.has(key)) return 'what every item shares goes in "problem"';
  if (kind === 'batch' && programHints.has(key)) return `what every item shares goes in "problem"; there, ${programHints.get(key)!}`;
  if (kind === 'reward' && (programKeys.has(key) || programHints.has(key))) {
    return 'what items share goes in "problems" (by name; each item\'s "problem" names one), or in each item';
  }
  return `the fields here are ${validKeys[kind].map((k) => `"${k}"`).join(', ')}`;
}

const shown = (key: string) => (key.length > MAX_KEY_SHOWN_CHARS ? `${key.slice(0, MAX_KEY_SHOWN_CHARS)}…` : key);

/**
 * One issue per unknown key of the object at `path` in a request to `route`:
 * `tests.0.output: unknown key; the expected output is "expectedStdout"`.
 */
export function unknownKeyIssues(route: string | undefined, path: readonly string[], keys: readonly string[]): Array<{ path: string; message: string }> {
  const root = route === undefined ? undefined : rootKindByRoute.get(route);
  const kind = root === undefined ? undefined : kindAt(root, path);
  const issues = keys.slice(0, MAX_UNKNOWN_KEYS_NAMED).map((key) => {
    const hint = hintFor(kind, key);
    return { path: [...path, shown(key)].join('.'), message: hint === undefined ? 'unknown key' : `unknown key; ${hint}` };
  });
  if (keys.length > MAX_UNKNOWN_KEYS_NAMED) {
    issues.push({ path: path.join('.') || '(root)', message: `${keys.length - MAX_UNKNOWN_KEYS_NAMED} more unknown keys` });
  }
  return issues;
}
