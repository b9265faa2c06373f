/**
 * The command line:
 *   verdict run <file> [--language id] [--stdin file] [--url url]
 *   verdict eval <dataset.jsonl> [--preset binary] [--extraction last_block] [--chunk 200] [--url url]
 *   verdict images [language ids…] [--verbose]
 * `run` and `eval` talk to a running service (--url, else VERDICT_URL, else
 * http://127.0.0.1:8080); `images` builds the sandbox images on this machine.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { languages } from '../languages/registry.js';
import { problemFromRow, RowError } from './rows.js';

/** File extension → language id, from each definition's `cliExtensions`. */
const EXTENSIONS: ReadonlyMap<string, string> = new Map(languages.flatMap((l) => l.cliExtensions.map((ext) => [ext, l.id] as const)));

const USAGE = `usage:
  verdict run <file> [--language id] [--stdin file] [--url url]
  verdict eval <dataset.jsonl> [--preset binary|fraction|coderl|rltf|compile_only] [--extraction last_block|first_block|all_blocks|whole] [--chunk n] [--url url]
  verdict images [language ids...] [--verbose]`;

function fail(message: string, code = 2): never {
  process.stderr.write(`verdict: ${message}\n`);
  process.exit(code);
}

function serviceUrl(flag: string | undefined): string {
  return (flag ?? process.env.VERDICT_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
}

async function post(url: string, body: unknown, accept = 'application/json') {
  try {
    return await request(url, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify(body), bodyTimeout: 0, headersTimeout: 0 });
  } catch (err) {
    fail(`cannot reach ${url}: ${(err as Error).message} (start the service with npm start, or pass --url)`);
  }
}

async function runCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { language: { type: 'string' }, stdin: { type: 'string' }, url: { type: 'string' } } });
  const file = positionals[0] ?? fail(`run needs a file\n${USAGE}`);
  const language = values.language ?? EXTENSIONS.get(path.extname(file)) ?? fail(`cannot tell the language of ${file}; pass --language`);
  const stdin = values.stdin !== undefined ? readFileSync(values.stdin, 'utf8') : process.stdin.isTTY ? '' : readFileSync(0, 'utf8');
  const res = await post(`${serviceUrl(values.url)}/v1/submissions`, { language, source: readFileSync(file, 'utf8'), tests: [{ stdin }], cache: false });
  const body = (await res.body.json()) as Record<string, any>;
  if (res.statusCode !== 200) fail(`${res.statusCode} ${body.code}: ${body.message}`, 2);
  if (body.compile && body.compile.status !== 'ok') process.stderr.write(body.compile.output);
  const test = body.tests[0];
  if (test) {
    process.stdout.write(test.stdout);
    process.stderr.write(test.stderr);
  }
  const facts = test ? `exit ${test.exitCode ?? '-'}${test.signal ? ` ${test.signal}` : ''}, ${test.cpuTimeMs} ms CPU, ${test.wallTimeMs} ms wall, ${(test.peakMemoryBytes / 2 ** 20).toFixed(1)} MiB` : '';
  process.stderr.write(`verdict: ${body.verdict}${facts ? ` (${facts})` : ''}\n`);
  process.exit(body.verdict === 'accepted' ? 0 : 1);
}

