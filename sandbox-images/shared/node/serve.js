'use strict';
/**
 * The candidate's side of a paired test for JavaScript: loads the program and answers the test
 * process's calls.
 *
 *   node <run flags> serve.js <file> [args...]    fd 3: requests from the test process, fd 4: replies
 *
 * The program is loaded as for function-call tests (call.js): a CommonJS file by Node's own
 * loader, as a module required from here (its `require.main === module` block does not run), an
 * ES module (.mjs) by import. The test code runs in trust.js, in a process of its own, as another
 * user: nothing this process does, prints or exits with decides whether the tests passed. What
 * the program does to this process (to anything below included) only changes its own answers.
 *
 * Frames, both ways: a 4-byte big-endian length, then that many bytes of JSON.
 *   hello   -> {"ready": true}   once the program's module code ran
 *   request <- {"op": "name", "name": n}   a top-level name of the program's (its declarations,
 *                                           then module.exports; an ES module's exports)
 *              {"op": "get", "target": ref, "name": p}   {"op": "iterate", "target": ref}
 *              {"op": "call", "target": ref, "this": ref?, "args": [...]}   {"op": "new", "target": ref, "args": [...]}
 *              {"op": "end"}
 *   reply   -> {"value": v, "back": [[i, v], ...], "async": true?} | {"absent": true}
 *              | {"raise": {"name", "message"} | {"value": v}, "async": true?} | {"not_plain": message}
 * A ref is {"h": id}, an object this process keeps. Values are JSON with tags for what JSON
 * lacks: {"u": 1} undefined, {"x": "nan" | "inf" | "-inf" | "-0"}, {"b": "<decimal>"} a BigInt,
 * {"o": [[k, v], ...]} a plain object, {"m": [[k, v], ...]} a Map, {"s": [...]} a Set, and
 * {"h": id, "k": "function" | "object", "c": name} anything else of the program's (a function,
 * an instance of its classes, an iterator), kept here and used through its handle. A value is
 * read without running the program's code: an array or plain object with a getter, a Proxy or
 * another prototype is a handle, never a copy. After a call, the arrays, plain objects, Maps
 * and Sets among its arguments come back ("back") as the call left them; a thenable the call
 * returned is awaited first ("async").
 */
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { pathToFileURL } = require('node:url');
const { randomBytes } = require('node:crypto');
const { types } = require('node:util');

// Bound now: the program runs in this process and may replace any of them.
const { isProxy, isModuleNamespaceObject, isMap, isSet } = types;
const { apply, construct, getPrototypeOf, getOwnPropertyDescriptor, ownKeys } = Reflect;
const { hasOwn } = Object;
const { isArray } = Array;
const stringify = JSON.stringify;
const parse = JSON.parse;
const readSync = fs.readSync;
const writeSync = fs.writeSync;
const bufferAlloc = Buffer.alloc;
const bufferFrom = Buffer.from;
const bufferConcat = Buffer.concat;
const reallyExit = process.reallyExit;
const stderrWrite = fs.writeSync.bind(null, 2);
const OBJECT_PROTO = Object.prototype;
const ARRAY_PROTO = Array.prototype;
const MAP_PROTO = Map.prototype;
const SET_PROTO = Set.prototype;
const mapEntries = Map.prototype.entries;
const setValues = Set.prototype.values;
const mapSet = Map.prototype.set;
const setAdd = Set.prototype.add;
const iteratorNext = (iterator) => iterator.next();
const ITERATOR = Symbol.iterator;

const MAX_DEPTH = 1000;
// What one reply may take: a value beyond it is no answer the test process reads.
const MAX_FRAME_BYTES = 64 * 1024 * 1024;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
// Valid by the pattern but not names a program can declare (the look-up appended below evaluates the name).
const RESERVED = new Set(
  ('await break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if implements import in instanceof interface let new null package private protected public return static ' +
    'super switch this throw true try typeof var void while with yield arguments eval').split(' '),
);

