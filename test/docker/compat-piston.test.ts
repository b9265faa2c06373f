/** The Piston-compatible API (GET /api/v2/runtimes, POST /api/v2/execute) on real Docker. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { startTestApp } from '../helpers/app.js';

interface Stage {
  stdout: string;
  stderr: string;
  output: string;
  code: number | null;
  signal: string | null;
  message: string | null;
  status: string | null;
  cpu_time: number;
  wall_time: number;
  memory: number;
}
interface Executed {
  language: string;
  version: string;
  compile?: Stage;
  run?: Stage;
}

describe('Piston-compatible API', async () => {
  const t = await startTestApp({ VERDICT_CONCURRENCY: '2' });
  const nonce = () => randomUUID();

  async function execute(body: Record<string, unknown>, status = 200) {
    const res = await t.app.inject({ method: 'POST', url: '/api/v2/execute', payload: body });
    assert.equal(res.statusCode, status, res.body);
    return res.json<Executed>();
  }

  it('lists the 8 runtimes with a SemVer version and aliases', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v2/runtimes' });
    assert.equal(res.statusCode, 200, res.body);
    const runtimes = res.json<{ language: string; version: string; aliases: string[] }[]>();
    assert.deepEqual(runtimes.map((r) => r.language).sort(), ['c', 'c++', 'go', 'java', 'javascript', 'python', 'rust', 'typescript']);
    for (const r of runtimes) assert.match(r.version, /^\d+\.\d+\.\d+$/, r.language);
    const by = new Map(runtimes.map((r) => [r.language, r]));
    for (const [lang, alias] of [['python', 'py'], ['python', 'python3'], ['c++', 'cpp'], ['c++', 'g++'], ['c', 'gcc'], ['javascript', 'js'], ['javascript', 'node'], ['typescript', 'ts'], ['go', 'golang'], ['rust', 'rs']] as const) {
      assert.ok(by.get(lang)!.aliases.includes(alias), `${lang} has alias ${alias}`);
    }
    assert.match(by.get('python')!.version, /^3\./);
  });

  it('runs Python with args and stdin, version "*" or a prefix of the listed one', async () => {
    const runtimes = (await t.app.inject({ method: 'GET', url: '/api/v2/runtimes' })).json<{ language: string; version: string }[]>();
    const pyVersion = runtimes.find((r) => r.language === 'python')!.version;
    for (const version of ['*', pyVersion, pyVersion.split('.')[0]!]) {
      const out = await execute({
        language: 'py',
        version,
        files: [{ name: 'hello.py', content: `# ${nonce()}\nimport sys\nprint("hello", sys.argv[1:], input())\nprint("err", file=sys.stderr)\n` }],
        stdin: 'world\n',
        args: ['1', 'two'],
      });
      assert.equal(out.language, 'python');
      assert.equal(out.version, pyVersion);
      assert.equal(out.compile, undefined, 'Python has no compile stage');
      assert.equal(out.run!.stdout, "hello ['1', 'two'] world\n");
      assert.equal(out.run!.stderr, 'err\n');
      assert.equal(out.run!.output, "hello ['1', 'two'] world\nerr\n");
      assert.equal(out.run!.code, 0);
      assert.equal(out.run!.signal, null);
      assert.equal(out.run!.status, null);
      assert.equal(out.run!.message, null);
      assert.ok(out.run!.wall_time >= 0 && out.run!.memory > 0);
    }
  });

  it('compiles and runs C++: both stages', async () => {
    const out = await execute({
      language: 'c++',
      version: '*',
      files: [{ name: 'main.cpp', content: `// ${nonce()}\n#include <iostream>\nint main(int argc, char** argv){ int a, b; std::cin >> a >> b; std::cout << a + b << " " << argv[1] << std::endl; }\n` }],
      stdin: '2 3\n',
      args: ['x'],
    });
    assert.equal(out.language, 'c++');
    assert.ok(out.compile, 'C++ has a compile stage');
    assert.equal(out.compile!.code, 0);
    assert.equal(out.compile!.status, null);
    assert.equal(out.run!.stdout, '5 x\n');
    assert.equal(out.run!.code, 0);
  });

  it('a compile error: compile.code non-zero, no run stage (as Piston)', async () => {
    const out = await execute({ language: 'cpp', version: '*', files: [{ content: `// ${nonce()}\nint main() { return undefined_name; }\n` }] });
    assert.ok(out.compile);
    assert.notEqual(out.compile!.code, 0);
    assert.equal(out.compile!.status, 'RE');
    assert.match(out.compile!.stderr, /undefined_name/);
    assert.equal(out.compile!.output, out.compile!.stderr);
    assert.equal(out.run, undefined);
  });

  it('a Python syntax error is a failed run (Python has no compile stage in Piston)', async () => {
    const out = await execute({ language: 'python', version: '*', files: [{ content: `# ${nonce()}\ndef f(:\n    pass\n` }] });
    assert.equal(out.compile, undefined);
    assert.equal(out.run!.code, 1);
    assert.equal(out.run!.status, 'RE');
    assert.match(out.run!.stderr, /SyntaxError/);
  });

  it('a run timeout is status TO with SIGKILL', async () => {
    const out = await execute({ language: 'python', version: '*', files: [{ content: `# ${nonce()}\nimport time\ntime.sleep(30)\n` }], run_timeout: 1000 });
    assert.equal(out.run!.status, 'TO');
    assert.equal(out.run!.signal, 'SIGKILL');
    assert.equal(out.run!.code, null);
    assert.ok(out.run!.wall_time < 10_000, `killed near the limit, ran ${out.run!.wall_time} ms`);
  });

  it('a runtime error: its exit code and status RE; a signal: SG', async () => {
    const out = await execute({ language: 'python', version: '*', files: [{ content: `# ${nonce()}\nimport sys\nprint("partial")\nsys.exit(3)\n` }] });
    assert.equal(out.run!.code, 3);
    assert.equal(out.run!.signal, null);
    assert.equal(out.run!.status, 'RE');
    assert.equal(out.run!.stdout, 'partial\n');
    const raised = await execute({ language: 'python', version: '*', files: [{ content: `# ${nonce()}\nraise ValueError("boom")\n` }] });
    assert.equal(raised.run!.code, 1);
    assert.match(raised.run!.stderr, /ValueError: boom/);
    const killed = await execute({ language: 'python', version: '*', files: [{ content: `# ${nonce()}\nimport os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n` }] });
    assert.equal(killed.run!.status, 'SG');
    assert.equal(killed.run!.signal, 'SIGSEGV');
    assert.equal(killed.run!.code, null);
  });

  it('an unknown language or version is a 400 with a Piston-style message', async () => {
    const lang = await execute({ language: 'cobol', version: '*', files: [{ content: 'x' }] }, 400);
    assert.equal((lang as unknown as { message: string }).message, 'cobol-* runtime is unknown');
    const version = await execute({ language: 'python', version: '2.7.18', files: [{ content: 'print(1)' }] }, 400);
    assert.equal((version as unknown as { message: string }).message, 'python-2.7.18 runtime is unknown');
    const noFiles = await execute({ language: 'python', version: '*', files: [] }, 400);
    assert.equal(typeof (noFiles as unknown as { message: string }).message, 'string');
  });

  it('writes further files beside the entry: a module the entry imports, base64 included', async () => {
    const out = await execute({
      language: 'python3',
      version: '*',
      files: [
        { name: 'app.py', content: `# ${nonce()}\nimport helper\nfrom data import VALUE\nprint(helper.double(21), VALUE)\n` },
        { name: 'helper.py', content: 'def double(x):\n    return 2 * x\n' },
        { name: 'data.py', content: Buffer.from('VALUE = "b64"\n').toString('base64'), encoding: 'base64' },
      ],
    });
    assert.equal(out.run!.stdout, '42 b64\n', out.run!.stderr);
    assert.equal(out.run!.status, null);
  });
});
