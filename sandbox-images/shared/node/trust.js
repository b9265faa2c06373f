'use strict';
/**
 * The trusted side of a paired test for JavaScript: runs the test code against the program in
 * another process.
 *
 *   node trust.js        stdin: {"testCode": "..."}    fd 3: from serve.js, fd 4: to it
 *
 * (TypeScript's runner, typescript/trust-ts.js, loads this file and starts it with a transpiler.)
 *
 * The supervisor starts this process as a user of its own, beside the candidate's (serve.js), and
 * joins them by two pipes only: the candidate can neither signal, trace nor read this process,
 * and nothing it does to its own changes what this one reports. The test code runs here, as a
 * CommonJS module body of its own: a name it does not declare is first this process's own global
 * (console, JSON, Math, Object, Array, require…, which the program can neither replace nor
 * patch), then the program's top-level name of that name, asked for across the pipes. The
 * program's functions, classes and objects are handles called across the pipes; plain values
 * (undefined, null, booleans, numbers, BigInts, strings, arrays, plain objects, Maps, Sets) are
 * copied both ways, containers passed to a call are updated as the call left them, and an
 * exception of the program's is thrown here by its name and message. console.assert throws, as
 * in every Verdict JavaScript run.
 *
 * The last line of stdout is the report, JSON (judge/trusted-report.ts):
 *   {"outcome": "passed" | "failed" | "raised" | "ended" | "not_plain" | "cannot_cross" | "broken",
 *    "message": "...", "output": "what the test code printed", "stderr": "the test code's stack"}
 * failed: an AssertionError of the test code's ended it; raised: another exception did (the
 * program's included); ended: the program's process ended before it answered; not_plain: it
 * answered with a value that cannot cross; cannot_cross: the test code passed it one; broken: it
 * spoke out of turn. The test code may be asynchronous: it has passed once nothing of it is left
 * to run (Node's 'beforeExit') and nothing of it failed.
 */
const assert = require('node:assert');
const fs = require('node:fs');
const Module = require('node:module');
const vm = require('node:vm');
const { format } = require('node:util');

const TEST_FILE = '/verdict/test-code.js';
const MAX_FRAME_BYTES = 64 * 1024 * 1024;
const MAX_DEPTH = 1000;
const MAX_MESSAGE_CHARS = 2000;
const MAX_OUTPUT_CHARS = 64 * 1024;
const BUILTIN_ERRORS = { Error, TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError };
// The wrapper's own names: the test code's, never the program's.
const WRAPPER_NAMES = new Set(['exports', 'require', 'module', '__filename', '__dirname']);
const reallyExit = process.reallyExit;

/** Ends the test code whatever it catches: latched in `fatal`, and thrown again at every later call. */
class Fatal extends Error {
  constructor(outcome, message) {
    super(message);
    this.outcome = outcome;
  }
}
let fatal;

function stop(outcome, message) {
  if (fatal === undefined) fatal = new Fatal(outcome, message);
  throw fatal;
}