class NotPlain extends Error {}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readExact(n) {
  const chunks = [];
  while (n > 0) {
    const chunk = bufferAlloc(Math.min(n, 1 << 20));
    let got;
    try {
      got = readSync(3, chunk, 0, chunk.length, null);
    } catch (err) {
      if (err.code === 'EAGAIN') {
        sleep(1);
        continue;
      }
      throw err;
    }
    // The test process is gone: nothing is left to answer.
    if (got === 0) apply(reallyExit, process, [0]);
    chunks.push(chunk.subarray(0, got));
    n -= got;
  }
  return bufferConcat(chunks);
}

function receive() {
  const length = readExact(4).readUInt32BE(0);
  return parse(readExact(length).toString('utf8'));
}

function send(message) {
  let data = bufferFrom(stringify(message), 'utf8');
  if (data.length > MAX_FRAME_BYTES) data = bufferFrom(stringify({ not_plain: `the answer takes more than ${MAX_FRAME_BYTES} bytes` }), 'utf8');
  const frame = bufferAlloc(4 + data.length);
  frame.writeUInt32BE(data.length, 0);
  data.copy(frame, 4);
  let offset = 0;
  while (offset < frame.length) {
    try {
      offset += writeSync(4, frame, offset, frame.length - offset);
    } catch (err) {
      if (err.code !== 'EAGAIN') throw err;
      sleep(1);
    }
  }
}

/** What the test process holds handles to. */
const objects = new Map();
const ids = new Map();
let nextId = 1;

function keep(value) {
  let id = ids.get(value);
  if (id === undefined) {
    id = nextId++;
    ids.set(value, id);
    objects.set(id, value);
  }
  return id;
}

/** The constructor's name, read through descriptors so no getter runs; '' when there is none. */
function className(value) {
  if (isProxy(value)) return 'Proxy';
  let proto = getPrototypeOf(value);
  while (proto !== null && !isProxy(proto)) {
    const ctor = getOwnPropertyDescriptor(proto, 'constructor');
    if (ctor && hasOwn(ctor, 'value') && typeof ctor.value === 'function' && !isProxy(ctor.value)) {
      const name = getOwnPropertyDescriptor(ctor.value, 'name');
      return name && hasOwn(name, 'value') && typeof name.value === 'string' ? name.value : '';
    }
    proto = getPrototypeOf(proto);
  }
  return '';
}

function handle(v) {
  const kind = typeof v === 'function' ? 'function' : 'object';
  return { h: keep(v), k: kind, c: kind === 'function' ? '' : className(v) };
}

/** Own enumerable string-keyed data properties, or undefined when the object has anything else. */
function plainEntries(v) {
  const keys = ownKeys(v);
  const out = [];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const d = getOwnPropertyDescriptor(v, key);
    if (typeof key !== 'string') {
      if (d.enumerable) return undefined;
      continue;
    }
    if (!hasOwn(d, 'value')) return undefined;
    if (!d.enumerable) return undefined;
    out.push([key, d.value]);
  }
  return out;
}

function encode(v, depth = 0) {
  switch (typeof v) {
    case 'undefined':
      return { u: 1 };
    case 'boolean':
    case 'string':
      return v;
    case 'number':
      if (v !== v) return { x: 'nan' };
      if (v === Infinity) return { x: 'inf' };
      if (v === -Infinity) return { x: '-inf' };
      if (v === 0 && 1 / v < 0) return { x: '-0' };
      return v;
    case 'bigint':
      return { b: String(v) };
    case 'symbol':
      throw new NotPlain('a symbol');
    case 'function':
      return handle(v);
  }
  if (v === null) return null;
  // Before anything else: every operation on a Proxy, even reading its prototype, is a trap.
  if (isProxy(v)) return handle(v);
  if (depth > MAX_DEPTH) throw new NotPlain(`a value nested more than ${MAX_DEPTH} levels deep`);
  const proto = getPrototypeOf(v);
  if (isArray(v) && proto === ARRAY_PROTO) {
    const length = getOwnPropertyDescriptor(v, 'length').value;
    const out = [];
    for (let i = 0; i < length; i++) {
      const d = getOwnPropertyDescriptor(v, String(i));
      if (d !== undefined && !hasOwn(d, 'value')) return handle(v);
      out.push(d === undefined ? { u: 1 } : encode(d.value, depth + 1));
    }
    return out;
  }
  if ((proto === OBJECT_PROTO || proto === null) && !isArray(v) && !isModuleNamespaceObject(v)) {
    const entries = plainEntries(v);
    if (entries === undefined) return handle(v);
    return { o: entries.map(([k, x]) => [k, encode(x, depth + 1)]) };
  }
  if (isMap(v) && proto === MAP_PROTO) {
    const out = [];
    const it = apply(mapEntries, v, []);
    for (let step = iteratorNext(it); !step.done; step = iteratorNext(it)) out.push([encode(step.value[0], depth + 1), encode(step.value[1], depth + 1)]);
    return { m: out };
  }
  if (isSet(v) && proto === SET_PROTO) {
    const out = [];
    const it = apply(setValues, v, []);
    for (let step = iteratorNext(it); !step.done; step = iteratorNext(it)) out.push(encode(step.value, depth + 1));
    return { s: out };
  }
  return handle(v);
}

