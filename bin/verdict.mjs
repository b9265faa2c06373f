#!/usr/bin/env node
// `npx verdict …`: runs the TypeScript CLI with the project's own tsx, from any directory.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../src/cli/verdict.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const run = spawnSync(process.execPath, ['--import', tsx, cli, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
