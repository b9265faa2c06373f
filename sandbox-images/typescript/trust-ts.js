'use strict';
/*
 * The trusted test process for TypeScript: transpiles the test code (its types stripped by
 * TypeScript's transpileModule, not checked: the program was type-checked on its own at compile)
 * and runs the JavaScript as trust.js runs JavaScript test code, beside serve.js.
 *
 *   node --snapshot-blob /opt/verdict/ts/trust.blob      stdin: {"testCode": "..."}
 *
 * Loading the compiler costs some 0.65 s of CPU, in every test: the image builds trust.blob from
 * this file (node --build-snapshot, see the Dockerfile) with the compiler loaded and warmed up,
 * as compile.js's snapshot does. Run as a plain script (node trust-ts.js), it does the same
 * without the snapshot.
 */
const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');

const HOME = '/opt/verdict/ts';

/** A CommonJS file evaluated by hand: a snapshot's entry script may require() only built-ins. */
function evaluate(file) {
  const module = { exports: {} };
  const body = fs.readFileSync(file, 'utf8');
  new Function('exports', 'require', 'module', '__filename', '__dirname', body)(module.exports, require, module, file, path.dirname(file));
  return module.exports;
}

const ts = evaluate(path.join(HOME, 'node_modules/typescript/lib/typescript.js'));

// The image's tsconfig.json, as far as emitting one file goes.
const OPTIONS = {
  compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: true, newLine: ts.NewLineKind.LineFeed },
  fileName: 'test-code.ts',
  reportDiagnostics: true,
};

function transpile(testCode) {
  const out = ts.transpileModule(testCode, OPTIONS);
  const error = (out.diagnostics ?? []).find((d) => d.category === ts.DiagnosticCategory.Error);
  if (error === undefined) return { code: out.outputText };
  const text = ts.flattenDiagnosticMessageText(error.messageText, '\n');
  if (error.file === undefined || error.start === undefined) return { error: text };
  const { line, character } = error.file.getLineAndCharacterOfPosition(error.start);
  return { error: `line ${line + 1}, column ${character + 1}: ${text}` };
}

function run() {
  evaluate(path.join(HOME, 'trust.js')).start(transpile);
}

if (v8.startupSnapshot?.isBuildingSnapshot()) {
  transpile('const warm: number[] = [1].map((x: number): number => x);\n');
  v8.startupSnapshot.setDeserializeMainFunction(run);
} else {
  run();
}