function decode(v) {
  if (v === null || typeof v !== 'object') return v;
  if (isArray(v)) return v.map(decode);
  if (hasOwn(v, 'u')) return undefined;
  if (hasOwn(v, 'x')) return { nan: NaN, inf: Infinity, '-inf': -Infinity, '-0': -0 }[v.x];
  if (hasOwn(v, 'b')) return BigInt(v.b);
  if (hasOwn(v, 'o')) {
    const out = {};
    for (const [k, x] of v.o) Object.defineProperty(out, k, { value: decode(x), writable: true, enumerable: true, configurable: true });
    return out;
  }
  if (hasOwn(v, 'm')) {
    const out = new Map();
    for (const [k, x] of v.m) apply(mapSet, out, [decode(k), decode(x)]);
    return out;
  }
  if (hasOwn(v, 's')) {
    const out = new Set();
    for (const x of v.s) apply(setAdd, out, [decode(x)]);
    return out;
  }
  if (hasOwn(v, 'h')) {
    if (!objects.has(v.h)) throw new Error(`serve.js: no object ${v.h}`);
    return objects.get(v.h);
  }
  throw new Error(`serve.js: unknown value tag ${stringify(Object.keys(v))}`);
}

/** What may come back after a call: the containers the test code passed, as the call left them. */
function isContainer(v) {
  if (v === null || typeof v !== 'object' || isProxy(v)) return false;
  const proto = getPrototypeOf(v);
  return proto === ARRAY_PROTO || proto === OBJECT_PROTO || proto === null || proto === MAP_PROTO || proto === SET_PROTO;
}

/**
 * Requires the file through Node's loader with a look-up appended to its source: the module
 * wrapper's scope is the only place its top-level declarations can be seen from, and a direct
 * eval of a name inside it reads them. Module.wrap is Node's hook for exactly this; it is put
 * back on its first use, so the program's own requires are wrapped as usual.
 */
