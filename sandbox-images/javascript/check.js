'use strict';
// Syntax check for the compile stage, so a syntax error is compile_error, not runtime_error.
// Each file is parsed the way Node would load it, without running anything: CommonJS as the
// function body the CommonJS loader compiles, an ES module (.mjs, or .js under a package.json
// with "type": "module") as a module — vm.SourceTextModule, hence --experimental-vm-modules.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

function isModule(file) {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        return JSON.parse(fs.readFileSync(manifest, 'utf8')).type === 'module';
      } catch {
        return false;
      }
    }
    if (dir === path.dirname(dir)) return false;
  }
}

/** Without the checker's own stack frames and Node's version banner. */
function clean(text) {
  return text
    .split('\n')
    .filter((line) => !/^\s+at /.test(line) && !/^Node\.js v/.test(line))
    .join('\n')
    .trim();
}

let failed = false;
for (const file of process.argv.slice(2)) {
  const filename = path.resolve(file);
  try {
    const source = fs.readFileSync(filename, 'utf8');
    if (isModule(filename)) new vm.SourceTextModule(source, { identifier: filename });
    else vm.compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'], { filename });
  } catch (error) {
    failed = true;
    let text = String(error && error.stack ? error.stack : error);
    // A module's SyntaxError carries no location; node --check prints it (only paid on failure).
    if (isModule(filename)) text = spawnSync(process.execPath, ['--check', filename], { encoding: 'utf8' }).stderr || text;
    process.stderr.write(`${clean(text)}\n\n`);
  }
}
process.exit(failed ? 1 : 0);