function clip(text) {
  return text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS)}…`;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readExact(n) {
  const chunks = [];
  while (n > 0) {
    const chunk = Buffer.alloc(Math.min(n, 1 << 20));
    let got;
    try {
      got = fs.readSync(3, chunk, 0, chunk.length, null);
    } catch (err) {
      if (err.code === 'EAGAIN') {
        sleep(1);
        continue;
      }
      return undefined;
    }
    if (got === 0) return undefined;
    chunks.push(chunk.subarray(0, got));
    n -= got;
  }
  return Buffer.concat(chunks);
}

function readAll(fd) {
  const chunks = [];
  const chunk = Buffer.alloc(65536);
  for (;;) {
    let n;
    try {
      n = fs.readSync(fd, chunk, 0, chunk.length, null);
    } catch (err) {
      // A non-blocking pipe (the parent's choice) reads EAGAIN until data arrives.
      if (err.code !== 'EAGAIN') throw err;
      sleep(1);
      continue;
    }
    if (n === 0) return Buffer.concat(chunks);
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
}

function writeAll(fd, data) {
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += fs.writeSync(fd, data, offset, data.length - offset);
    } catch (err) {
      if (err.code !== 'EAGAIN') throw err;
      sleep(1);
    }
  }
}

const channel = {
  current: 'loading',
  receive() {
    const head = readExact(4);
    if (head === undefined) stop('ended', `the program ended during ${this.current}`);
    const length = head.readUInt32BE(0);
    if (length > MAX_FRAME_BYTES) stop('not_plain', `the program's answer to ${this.current} takes more than ${MAX_FRAME_BYTES} bytes`);
    const body = readExact(length);
    if (body === undefined) stop('ended', `the program ended during ${this.current}`);
    let reply;
    try {
      reply = JSON.parse(body.toString('utf8'));
    } catch (error) {
      stop('broken', `the program's answer to ${this.current} is not readable: ${error.message}`);
    }
    if (reply === null || typeof reply !== 'object' || Array.isArray(reply)) stop('broken', `the program's answer to ${this.current} is not an object`);
    return reply;
  },
  ask(request, what) {
    if (fatal !== undefined) throw fatal;
    this.current = what;
    const data = Buffer.from(JSON.stringify(request), 'utf8');
    const frame = Buffer.alloc(4 + data.length);
    frame.writeUInt32BE(data.length, 0);
    data.copy(frame, 4);
    try {
      writeAll(4, frame);
    } catch {
      stop('ended', `the program ended before ${what}`);
    }
    return this.receive();
  },
};

// ---------- values: decoded strictly (only plain types are built here), encoded strictly ----------

const proxies = new Map();
const handleIds = new WeakMap();
/** Exceptions thrown here for the program: its own AssertionError is a crash, not a failed check. */
const fromProgram = new WeakSet();

function malformed() {
  stop('broken', `the program's answer to ${channel.current} is malformed`);
}

function decode(v, depth = 0) {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return v;
  if (typeof v !== 'object') malformed();
  if (depth > MAX_DEPTH) stop('not_plain', `the program's answer to ${channel.current} is nested more than ${MAX_DEPTH} levels deep`);
  if (Array.isArray(v)) return v.map((x) => decode(x, depth + 1));
  const keys = Object.keys(v);
  if (keys.length === 1) {
    const body = v[keys[0]];
    switch (keys[0]) {
      case 'u':
        return undefined;
      case 'x': {
        const special = { nan: NaN, inf: Infinity, '-inf': -Infinity, '-0': -0 };
        if (Object.hasOwn(special, body)) return special[body];
        break;
      }
      case 'b':
        if (typeof body === 'string' && /^-?\d+$/.test(body)) return BigInt(body);
        break;
      case 'o':
        if (Array.isArray(body)) {
          const out = {};
          for (const pair of body) {
            if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') malformed();
            Object.defineProperty(out, pair[0], { value: decode(pair[1], depth + 1), writable: true, enumerable: true, configurable: true });
          }
          return out;
        }
        break;
      case 'm':
        if (Array.isArray(body)) {
          const out = new Map();
          for (const pair of body) {
            if (!Array.isArray(pair) || pair.length !== 2) malformed();
            out.set(decode(pair[0], depth + 1), decode(pair[1], depth + 1));
          }
          return out;
        }
        break;
      case 's':
        if (Array.isArray(body)) return new Set(body.map((x) => decode(x, depth + 1)));
        break;
    }
  }
  if (keys.length === 3 && Number.isSafeInteger(v.h) && (v.k === 'function' || v.k === 'object') && typeof v.c === 'string') return handle(v.h, v.k, v.c);
  stop('broken', `the program's answer to ${channel.current} holds a value no program can send: ${clip(JSON.stringify(v))}`);
}