function loadCommonJS(file) {
  const key = `__verdict_names_${randomBytes(8).toString('hex')}`;
  const wrap = Module.wrap;
  Module.wrap = function wrapOnce(content) {
    Module.wrap = wrap;
    // Inside the wrapper a hashbang is no longer the first thing in the source.
    const body = content.replace(/^#!.*/, '');
    // After a newline: the source may end in a line comment. A top-level return skips it (and leaves only module.exports).
    return wrap(`${body}\n;module[${stringify(key)}] = function (name) { return eval(name); };\n`);
  };
  try {
    require(file);
  } finally {
    Module.wrap = wrap;
  }
  const mod = require.cache[file];
  const lookup = mod && hasOwn(mod, key) ? mod[key] : undefined;
  return (name) => {
    if (lookup !== undefined) {
      let value;
      let found = false;
      try {
        value = lookup(name);
        found = true;
      } catch {
        // Not declared (a ReferenceError), or in its temporal dead zone: not the program's now.
      }
      // A global the program did not declare (console, Math) is not the program's.
      if (found && !(hasOwn(globalThis, name) && globalThis[name] === value)) return { found, value };
    }
    const exported = mod?.exports;
    if (exported !== null && (typeof exported === 'object' || typeof exported === 'function') && hasOwn(exported, name)) return { found: true, value: exported[name] };
    return { found: false };
  };
}

function esmLookup(namespace) {
  return (name) => {
    if (hasOwn(namespace, name)) return { found: true, value: namespace[name] };
    const fallback = namespace.default;
    if (fallback !== null && (typeof fallback === 'object' || typeof fallback === 'function') && hasOwn(fallback, name)) return { found: true, value: fallback[name] };
    return { found: false };
  };
}

function resolve(ref) {
  if (ref === null || typeof ref !== 'object' || !objects.has(ref.h)) throw new Error(`serve.js: no object ${stringify(ref)}`);
  return objects.get(ref.h);
}

function isThenable(v) {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function') || isProxy(v)) return false;
  try {
    return typeof v.then === 'function';
  } catch {
    return false;
  }
}

async function answer(request, lookup) {
  const op = request.op;
  if (op === 'name') {
    const name = request.name;
    if (typeof name !== 'string' || !IDENTIFIER.test(name) || RESERVED.has(name)) return { absent: true };
    const found = lookup(name);
    return found.found ? { value: encode(found.value) } : { absent: true };
  }
  const target = resolve(request.target);
  if (op === 'get') return { value: encode(target[request.name]) };
  if (op === 'iterate') return { value: encode(target[ITERATOR]()) };
  if (op === 'call' || op === 'new') {
    const args = request.args.map(decode);
    let value = op === 'new' ? construct(target, args) : apply(target, request.this ? resolve(request.this) : undefined, args);
    let async = false;
    if (isThenable(value)) {
      // A rejection is the test code's to catch as one (assert.rejects, await in try).
      try {
        value = await value;
      } catch (error) {
        return { ...raised(error), async: true };
      }
      async = true;
    }
    const back = [];
    for (let i = 0; i < args.length; i++) if (isContainer(args[i])) back.push([i, encode(args[i])]);
    return async ? { value: encode(value), back, async } : { value: encode(value), back };
  }
  throw new Error(`serve.js: unknown op ${stringify(op)}`);
}

/** The program's exception, crossing by name and message; its stack stays here, on the program's stderr, where a failure is located. */
function raised(error) {
  let stack;
  try {
    stack = error !== null && typeof error === 'object' && typeof error.stack === 'string' ? error.stack : `Uncaught ${String(error)}`;
  } catch {
    stack = 'Uncaught exception (its stack could not be read)';
  }
  try {
    stderrWrite(`${stack}\n`);
  } catch {}
  if (error === null || typeof error !== 'object' || isProxy(error)) {
    try {
      return { raise: { value: encode(error) } };
    } catch {
      return { raise: { name: 'Error', message: 'a value that cannot cross' } };
    }
  }
  let name = 'Error';
  let message = '';
  try {
    name = String(error.name);
    message = String(error.message);
  } catch {
    message = '<its name or message could not be read>';
  }
  return { raise: { name, message } };
}

async function serve(lookup) {
  send({ ready: true });
  for (;;) {
    const request = receive();
    if (request.op === 'end') {
      send({ value: null });
      // No 'exit' listeners, no timers: the program has nothing to add past its tests.
      apply(reallyExit, process, [0]);
    }
    let reply;
    try {
      reply = await answer(request, lookup);
    } catch (error) {
      reply = error instanceof NotPlain ? { not_plain: error.message } : raised(error);
    }
    send(reply);
  }
}

function main() {
  if (process.argv.length < 3) {
    process.stderr.write('serve.js: usage: node serve.js <file> [args...]\n');
    process.exit(2);
  }
  const file = path.resolve(process.argv[2]);
  // What `node main.js` shows the program.
  process.argv = [process.argv[0], file, ...process.argv.slice(3)];
  // An exception of the program's as it loads is not caught: Node prints it and exits 1, as
  // `node main.js` would, and the test process reads the end of the channel.
  if (file.endsWith('.mjs')) {
    void import(pathToFileURL(file).href).then((namespace) => serve(esmLookup(namespace)));
  } else {
    void serve(loadCommonJS(file));
  }
}

main();
