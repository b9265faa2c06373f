/**
 * Builds whatever sandbox image is missing (base first; the base itself is
 * pulled or bootstrapped from Debian's archive), then proves each language
 * image with its smoke program through the real judging path.
 */
import os from 'node:os';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { parseConfig } from '../config.js';
import { ImageBuilder } from '../images/builder.js';
import { ImageCatalog, IMAGES_DIR, type Progress } from '../images/images.js';
import { pruneStale } from '../images/prune.js';
import type { LanguageDefinition } from '../languages/types.js';
import { languages } from '../languages/registry.js';
import { DockerEngine } from '../sandbox/docker-engine.js';

const verbose = process.argv.includes('--verbose');
// Optional language ids: build and smoke-test only those (the base always).
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const selected = only.length > 0 ? languages.filter((l) => only.includes(l.id)) : languages;
const started = performance.now();
const config = parseConfig({ ...process.env, LOG_LEVEL: 'warn' }, { cpuCount: os.availableParallelism(), randomId: `images-${process.pid}` });
const engine = new DockerEngine({ dockerHost: config.dockerHost, runtime: config.runtime });
await engine.ping();

const builder = new ImageBuilder(engine.images, new ImageCatalog(engine.images, { baseImage: config.baseImage }), { baseImage: config.baseImage });
const resolved = await builder.ensure([...new Set(selected.map((l) => l.imageFolder))], buildProgress());
// Pruning after a partial build would remove the other languages' current images.
if (only.length === 0 && config.pruneStaleImages) await pruneStale(engine.images, resolved.values(), (line) => console.log(`images: ${line}`));

const app = await buildApp({ config, engine });
await app.ready();
// Stopped during the smoke runs (a container stop, Ctrl-C): remove their sandboxes before leaving.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void app.close().finally(() => process.exit(130)));
}
let failed = false;
try {
  for (const lang of selected) if (!(await smokeAccepted(app, lang))) failed = true;
} finally {
  await app.close();
}
console.log(`images: ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);

/** Build output, printed: without --verbose, one line per Dockerfile step is progress enough. */
function buildProgress(): Progress {
  let lastStep = '';
  return (line) => {
    const step = line.match(/^\[(\w+)\] (Step \d+\/\d+)/);
    if (step) {
      const key = `${step[1]} ${step[2]}`;
      if (key !== lastStep) console.log(`images: ${line.slice(0, 160)}`);
      lastStep = key;
    } else if (verbose || !line.startsWith('[')) {
      console.log(`images: ${line}`);
    }
  };
}

/** Judges the language's smoke.json through the service; says on the console how it went. */
async function smokeAccepted(app: FastifyInstance, lang: LanguageDefinition): Promise<boolean> {
  const smoke = JSON.parse(await readFile(path.join(IMAGES_DIR, lang.imageFolder, 'smoke.json'), 'utf8')) as Record<string, unknown>;
  // It proves the image works, not how fast: a machine busy building or judging beside it gets the
  // most wall time a request may have (its CPU limit stays the default).
  const payload = { ...smoke, language: lang.id, limits: { wallTimeMs: config.maxLimits.wallTimeMs, totalWallTimeMs: config.maxLimits.totalWallTimeMs } };
  const res = await app.inject({ method: 'POST', url: '/v1/submissions', payload });
  const body = res.json<{ verdict?: string; manifest?: { languageVersion: string }; message?: string }>();
  if (res.statusCode === 200 && body.verdict === 'accepted') {
    console.log(`images: ${lang.id} smoke program accepted (${body.manifest?.languageVersion})`);
    return true;
  }
  console.error(`images: ${lang.id} smoke program failed: HTTP ${res.statusCode} ${res.body.slice(0, 2000)}`);
  return false;
}
