'use strict';
/**
 * Function-call tests for JavaScript: calls one function of a program and reports its return value.
 *
 *   node <run flags> call.js <file> <entry>    (entry: `name`, or `Class.method` on new Class())
 *
 * stdin: {"marker": "<random>", "args": [...], "maxBytes": 16777216}   (all but marker optional;
 * "kwargs" must be absent or empty, "coverage" is not supported and ignored)
 *
 * A CommonJS file is loaded by Node's own loader, as `node main.js` would, but as a module
 * required from here: its `require.main === module` block does not run. Its top-level
 * declarations (function, class, const, let, var) are looked up by name, then module.exports.
 * An ES module (.mjs) is imported and the entry looked up among its exports.
 *
 * Once the call returns (a thenable is awaited), "\n<marker>\n<json>\n" is written to stdout
 * after all the program printed: {"ok": true, "value": ...} or {"ok": false, "error": "..."},
 * and the process ends at once, with process.exitCode if the program set one (a failed
 * console.assert does), else 0.
 *
 * The value is read without running any of the program's code: null, booleans, strings,
 * finite numbers (-0 as 0), arrays of Array.prototype (a hole as null), objects of
 * Object.prototype or null prototype, by their own enumerable string-keyed data properties
 * (a member whose value is undefined is left out, as JSON.stringify does). undefined is null;
 * NaN and infinities are {"$float": "nan"|"inf"|"-inf"}; a BigInt beyond +-(2**53 - 1) is
 * {"$int": "<decimal>"}, within it a number. Anything else (a getter, a Proxy, a Map, a class
 * instance, a function) is ok: false, with where it is.
 *
 * An exception of the program's, on load or in the call (a rejection too), is not caught: Node
 * prints it and exits 1. process.exit() in the program ends it without a result line. A request
 * the service got wrong: a message on stderr, exit 2.
 */
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { pathToFileURL } = require('node:url');
const { randomBytes } = require('node:crypto');
const { types } = require('node:util');
const vm = require('node:vm');

// Bound now: the program runs in this process and could replace any of them before the report.
const { isProxy, isModuleNamespaceObject } = types;
const { apply, getPrototypeOf, getOwnPropertyDescriptor, ownKeys } = Reflect;
const { hasOwn } = Object;
const { isArray } = Array;
const stringify = JSON.stringify;
const writeSync = fs.writeSync;
const byteLength = Buffer.byteLength;
const bufferFrom = Buffer.from;
const reallyExit = process.reallyExit;
const OBJECT_PROTO = Object.prototype;
const ARRAY_PROTO = Array.prototype;

const MAX_DEPTH = 1000;
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const SAFE_INT = 2n ** 53n - 1n;
const ENTRY = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)?$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
// Valid by the pattern but not as an identifier in the look-up this file appends.
const RESERVED = new Set(
  ('await break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if implements import in instanceof interface let new null package private protected public return static ' +
    'super switch this throw true try typeof var void while with yield arguments eval').split(' '),
);

function badRequest(message) {
  process.stderr.write(`call.js: bad request: ${message}\n`);
  process.exit(2);
}

