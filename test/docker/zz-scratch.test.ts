import { it } from 'node:test';
import { readFileSync } from 'node:fs';
import { startTestApp } from '../helpers/app.js';
const t = await startTestApp();
it('scratch', async () => {
  const body = JSON.parse(readFileSync(process.env.BODY!, 'utf8'));
  const r = await t.submit(body);
  console.log(JSON.stringify({ verdict: r.verdict, compile: r.compile && r.compile.status, tests: r.tests.map((x) => ({ v: x.verdict, peak: x.peakMemoryBytes, out: x.stdout.slice(0, 2000), err: x.stderr.slice(0, 2000), cpu: x.cpuTimeMs })) }, null, 1));
});