function describe(v) {
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  const name = Object.getPrototypeOf(v)?.constructor?.name ?? 'object';
  return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`;
}

function encode(v, what, depth = 0) {
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
  }
  if (v === null) return null;
  if (handleIds.has(v)) return { h: handleIds.get(v) };
  if (depth > MAX_DEPTH) stop('cannot_cross', `the test code passed ${what} a value nested more than ${MAX_DEPTH} levels deep`);
  const proto = typeof v === 'object' ? Object.getPrototypeOf(v) : undefined;
  if (Array.isArray(v) && proto === Array.prototype) return Array.from(v, (x) => encode(x, what, depth + 1));
  if (proto === Object.prototype || proto === null) {
    const out = [];
    for (const key of Reflect.ownKeys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, key);
      if (!d.enumerable) continue;
      if (typeof key !== 'string' || !Object.hasOwn(d, 'value')) stop('cannot_cross', `the test code passed ${what} an object with a symbol key or an accessor, which cannot cross`);
      out.push([key, encode(d.value, what, depth + 1)]);
    }
    return { o: out };
  }
  if (v instanceof Map && proto === Map.prototype) return { m: Array.from(v, ([k, x]) => [encode(k, what, depth + 1), encode(x, what, depth + 1)]) };
  if (v instanceof Set && proto === Set.prototype) return { s: Array.from(v, (x) => encode(x, what, depth + 1)) };
  stop('cannot_cross', `the test code passed ${what} ${describe(v)}, which cannot cross to the program (only plain values and the program's own objects do)`);
}

/** Arrays, plain objects, Maps and Sets the call was given, as it left them. */
function updateInPlace(args, back) {
  if (!Array.isArray(back)) malformed();
  for (const entry of back) {
    if (!Array.isArray(entry) || entry.length !== 2 || !Number.isSafeInteger(entry[0]) || entry[0] < 0 || entry[0] >= args.length) malformed();
    const target = args[entry[0]];
    const value = decode(entry[1]);
    if (Array.isArray(target) && Array.isArray(value)) {
      // Element by element: spreading a long array into push() overflows the stack (~120k elements).
      target.length = value.length;
      for (let i = 0; i < value.length; i++) target[i] = value[i];
    } else if (target instanceof Map && value instanceof Map) {
      target.clear();
      for (const [k, x] of value) target.set(k, x);
    } else if (target instanceof Set && value instanceof Set) {
      target.clear();
      for (const x of value) target.add(x);
    } else if (target !== null && typeof target === 'object' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const key of Object.keys(target)) delete target[key];
      Object.assign(target, value);
    }
  }
}

function programError(error) {
  if (error === null || typeof error !== 'object') malformed();
  let thrown;
  if (Object.hasOwn(error, 'value')) {
    thrown = decode(error.value);
  } else {
    if (typeof error.name !== 'string' || typeof error.message !== 'string') malformed();
    const Builtin = Object.hasOwn(BUILTIN_ERRORS, error.name) ? BUILTIN_ERRORS[error.name] : undefined;
    thrown = Builtin ? new Builtin(error.message) : Object.assign(new Error(error.message), { name: error.name });
  }
  if (thrown !== null && typeof thrown === 'object') fromProgram.add(thrown);
  return thrown;
}

function result(reply, args = []) {
  if (Object.hasOwn(reply, 'value')) {
    if (Object.hasOwn(reply, 'back')) updateInPlace(args, reply.back);
    const value = decode(reply.value);
    return reply.async === true ? Promise.resolve(value) : value;
  }
  if (Object.hasOwn(reply, 'raise')) {
    const error = programError(reply.raise);
    if (reply.async === true) return Promise.reject(error);
    throw error;
  }
  if (typeof reply.not_plain === 'string') stop('not_plain', `${channel.current} returned ${clip(reply.not_plain)}, which cannot cross to the test code`);
  malformed();
}

// ---------- handles: what the test code holds for the program's functions and objects ----------