function readAll(fd) {
  const chunks = [];
  const chunk = Buffer.alloc(65536);
  for (;;) {
    let n;
    try {
      n = fs.readSync(fd, chunk, 0, chunk.length, null);
    } catch (err) {
      // A non-blocking stdin (the parent's choice) reads EAGAIN until data arrives.
      if (err.code === 'EAGAIN') {
        sleep(1);
        continue;
      }
      throw err;
    }
    if (n === 0) return Buffer.concat(chunks);
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readRequest() {
  if (process.argv.length !== 4) badRequest('usage: node call.js <file> <entry>, with the request on stdin');
  const [file, entry] = process.argv.slice(2);
  if (!ENTRY.test(entry) || entry.split('.').some((n) => RESERVED.has(n))) badRequest(`entry ${stringify(entry)} is not \`name\` or \`Class.method\``);
  let request;
  try {
    request = JSON.parse(readAll(0).toString('utf8'));
  } catch (err) {
    badRequest(`stdin is not JSON: ${err.message}`);
  }
  if (request === null || typeof request !== 'object' || isArray(request)) badRequest('stdin is not a JSON object');
  const { marker, args = [], kwargs = {}, maxBytes = DEFAULT_MAX_BYTES } = request;
  if (typeof marker !== 'string' || !/^[\x20-\x7e]+$/.test(marker)) badRequest('marker must be a non-empty line of printable ASCII');
  if (!isArray(args)) badRequest('args must be an array');
  if (kwargs === null || typeof kwargs !== 'object' || isArray(kwargs)) badRequest('kwargs must be an object');
  if (Object.keys(kwargs).length > 0) badRequest('JavaScript functions take no keyword arguments');
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) badRequest('maxBytes must be a positive integer');
  return { file, names: entry.split('.'), marker, args, maxBytes };
}

/** The request was the whole of stdin: the program reads an empty one, by fd as well. */
function emptyStdin() {
  fs.closeSync(0);
  // The lowest free descriptor: 0 again. process.stdin is created lazily, on this.
  const fd = fs.openSync('/dev/null', 'r');
  if (fd !== 0) throw new Error(`call.js: /dev/null opened as fd ${fd}, not 0`);
}

/**
 * Requires the file through Node's loader with a look-up of `name` appended to its source: the
 * module wrapper's scope is the only place its top-level declarations can be seen from.
 * Module.wrap is Node's hook for exactly this; it is put back on its first use, so the
 * program's own requires are wrapped as usual.
 */
function loadCommonJS(file, name) {
  // Compiled once as it is, for a SyntaxError that shows the program's line as `node main.js`
  // would, not the wrapper the loader compiles it in below.
  let source = fs.readFileSync(file, 'utf8');
  if (source.charCodeAt(0) === 0xfeff) source = source.slice(1);
  vm.compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
  const key = `__verdict_entry_${randomBytes(8).toString('hex')}`;
  const wrap = Module.wrap;
  Module.wrap = function wrapOnce(content) {
    Module.wrap = wrap;
    // Inside the wrapper a hashbang is no longer the first thing in the source.
    const body = content.replace(/^#!.*/, '');
    // After a newline: the source may end in a line comment. A top-level return skips it.
    return wrap(`${body}\n;module[${stringify(key)}] = typeof ${name} === 'undefined' ? undefined : ${name};\n`);
  };
  try {
    require(file);
  } finally {
    Module.wrap = wrap;
  }
  const mod = require.cache[file];
  if (mod && hasOwn(mod, key) && mod[key] !== undefined) return mod[key];
  const exported = mod?.exports;
  return exported !== null && (typeof exported === 'object' || typeof exported === 'function') ? exported[name] : undefined;
}

function lookupESM(namespace, name) {
  if (hasOwn(namespace, name)) return namespace[name];
  const fallback = namespace.default;
  if (fallback !== null && (typeof fallback === 'object' || typeof fallback === 'function')) {
    if (hasOwn(fallback, name)) return fallback[name];
    if (typeof fallback === 'function' && fallback.name === name) return fallback;
  }
  return undefined;
}

function what(value) {
  if (value === null || value === undefined) return String(value);
  if (typeof value !== 'object' && typeof value !== 'function') return article(typeof value);
  return describe(value);
}

/** Calls the entry; the result (maybe a thenable) or {problem}. The program's exceptions propagate. */
function callEntry(found, names, args, label) {
  const entry = names.join('.');
  if (found === undefined) return { problem: `${label} defines no top-level ${names[0]} (nor module.exports.${names[0]})` };
  let target = found;
  let self;
  if (names.length === 2) {
    if (typeof found !== 'function') return { problem: `${names[0]} in ${label} is ${what(found)}, not a class` };
    self = new found();
    target = self[names[1]];
  }
  if (typeof target !== 'function') return { problem: `${entry} in ${label} is ${what(target)}, not a function` };
  return { result: apply(target, self, args) };
}

function article(name) {
  return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`;
}

/** "a Map", "a Foo": the constructor's name, read through descriptors so no getter runs. */
function describe(value) {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (isProxy(value)) return 'a Proxy';
  let proto = getPrototypeOf(value);
  while (proto !== null && !isProxy(proto)) {
    const ctor = getOwnPropertyDescriptor(proto, 'constructor');
    if (ctor && hasOwn(ctor, 'value') && typeof ctor.value === 'function' && !isProxy(ctor.value)) {
      const name = getOwnPropertyDescriptor(ctor.value, 'name');
      if (name && hasOwn(name, 'value') && typeof name.value === 'string' && name.value) {
        return article(name.value) + (isArray(value) ? ' (a subclass of Array)' : '');
      }
      break;
    }
    proto = getPrototypeOf(proto);
  }
  return 'an object';
}

class NotJSON extends Error {}

function where(trail) {
  let out = '';
  for (const step of trail) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (IDENTIFIER.test(step)) out += `.${step}`;
    else out += `[${stringify(step)}]`;
  }
  return out;
}

function notJSON(trail, phrase) {
  if (trail.length === 0) return new NotJSON(`the return value is ${phrase}, which is not a JSON value`);
  return new NotJSON(`the return value contains ${phrase} at ${where(trail)}, which is not a JSON value`);
}

/** The value's JSON text; NotJSON when it holds anything else. No code of the program's runs. */
function encode(root, maxBytes) {
  const parts = [];
  const trail = [];
  let size = 0;

  function add(text, bytes = text.length) {
    size += bytes;
    if (size > maxBytes) throw new NotJSON(`the return value takes more than ${maxBytes} bytes as JSON`);
    parts.push(text);
  }

  function value(v, depth) {
    switch (typeof v) {
      case 'undefined':
        return add('null');
      case 'boolean':
        return add(v ? 'true' : 'false');
      case 'string': {
        const text = stringify(v);
        return add(text, byteLength(text, 'utf8'));
      }
      case 'number':
        if (v !== v) return add('{"$float": "nan"}');
        if (v === Infinity) return add('{"$float": "inf"}');
        if (v === -Infinity) return add('{"$float": "-inf"}');
        return add(v === 0 ? '0' : String(v));
      case 'bigint':
        return add(v >= -SAFE_INT && v <= SAFE_INT ? String(v) : `{"$int": "${String(v)}"}`);
      case 'object':
        return v === null ? add('null') : object(v, depth);
      default:
        throw notJSON(trail, describe(v));
    }
  }

  function member(descriptor, depth) {
    if (!hasOwn(descriptor, 'value')) {
      throw notJSON(trail, descriptor.get !== undefined ? 'a getter' : 'a setter without a getter');
    }
    value(descriptor.value, depth);
  }

  function object(v, depth) {
    // Before anything else: every operation on a Proxy, even reading its prototype, is a trap.
    if (isProxy(v)) throw notJSON(trail, 'a Proxy');
    if (depth > MAX_DEPTH) throw new NotJSON(`the return value is nested more than ${MAX_DEPTH} levels deep`);
    const proto = getPrototypeOf(v);
    if (isArray(v) && proto === ARRAY_PROTO) {
      const length = getOwnPropertyDescriptor(v, 'length').value;
      add('[');
      for (let i = 0; i < length; i++) {
        if (i > 0) add(',');
        const descriptor = getOwnPropertyDescriptor(v, String(i));
        trail.push(i);
        if (descriptor === undefined) add('null');
        else member(descriptor, depth + 1);
        trail.pop();
      }
      add(']');
    } else if ((proto === OBJECT_PROTO || proto === null) && !isArray(v) && !isModuleNamespaceObject(v)) {
      add('{');
      let first = true;
      const keys = ownKeys(v);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        if (typeof key !== 'string') continue;
        const descriptor = getOwnPropertyDescriptor(v, key);
        if (!descriptor.enumerable) continue;
        if (hasOwn(descriptor, 'value') && descriptor.value === undefined) continue;
        trail.push(key);
        const name = stringify(key);
        add(`${first ? '' : ','}${name}:`, byteLength(name, 'utf8') + (first ? 1 : 2));
        first = false;
        member(descriptor, depth + 1);
        trail.pop();
      }
      add('}');
    } else {
      throw notJSON(trail, describe(v));
    }
  }

  value(root, 1);
  return parts.join('');
}

/** Writes "\n<marker>\n<json>\n" to fd 1, after what the program printed, and ends the process. */
function report(marker, payload) {
  // blocking-stdio.js (preloaded) makes the program's writes to stdout synchronous: all of
  // them are out by now, and nothing the program queued can follow this.
  const data = bufferFrom(`\n${marker}\n${payload}\n`, 'utf8');
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += writeSync(1, data, offset, data.length - offset);
    } catch (err) {
      if (err.code !== 'EAGAIN') throw err;
      sleep(1);
    }
  }
  // Ends here, past 'exit' listeners: the program's cannot print after the result (or fake
  // one), and its timers, sockets or pending promises cannot keep the process alive.
  const code = process.exitCode;
  apply(reallyExit, process, [typeof code === 'number' ? code : 0]);
}

function failure(message) {
  return `{"ok": false, "error": ${stringify(message)}}`;
}

function finish(marker, maxBytes, value) {
  let payload;
  try {
    payload = `{"ok": true, "value": ${encode(value, maxBytes)}}`;
  } catch (err) {
    if (!(err instanceof NotJSON)) throw err;
    payload = failure(err.message);
  }
  report(marker, payload);
}

function proceed(request, found) {
  const { names, args, marker, maxBytes } = request;
  const called = callEntry(found, names, args, path.basename(request.file));
  if (called.problem !== undefined) return report(marker, failure(called.problem));
  const { result } = called;
  if (result !== null && (typeof result === 'object' || typeof result === 'function') && !isProxy(result) && typeof result.then === 'function') {
    // A rejection stays unhandled: Node prints it and exits 1, as for a synchronous throw.
    void (async () => finish(marker, maxBytes, await result))();
  } else {
    finish(marker, maxBytes, result);
  }
}

function main() {
  const request = readRequest();
  emptyStdin();
  const file = path.resolve(request.file);
  // What `node main.js` shows the program.
  process.argv = [process.argv[0], file];
  if (file.endsWith('.mjs')) {
    void import(pathToFileURL(file).href).then((namespace) => proceed(request, lookupESM(namespace, request.names[0])));
  } else {
    proceed(request, loadCommonJS(file, request.names[0]));
  }
}

main();
