/**
 * Request bodies for fuzzing, from the JSON Schemas in openapi/openapi.json: a plausible valid
 * body per schema, then one mutation of it (a wrong type, an unknown or missing key, deep
 * nesting, an extreme number, a prototype-ish name, an odd string). Seeded, so a failure
 * reproduces from its case number.
 */

export interface JsonSchema {
  type?: 'object' | 'string' | 'array' | 'number' | 'integer' | 'boolean';
  nullable?: boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  pattern?: string;
}

/** xorshift32: small, deterministic, good enough to pick cases. */
export class Rng {
  private x: number;
  constructor(seed: number) {
    this.x = seed >>> 0 || 1;
  }
  next(): number {
    this.x ^= this.x << 13;
    this.x ^= this.x >>> 17;
    this.x ^= this.x << 5;
    return (this.x >>> 0) / 2 ** 32;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Names every object has by inheritance, and the one JSON.parse treats specially. */
export const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__', 'isPrototypeOf'] as const;

/** Strings that are valid where they go, by property name; anything else gets a short word. */
const SAMPLES: Record<string, readonly string[]> = {
  language: ['python', 'javascript', 'cpp', 'py', 'nodejs', 'c++'],
  source: ['print(1)\n', 'def f(x):\n    return x\n'],
  code: ['print(1)\n'],
  completion: ['```python\nprint(1)\n```', 'no code here'],
  reference: ['print(1)\n'],
  testCode: ['assert True\n'],
  path: ['main.py', 'lib/util.py'],
  name: ['main.py', 'b.py'],
  entryPoint: ['f', 'Solution.f'],
  version: ['*', '3'],
  content: ['print(1)\n'],
  stdin: ['', '1 2\n'],
  expectedStdout: ['1\n'],
  text: ['    return 2'],
};

const get = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined => (Object.hasOwn(record, key) ? record[key] : undefined);

/** A value the schema accepts as far as its structure goes (cross-field rules may still refuse it). */
export function validValue(schema: JsonSchema, r: Rng, name = '', depth = 0): unknown {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return validValue(r.pick(alternatives), r, name, depth);
  if (schema.enum) return r.pick(schema.enum);
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      for (const [key, sub] of Object.entries(properties)) {
        if (required.has(key) || (depth < 4 && r.chance(0.4))) out[key] = validValue(sub, r, key, depth + 1);
      }
      if (typeof schema.additionalProperties === 'object' && r.chance(0.7)) {
        for (let i = r.int(3); i > 0; i--) out[r.pick(['main.py', 'k', 'data/in.txt'])] = validValue(schema.additionalProperties, r, '', depth + 1);
      }
      return out;
    }
    case 'array': {
      const min = schema.minItems ?? 0;
      const count = Math.min(schema.maxItems ?? 3, min + r.int(3));
      const items = Array.from({ length: count }, () => validValue(schema.items ?? {}, r, name === 'items' || name === 'variants' ? 'element' : '', depth + 1));
      // Ids must differ where lists carry them.
      items.forEach((item, i) => {
        if (item !== null && typeof item === 'object' && 'id' in item) (item as { id: unknown }).id = `id${i}`;
      });
      return items;
    }
    case 'string': {
      const samples = get(SAMPLES, name);
      if (samples) return r.pick(samples);
      return 'x'.repeat(Math.max(schema.minLength ?? 0, 1));
    }
    case 'integer':
    case 'number': {
      const low = schema.minimum ?? (typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : 1);
      const high = Math.min(schema.maximum ?? low + 1000, low + 1000);
      return low + r.int(Math.max(1, high - low));
    }
    case 'boolean':
      return r.chance(0.5);
    default:
      // Free-form JSON (call arguments, expected values).
      return r.pick([1, 'a', [1, 2], { a: [true, null] }, null]);
  }
}

/** A place in a value: the schema that governs it and how to replace or delete it. */
interface Slot {
  schema: JsonSchema;
  path: string;
  value: unknown;
  set(v: unknown): void;
  remove?: () => void;
  /** A property its object must have. */
  required?: boolean;
}

function slots(value: unknown, schema: JsonSchema, path: string, set: (v: unknown) => void, out: Slot[], remove?: () => void, required = false): void {
  out.push({ schema, path, value, set, required, ...(remove ? { remove } : {}) });
  const alternatives = schema.anyOf ?? schema.oneOf;
  // Under an alternative, descend by the first one the value's type fits.
  const governing = alternatives?.find((s) => (s.type === 'object' ? typeof value === 'object' && !Array.isArray(value) : s.type === 'string' ? typeof value === 'string' : true)) ?? schema;
  if (Array.isArray(value)) {
    value.forEach((v, i) => slots(v, governing.items ?? {}, `${path}.${i}`, (x) => (value[i] = x), out, () => value.splice(i, 1)));
  } else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      const sub = get(governing.properties ?? {}, key) ?? (typeof governing.additionalProperties === 'object' ? governing.additionalProperties : {});
      const needed = !(governing.anyOf ?? governing.oneOf) && (governing.required ?? []).includes(key);
      slots(o[key], sub, `${path}.${key}`, (x) => (o[key] = x), out, () => delete o[key], needed);
    }
  }
}

/** Text spliced in after JSON.stringify: what it cannot write (nesting past its stack) or would rewrite. */
const RAW = '\u0000raw:';

