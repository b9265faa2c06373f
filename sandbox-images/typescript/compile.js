'use strict';
/*
 * The compile step: tsc with /opt/verdict/ts/tsconfig.json over the files it is given (tsc itself
 * refuses a project together with file names). Prints tsc's diagnostics; exits 1 on any error.
 *
 * Most of a plain tsc run (~2 s of CPU for a small program) goes to loading the compiler and
 * parsing and binding the ~150 declaration files of the ES2022 library and @types/node, the same
 * for every submission. So the image builds a V8 startup snapshot of this script
 * (node --build-snapshot, see the Dockerfile) after one warm-up compile: it holds the loaded
 * compiler and those declaration files, already parsed and bound, and a compile started from it
 * (node --snapshot-blob compile.blob <files>) only parses and checks the program's own files
 * (~0.5 s). Declaration files are immutable once parsed; reusing them across programs is what
 * tsserver does. Run as a plain script (node compile.js <files>), it compiles the same way
 * without the snapshot.
 */
const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');

const HOME = '/opt/verdict/ts';
const CONFIG = path.join(HOME, 'tsconfig.json');

/** typescript.js evaluated by hand: a snapshot's entry script may require() only built-ins. */
function loadTypeScript() {
  const file = path.join(HOME, 'node_modules/typescript/lib/typescript.js');
  const module = { exports: {} };
  const body = fs.readFileSync(file, 'utf8');
  new Function('exports', 'require', 'module', '__filename', '__dirname', body)(module.exports, require, module, file, path.dirname(file));
  return module.exports;
}

const ts = loadTypeScript();

function parseConfig(files, cwd) {
  const { config, error } = ts.readConfigFile(CONFIG, ts.sys.readFile);
  if (error) return { errors: [error], fileNames: [], options: {} };
  return ts.parseJsonConfigFileContent({ ...config, files: files.map((f) => path.resolve(cwd, f)), include: [] }, ts.sys, cwd, undefined, CONFIG);
}

/** Parsed and bound declaration files of the toolchain (never the program's), by path. */
const declarations = new Map();

function warmUp() {
  const dir = fs.mkdtempSync('/tmp/verdict-ts-warm-');
  try {
    fs.writeFileSync(path.join(dir, 'main.ts'), "import { md5 } from 'js-md5';\nimport { readFileSync } from 'node:fs';\nconsole.log(md5(readFileSync(0, 'utf8')));\n");
    const parsed = parseConfig(['main.ts'], dir);
    const program = ts.createProgram({ rootNames: parsed.fileNames, options: { ...parsed.options, noEmit: true } });
    const errors = ts.getPreEmitDiagnostics(program);
    if (errors.length > 0) throw new Error(`warm-up compile failed:\n${ts.formatDiagnostics(errors, formatHost(dir))}`);
    for (const file of program.getSourceFiles()) {
      if (file.isDeclarationFile && file.fileName.startsWith(`${HOME}/node_modules/`)) declarations.set(file.fileName, file);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function formatHost(cwd) {
  return { getCanonicalFileName: (f) => f, getCurrentDirectory: () => cwd, getNewLine: () => '\n' };
}

function compile(files) {
  const cwd = process.cwd();
  const parsed = parseConfig(files, cwd);
  let diagnostics = parsed.errors;
  if (diagnostics.length === 0) {
    const host = ts.createCompilerHost(parsed.options);
    const readSourceFile = host.getSourceFile;
    host.getSourceFile = (fileName, ...rest) => declarations.get(fileName) ?? readSourceFile(fileName, ...rest);
    const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, host });
    diagnostics = ts.getPreEmitDiagnostics(program);
    if (!diagnostics.some((d) => d.category === ts.DiagnosticCategory.Error)) diagnostics = diagnostics.concat(program.emit().diagnostics);
  }
  if (diagnostics.length > 0) process.stderr.write(ts.formatDiagnostics(diagnostics, formatHost(cwd)));
  return diagnostics.some((d) => d.category === ts.DiagnosticCategory.Error) ? 1 : 0;
}

if (v8.startupSnapshot?.isBuildingSnapshot()) {
  warmUp();
  v8.startupSnapshot.setDeserializeMainFunction(() => {
    // process.cwd() is cached, and the cache came with the snapshot: chdir clears it.
    process.chdir('.');
    process.exitCode = compile(process.argv.slice(1));
  });
} else {
  process.exitCode = compile(process.argv.slice(2));
}
