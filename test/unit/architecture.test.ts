import assert from 'node:assert/strict';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** src/ cruised with the repository's rules (.dependency-cruiser.cjs), type-only imports included. */
async function cruiseSources(): Promise<ICruiseResult> {
  const cwd = process.cwd();
  // The config's paths (src/, tsconfig.json) are relative to the repository's root.
  process.chdir(root);
  try {
    const options = await extractDepcruiseOptions('./.dependency-cruiser.cjs');
    const reported = await cruise(['src'], options, undefined, { tsConfig: extractTSConfig('tsconfig.json') });
    return reported.output as ICruiseResult;
  } finally {
    process.chdir(cwd);
  }
}

const result = cruiseSources();

it('src/ has no import cycles and its domain imports nothing of HTTP (.dependency-cruiser.cjs)', async () => {
  const { summary } = await result;
  const violations = summary.violations.map((v) =>
    v.cycle ? `${v.rule.name}: ${[v.from, ...v.cycle.map((step) => step.name)].join(' → ')}` : `${v.rule.name}: ${v.from} → ${v.to}`,
  );
  assert.deepEqual(violations, []);
});

it('sees the whole import graph, type-only imports included (a resolver that found nothing would pass the rules)', async () => {
  const { modules, summary } = await result;
  assert.ok(summary.totalCruised > 80, `${summary.totalCruised} modules cruised`);
  const unresolved = modules.flatMap((m) => m.dependencies.filter((d) => d.couldNotResolve).map((d) => `${m.source} → ${d.module}`));
  assert.deepEqual(unresolved, []);
  const fromDomain = modules.find((m) => m.source === 'src/label/outcomes.ts');
  assert.ok(fromDomain, 'src/label/outcomes.ts cruised');
  const typeOnly = fromDomain.dependencies.find((d) => d.resolved === 'src/domain/results.ts');
  assert.ok(typeOnly?.dependencyTypes.includes('type-only'), 'its type-only import of src/domain/results.ts is a dependency');
});