export interface Mutant {
  what: string;
  body: string;
  /** Whether the schema alone says no: then nothing but a 4xx will do. */
  invalid: boolean;
}

/** Past MAX_JSON_DEPTH (128) even where the slot is a list of free-form values. */
const NESTING = [130, 1_000, 6_000, 100_000];

function wrongTypeFor(schema: JsonSchema, r: Rng): unknown | undefined {
  if (schema.anyOf || schema.oneOf || schema.type === undefined) return undefined;
  const byType: Record<string, unknown[]> = {
    string: [5, true, [], {}],
    number: ['5', true, [], {}],
    integer: ['5', true, [], {}, 1.5],
    boolean: ['true', 1, [], {}],
    array: [{}, 'x', 1],
    object: [[], 'x', 1],
  };
  const choices = [...(get(byType, schema.type) ?? []), ...(schema.nullable ? [] : [null])];
  return r.pick(choices);
}

export function mutate(schema: JsonSchema, r: Rng): Mutant {
  const root = { value: validValue(schema, r) };
  const all: Slot[] = [];
  slots(root.value, schema, '', (v) => (root.value = v), all);
  const slot = r.pick(all);
  const raws: string[] = [];
  const raw = (text: string) => `${RAW}${raws.push(text) - 1}`;
  let what: string;
  let invalid = false;
  const kind = r.int(10);
  switch (kind) {
    case 0: {
      const wrong = wrongTypeFor(slot.schema, r);
      if (wrong === undefined) {
        slot.set(r.pick([null, 0, '', [], {}]));
        what = 'free-form value replaced';
      } else {
        slot.set(wrong);
        what = `wrong type ${JSON.stringify(wrong)}`;
        invalid = true;
      }
      break;
    }
    case 1: {
      const target = all.filter((s) => s.value !== null && typeof s.value === 'object' && !Array.isArray(s.value));
      const s = target.length > 0 ? r.pick(target) : slot;
      if (s.value !== null && typeof s.value === 'object' && !Array.isArray(s.value)) {
        const key = r.pick([...PROTOTYPE_NAMES, 'colour', '']);
        // An own property even for "__proto__", as JSON text would make it.
        Object.defineProperty(s.value, key, { value: r.pick([1, 'x', {}, { prototype: {} }, null]), enumerable: true, configurable: true, writable: true });
        what = `key ${JSON.stringify(key)} added at ${s.path || '(root)'}`;
        invalid = s.schema.additionalProperties === false && !(s.schema.anyOf ?? s.schema.oneOf);
      } else {
        what = 'no object to add a key to';
      }
      break;
    }
    case 2: {
      const removable = all.filter((s) => s.remove !== undefined);
      const s = removable.length > 0 ? r.pick(removable) : undefined;
      if (s) {
        s.remove!();
        what = `removed ${s.path}`;
        invalid = s.required === true;
      } else what = 'nothing to remove';
      break;
    }
    case 3:
    case 4: {
      const depth = r.pick(NESTING);
      const array = r.chance(0.5);
      slot.set(raw(array ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`));
      what = `${array ? 'arrays' : 'objects'} ${depth} deep at ${slot.path || '(root)'}`;
      // Deeper than anything the schema describes, and past the JSON value bound.
      invalid = true;
      break;
    }
    case 5: {
      const n = r.pick(['1e308', '-1e308', '9007199254740993', '-0', '1.5', '1e-320', '123456789012345678901234567890']);
      slot.set(raw(n));
      what = `number ${n} at ${slot.path || '(root)'}`;
      break;
    }
    case 6:
    case 7: {
      // Every string slot at once, or one: where the request names something, it names nothing.
      const name = r.pick(PROTOTYPE_NAMES);
      const strings = all.filter((s) => typeof s.value === 'string');
      const chosen = r.chance(0.5) ? strings : strings.length > 0 ? [r.pick(strings)] : [];
      for (const s of chosen) s.set(name);
      what = `${JSON.stringify(name)} in ${chosen.length} string slot(s)`;
      break;
    }
    case 8: {
      const s = r.pick(['\ud800', '\u0000', '\u202e', 'é'.repeat(1000), 'x'.repeat(100_000), '../../etc/passwd', '%00', '\r\n\r\n', ' ']);
      slot.set(s);
      what = `odd string (${s.length} chars) at ${slot.path || '(root)'}`;
      break;
    }
    case 9: {
      // A list made long, or a one-element list emptied.
      if (Array.isArray(slot.value)) {
        const list = slot.value;
        const grow = r.chance(0.5) && list.length > 0;
        if (grow) while (list.length < 2_000) list.push(structuredClone(list[0]));
        else list.length = 0;
        what = `${grow ? 'grown to 2000' : 'emptied'} ${slot.path || '(root)'}`;
      } else {
        slot.set([slot.value, slot.value]);
        what = `wrapped in a list at ${slot.path || '(root)'}`;
        invalid = slot.schema.type !== undefined && slot.schema.type !== 'array' && !(slot.schema.anyOf ?? slot.schema.oneOf);
      }
      break;
    }
    default:
      throw new Error(`no mutation ${kind}`);
  }
  let body = JSON.stringify(root.value);
  // Spliced back at the end: a string placeholder becomes its raw text.
  body = body.replace(new RegExp(`"${RAW.replace('\u0000', '\\\\u0000')}(\\d+)"`, 'g'), (_m, i: string) => raws[Number(i)]!);
  return { what, body, invalid };
}
