/**
 * Median compile and run time of a small program (a + b over stdin) in every
 * language, through the service. Prints a table; asserts nothing.
 * Usage: node --import tsx bench/languages.ts [runs]
 */
import os from 'node:os';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { DockerEngine } from '../src/sandbox/docker-engine.js';
import type { SubmissionResult } from '../src/schemas.js';
import { percentile } from './percentile.js';

const runs = Number(process.argv[2] ?? 7);
const programs: Record<string, string> = {
  python: 'a, b = map(int, input().split())\nprint(a + b)\n',
  cpp: '#include <iostream>\nint main() { long a, b; std::cin >> a >> b; std::cout << a + b << "\\n"; }\n',
  c: '#include <stdio.h>\nint main(void) { long a, b; scanf("%ld %ld", &a, &b); printf("%ld\\n", a + b); return 0; }\n',
  java: 'import java.util.*;\npublic class Main { public static void main(String[] x) { Scanner s = new Scanner(System.in); System.out.println(s.nextLong() + s.nextLong()); } }\n',
  javascript: 'const [a, b] = require("fs").readFileSync(0, "utf8").trim().split(/\\s+/).map(Number);\nconsole.log(a + b);\n',
  typescript: 'const [a, b]: number[] = require("fs").readFileSync(0, "utf8").trim().split(/\\s+/).map(Number);\nconsole.log(a + b);\n',
  go: 'package main\n\nimport "fmt"\n\nfunc main() {\n\tvar a, b int64\n\tfmt.Scan(&a, &b)\n\tfmt.Println(a + b)\n}\n',
  rust: 'use std::io::Read;\nfn main() { let mut s = String::new(); std::io::stdin().read_to_string(&mut s).unwrap(); let v: Vec<i64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect(); println!("{}", v[0] + v[1]); }\n',
};

const median = (v: number[]) => percentile(v, 50);

const config = parseConfig({ LOG_LEVEL: 'warn', VERDICT_CONCURRENCY: '1' }, { cpuCount: os.availableParallelism(), randomId: `bench-langs-${process.pid}` });
const app = await buildApp({ config, engine: new DockerEngine({}) });
await app.ready();
console.log(`small program (a + b), ${runs} sequential submissions per language, medians`);
console.log('language     compile CPU  compile wall    run CPU   run wall   submission');
try {
  for (const [language, source] of Object.entries(programs)) {
    const rows: SubmissionResult[] = [];
    for (let i = 0; i < runs; i++) {
      const res = await app.inject({ method: 'POST', url: '/v1/submissions', payload: { language, source, tests: [{ stdin: '2 3\n', expectedStdout: '5\n' }] } });
      const body = res.json<SubmissionResult>();
      if (body.verdict !== 'accepted') throw new Error(`${language}: ${res.body.slice(0, 500)}`);
      rows.push(body);
    }
    const ms = (v: number) => `${v.toFixed(0).padStart(7)} ms`;
    console.log(
      `${language.padEnd(12)} ${ms(median(rows.map((r) => r.compile?.cpuTimeMs ?? 0)))}  ${ms(median(rows.map((r) => r.compile?.wallTimeMs ?? 0)))} ` +
        `${ms(median(rows.map((r) => r.tests[0]!.cpuTimeMs)))} ${ms(median(rows.map((r) => r.tests[0]!.wallTimeMs)))} ${ms(median(rows.map((r) => r.wallTimeMs)))}`,
    );
  }
} finally {
  await app.close();
}