function bar(done: number, total: number, started: number): string {
  const width = 30;
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  const rate = done / Math.max(0.001, (performance.now() - started) / 1000);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${rate.toFixed(1)}/s`;
}

async function evalCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { preset: { type: 'string' }, extraction: { type: 'string' }, chunk: { type: 'string' }, url: { type: 'string' } },
  });
  const file = positionals[0] ?? fail(`eval needs a JSONL file\n${USAGE}`);
  const rows: Array<Record<string, unknown>> = [];
  let n = 0;
  for await (const line of readline.createInterface({ input: createReadStream(file) })) {
    n++;
    if (line.trim() === '') continue;
    let row: Record<string, any>;
    try {
      row = JSON.parse(line) as Record<string, any>;
    } catch {
      fail(`${file}:${n}: not JSON`);
    }
    const text = row.completion ?? (row.source !== undefined ? `\`\`\`\n${row.source}\n\`\`\`` : undefined);
    if (typeof text !== 'string') fail(`${file}:${n}: needs "completion" (model text) or "source" (a program)`);
    let problem: Record<string, unknown>;
    try {
      // The program as written, not fenced: a HumanEval continuation is judged after the row's prompt.
      problem = problemFromRow(row, { program: typeof row.completion === 'string' ? row.completion : String(row.source) });
    } catch (err) {
      if (err instanceof RowError) fail(`${file}:${n}: ${err.message}`);
      throw err;
    }
    rows.push({ id: String(row.id ?? n), completion: text, ...problem });
  }
  const url = `${serviceUrl(values.url)}/v1/reward`;
  const chunk = Number(values.chunk ?? 200);
  const started = performance.now();
  const verdicts: Record<string, number> = {};
  let done = 0;
  let accepted = 0;
  let noCode = 0;
  let errors = 0;
  let rewardSum = 0;
  let rewarded = 0;
  for (let i = 0; i < rows.length; i += chunk) {
    const res = await post(url, { items: rows.slice(i, i + chunk), preset: values.preset ?? 'binary', extraction: values.extraction ?? 'last_block', priority: 'offline' }, 'application/x-ndjson');
    if (res.statusCode !== 200) {
      const body = (await res.body.json()) as Record<string, unknown>;
      fail(`${res.statusCode} ${String(body.code)}: ${String(body.message)}`);
    }
    let buffered = '';
    for await (const data of res.body) {
      buffered += (data as Buffer).toString('utf8');
      let at: number;
      while ((at = buffered.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffered.slice(0, at)) as Record<string, any>;
        buffered = buffered.slice(at + 1);
        if (line.type !== 'item') continue;
        done++;
        if (line.status === 'ok') {
          verdicts[line.result.verdict] = (verdicts[line.result.verdict] ?? 0) + 1;
          if (line.result.verdict === 'accepted') accepted++;
        } else if (line.status === 'no_code') noCode++;
        else errors++;
        if (typeof line.reward === 'number') {
          rewardSum += line.reward;
          rewarded++;
        }
        if (process.stderr.isTTY) process.stderr.write(bar(done, rows.length, started));
      }
    }
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  const seconds = (performance.now() - started) / 1000;
  const rowsOut: Array<[string, string]> = [
    ['completions', String(rows.length)],
    ['pass rate', `${((accepted / Math.max(1, rows.length)) * 100).toFixed(1)}% (${accepted}/${rows.length})`],
    ['mean reward', rewarded > 0 ? `${(rewardSum / rewarded).toFixed(4)} (${values.preset ?? 'binary'})` : '-'],
    ...Object.entries(verdicts)
      .sort((a, b) => b[1] - a[1])
      .map(([v, c]): [string, string] => [`  ${v}`, String(c)]),
    ['no code', String(noCode)],
    ['errors (not judged)', String(errors)],
    ['time', `${seconds.toFixed(1)} s (${(rows.length / seconds).toFixed(1)} completions/s)`],
  ];
  for (const [k, v] of rowsOut) process.stdout.write(`${k.padEnd(22)} ${v}\n`);
  process.exit(errors > 0 ? 1 : 0);
}

function imagesCommand(args: string[]): void {
  const script = fileURLToPath(new URL('./build-images.ts', import.meta.url));
  const run = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), script, ...args], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case 'run':
    await runCommand(rest);
    break;
  case 'eval':
    await evalCommand(rest);
    break;
  case 'images':
    imagesCommand(rest);
    break;
  default:
    fail(USAGE, command === undefined || command === '--help' || command === 'help' ? 0 : 2);
}