function handle(id, kind, className) {
  if (proxies.has(id)) return proxies.get(id);
  const label = kind === 'function' ? 'function' : `${className || 'object'} object`;
  const call = (what, thisArg, args) => {
    const request = { op: 'call', target: { h: id }, args: args.map((a) => encode(a, what)) };
    if (handleIds.has(thisArg)) request.this = { h: handleIds.get(thisArg) };
    return result(channel.ask(request, `a call of ${what}`), args);
  };
  const traps = {
    get(_, prop) {
      if (typeof prop === 'symbol') {
        if (prop === Symbol.iterator) {
          return () => result(channel.ask({ op: 'iterate', target: { h: id } }, `the iterator of the program's ${label}`));
        }
        return undefined;
      }
      // Never a thenable: awaiting a handle is awaiting the handle, as for any object.
      if (prop === 'then') return undefined;
      return result(channel.ask({ op: 'get', target: { h: id }, name: prop }, `${label}.${prop}`));
    },
    set(_, prop) {
      stop('cannot_cross', `the test code sets ${String(prop)} on the program's ${label}, which stays in the program's process`);
    },
    has() {
      return false;
    },
    apply(_, thisArg, args) {
      return call(`the program's ${label}`, thisArg, args);
    },
    construct(_, args) {
      return result(channel.ask({ op: 'new', target: { h: id }, args: args.map((a) => encode(a, `new ${className || 'the program\'s class'}()`)) }, `new of the program's ${label}`), args);
    },
  };
  // A function target, so apply and construct reach their traps; nothing of it is ever read.
  const proxy = new Proxy(kind === 'function' ? function () {} : {}, traps);
  proxies.set(id, proxy);
  handleIds.set(proxy, id);
  return proxy;
}

/**
 * The scope the test code runs in (a `with` object): a free name of the test code's that is
 * neither a global of this process nor the wrapper's resolves to the program's top-level name of
 * that name, asked once; what the test code assigns to such a name stays here.
 */
function programScope() {
  const known = new Map();
  const assigned = new Map();
  const ownGlobal = (name) => WRAPPER_NAMES.has(name) || name in globalThis;
  const lookup = (name) => {
    if (!known.has(name)) {
      const reply = channel.ask({ op: 'name', name }, `the program's ${name}`);
      known.set(name, reply.absent === true ? { found: false } : { found: true, value: result(reply) });
    }
    return known.get(name);
  };
  return new Proxy(Object.create(null), {
    has(_, name) {
      if (typeof name !== 'string' || ownGlobal(name)) return false;
      return assigned.has(name) || lookup(name).found;
    },
    get(_, name) {
      if (typeof name !== 'string') return undefined;
      if (assigned.has(name)) return assigned.get(name);
      return lookup(name).value;
    },
    set(_, name, value) {
      assigned.set(name, value);
      return true;
    },
    defineProperty() {
      return false;
    },
    deleteProperty(_, name) {
      return assigned.delete(name);
    },
  });
}

// ---------- what the test code prints, and console.assert ----------

const output = { parts: [], size: 0 };

function capture(text) {
  text = String(text);
  if (output.size < MAX_OUTPUT_CHARS) {
    const part = text.slice(0, MAX_OUTPUT_CHARS - output.size);
    output.parts.push(part);
    output.size += part.length;
  }
  return true;
}

// What the test code's console prints, all of it captured (console.Console is no constructor in a
// process started from a snapshot, as TypeScript's runner is); the rest of console does nothing.
const PRINTING = ['log', 'info', 'debug', 'warn', 'error', 'trace', 'dir', 'dirxml', 'table'];

function installConsole() {
  const console = {};
  for (const name of Object.keys(globalThis.console)) if (typeof globalThis.console[name] === 'function') console[name] = () => {};
  for (const name of PRINTING) console[name] = (...data) => capture(`${format(...data)}\n`);
  console.assert = function assertion(value, ...data) {
    if (value) return;
    throw new assert.AssertionError({
      message: data.length > 0 ? `console.assert failed: ${format(...data)}` : 'console.assert failed',
      actual: value,
      expected: true,
      operator: 'console.assert',
      stackStartFn: assertion,
    });
  };
  Object.defineProperty(globalThis, 'console', { value: console, writable: true, configurable: true });
  process.stdout.write = capture;
  process.stderr.write = capture;
}

// ---------- the run ----------

/** The test code's line an error came through last: " at line 5 of the test code: console.assert(f(2) === 4)". */
function whereInTest(error, lines) {
  let stack;
  try {
    stack = String(error.stack);
  } catch {
    return '';
  }
  const at = `${TEST_FILE}:`;
  let line;
  let from = stack.indexOf(at);
  // The innermost frame in the test code: the first in the stack.
  if (from >= 0) {
    from += at.length;
    let end = from;
    while (end < stack.length && end - from < 10 && stack.charCodeAt(end) >= 0x30 && stack.charCodeAt(end) <= 0x39) end++;
    line = Number(stack.slice(from, end));
  }
  if (!line || line > lines.length) return '';
  return ` at line ${line} of the test code: ${clip(lines[line - 1].trim())}`;
}

