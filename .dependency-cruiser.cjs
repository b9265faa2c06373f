/**
 * Import rules for src/, checked by test/unit/architecture.test.ts (npx depcruise src shows the same).
 * Type-only imports count: a cycle through types still ties the modules together, and a domain
 * module that takes a type from the HTTP contract still depends on it.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules in a cycle cannot be read, tested or moved one at a time: move the shared type to the module both import.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-not-http',
      severity: 'error',
      comment:
        'The domain, labeling, rewards, languages and judging know nothing of HTTP: no routes, no HTTP contract (schemas.ts), no app, no fastify. Their types live in src/domain/; the HTTP layer builds on them.',
      from: { path: '^src/(domain|label|reward|languages|judge)/' },
      to: { path: ['^src/routes/', '^src/schemas\\.ts$', '^src/app\\.ts$', '(^|/)node_modules/(fastify[^/]*|@fastify/[^/]+)/'] },
    },
    {
      name: 'docker-only-in-sandbox',
      severity: 'error',
      comment: 'src/sandbox/ is the only Docker code: everything else talks to its engines (test/unit/docker-boundary.test.ts checks tests and bench too).',
      from: { pathNot: '^src/sandbox/' },
      to: { path: '(^|/)node_modules/(dockerode|docker-modem)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
