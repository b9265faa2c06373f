#!/usr/bin/env node
// The one check of the Node.js version, against package.json's engines.node (the one place that
// names the minimum): deploy/build-service-image.sh runs it on the host and for the service base's
// node, deploy/service.Dockerfile on the node that ends up in the image.
// Usage: node scripts/check-node.mjs [version]   (default: the version of the node running it)
// Exit 0 when the version satisfies engines.node; 1, with the reason on stderr, when it does not.
import { readFileSync } from 'node:fs';
import satisfies from 'semver/functions/satisfies.js';

const required = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).engines.node;
const version = process.argv[2] ?? process.version;
if (!satisfies(version, required)) {
  console.error(`Node.js ${version} does not satisfy ${required} (engines.node in package.json)`);
  process.exit(1);
}