function failureOf(error, lines) {
  if (error instanceof Fatal) return { outcome: error.outcome, message: clip(error.message) };
  let name = 'Error';
  let message = '';
  try {
    name = error !== null && typeof error === 'object' ? String(error.name) : typeof error;
    message = error !== null && typeof error === 'object' ? String(error.message) : String(error);
  } catch {}
  const assertion = name === 'AssertionError' || name.startsWith('AssertionError [');
  const failed = assertion && !fromProgram.has(error);
  let stack = '';
  try {
    stack = error !== null && typeof error === 'object' ? String(error.stack) : `Uncaught ${String(error)}`;
  } catch {}
  // Up to the test code's outermost frame: this runner's own frames say nothing of the test.
  const last = stack.lastIndexOf(`${TEST_FILE}:`);
  if (last >= 0) {
    const end = stack.indexOf('\n', last);
    if (end >= 0) stack = stack.slice(0, end);
  }
  const cut = stack.length <= MAX_OUTPUT_CHARS ? stack : `${stack.slice(0, MAX_OUTPUT_CHARS / 2)}\n…\n${stack.slice(-MAX_OUTPUT_CHARS / 2)}`;
  return {
    outcome: failed ? 'failed' : 'raised',
    message: clip(`${name}${message ? `: ${message}` : ''}${whereInTest(error, lines)}`),
    stderr: cut,
  };
}

let reported = false;

function finish(report) {
  if (reported) return;
  reported = true;
  if (fatal !== undefined) report = { outcome: fatal.outcome, message: clip(fatal.message) };
  else if (report.outcome === 'passed') {
    try {
      channel.ask({ op: 'end' }, 'the end of the tests');
    } catch (error) {
      report = failureOf(error, []);
    }
  }
  report.output = output.parts.join('');
  writeAll(1, Buffer.from(`\n${JSON.stringify(report)}\n`, 'utf8'));
  // Past 'exit' listeners and whatever the test code left scheduled: the report is the last line.
  reallyExit.call(process, 0);
}

/**
 * `compile` turns the test code into JavaScript (TypeScript's runner transpiles it; see
 * typescript/trust-ts.js), or returns {error} for test code that does not compile.
 */
function main(compile) {
  const request = JSON.parse(readAll(0).toString('utf8'));
  const compiled = compile(request.testCode);
  if (compiled.error !== undefined) return finish({ outcome: 'raised', message: clip(`the test code does not compile: ${compiled.error}`) });
  const testCode = compiled.code;
  const lines = testCode.split('\n');
  installConsole();
  const fail = (error) => finish(failureOf(error, lines));
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  process.once('beforeExit', () => finish({ outcome: 'passed' }));
  const hello = channel.receive();
  if (hello.ready !== true) malformed();
  channel.current = 'the test code';
  // Sloppy, as a CommonJS file is, so that `with` can hold the program's names; on the wrapper's
  // first line, so the test code's line numbers are its own.
  const source = `(function (exports, require, module, __filename, __dirname, __verdictScope) { with (__verdictScope) { ${testCode}\n} })`;
  let run;
  try {
    run = vm.runInThisContext(source, { filename: TEST_FILE });
  } catch (error) {
    return finish({ outcome: 'raised', message: clip(`the test code does not compile: ${error.message}`) });
  }
  const module = new Module(TEST_FILE, null);
  module.filename = TEST_FILE;
  module.paths = Module._nodeModulePaths('/');
  const require = Module.createRequire(TEST_FILE);
  module.require = require;
  try {
    run.call(module.exports, module.exports, require, module, TEST_FILE, '/verdict', programScope());
  } catch (error) {
    return fail(error);
  }
  if (fatal !== undefined) return fail(fatal);
}

function start(compile) {
  try {
    main(compile);
  } catch (error) {
    finish(failureOf(error, []));
  }
}

if (require.main === module) start((code) => ({ code }));
else module.exports = { start };
