// The request schemas' validator: valibot's semantics as far as the schemas use them (first fault only, unions
// preferring an alternative whose type matched, variants naming the discriminator), so error messages stay OpenAI's.

export type Key = string | number;

export interface Issue {
  kind: 'schema' | 'validation';
  type: string;
  input: unknown;
  /** What would have passed: types (`string`, `Array`, `Object`) or values (`"auto"`), or `never` for a key refused. */
  expected?: string[];
  message: string;
  requirement?: unknown;
  /** Where the fault is, from the schema that reported it (a union's alternatives: from the union). */
  path?: Key[];
  /** A union's alternatives' faults. */
  issues?: Issue[];
}

/** A run's outcome: `typed` when the value's type matched, even if a later check failed (unions prefer those). */
interface Result {
  typed: boolean;
  value: unknown;
  issue?: Issue;
}

export interface Schema<T = unknown> {
  type: string;
  expects: string[];
  run(value: unknown): Result;
  entries?: Entries;
  /** Phantom: the output type. */
  readonly t?: T;
}
/** A key that may be left out of an object. */
type Opt<T> = Schema<T> & { o: 1 };
export type Entries = Record<string, Schema>;
export type Infer<S> = S extends Schema<infer T> ? T : never;

type Flat<T> = { [K in keyof T]: T[K] } & {};
type ObjOut<E extends Entries> = Flat<
  { [K in keyof E as E[K] extends { o: 1 } ? never : K]: Infer<E[K]> } & { [K in keyof E as E[K] extends { o: 1 } ? K : never]?: Infer<E[K]> }
>;

/** A check of a schema's typed value: its fault, if any. */
type Action = (value: never) => Issue | undefined;

/** How valibot shows a value in `expected` and messages (only strings and numbers reach them here). */
const show = (x: unknown) => (typeof x === 'string' ? `"${x}"` : `${x}`);

/** A schema's fault: `message` the schema's own words, else valibot's "Invalid ..." (the mappers tell them apart). */
const fault = (s: { type: string; expects: string[] }, input: unknown, message = 'Invalid type', extra?: Partial<Issue>): Result => ({
  typed: false,
  value: input,
  issue: { kind: 'schema', type: s.type, input, expected: s.expects, message, ...extra },
});

const is = <T>(type: string, expects: string[], test: (x: unknown) => boolean, message?: string): Schema<T> => {
  const s: Schema<T> = { type, expects, run: (x) => (test(x) ? { typed: true, value: x } : fault(s, x, message)) };
  return s;
};

const UNKNOWN = ['unknown'];
/** A value of this JavaScript type (NaN is no number). */
const typed = <T>(type: string) => is<T>(type, [type], (x) => typeof x === type && x === x);
export const string = () => typed<string>('string');
export const number = () => typed<number>('number');
export const boolean = () => typed<boolean>('boolean');
export const unknown = () => is<unknown>('unknown', UNKNOWN, () => true);
export const custom = <T>(test: (x: unknown) => boolean, message?: string) => is<T>('custom', UNKNOWN, test, message);
export const literal = <const T extends string>(value: T) => is<T>('literal', [show(value)], (x) => x === value);
export const picklist = <const T extends string>(options: readonly T[]) =>
  is<T>('picklist', options.map(show), (x) => (options as readonly unknown[]).includes(x));

/** `inner`, or `skip`'s values as they are. (Its `expects` only matters in a union, where no wrapper stands.) */
const wrap = <T, N>(type: string, inner: Schema<T>, skip: (x: unknown) => boolean): Schema<T | N> => ({
  type,
  expects: inner.expects,
  run: (x) => (skip(x) ? { typed: true, value: x } : inner.run(x)),
});
export const optional = <T>(s: Schema<T>) => wrap<T, undefined>('optional', s, (x) => x === undefined) as Opt<T | undefined>;
export const nullable = <T>(s: Schema<T>) => wrap<T, null>('nullable', s, (x) => x === null);
export const nullish = <T>(s: Schema<T>) => wrap<T, null | undefined>('nullish', s, (x) => x == null) as Opt<T | null | undefined>;

const OBJECT = ['Object'];
const isOptional = (s: Schema) => s.type === 'optional' || s.type === 'nullish';
const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object';
/** Keys a copy never takes over (valibot's rule; JSON.parse makes `__proto__` an own key). */
const safeKey = (k: string) => k !== '__proto__' && k !== 'prototype' && k !== 'constructor';

/** A child's fault, its key prepended to the path: the container's type no longer holds (valibot's abortEarly). */
const nest = (value: unknown, r: Result, key: Key): Result => {
  (r.issue!.path ??= []).unshift(key);
  return { typed: false, value, issue: r.issue };
};

/** An object of these entries; any other key kept (`loose_object`) or refused (`strict_object`). */
function shape<E extends Entries>(type: 'loose_object' | 'strict_object', entries: E): Schema<ObjOut<E>> {
  const s: Schema<ObjOut<E>> = {
    type,
    expects: OBJECT,
    entries,
    run(input) {
      if (!isObj(input)) return fault(s, input);
      const value: Record<string, unknown> = {};
      for (const key in entries) {
        const schema = entries[key];
        if (key in input) {
          const r = schema.run(input[key]);
          if (r.issue) return nest(value, r, key);
          value[key] = r.value;
        } else if (!isOptional(schema)) {
          return fault(s, undefined, undefined, { expected: [`"${key}"`], path: [key] });
        }
      }
      for (const key in input) {
        if (Object.hasOwn(entries, key)) continue;
        if (type === 'strict_object') return fault(s, key, undefined, { expected: ['never'], path: [key] });
        if (safeKey(key)) value[key] = input[key];
      }
      return { typed: true, value };
    },
  };
  return s;
}
export const looseObject = <E extends Entries>(entries: E) => shape('loose_object', entries) as Schema<ObjOut<E> & Record<string, unknown>>;
export const strictObject = <E extends Entries>(entries: E) => shape('strict_object', entries);

export function array<T>(item: Schema<T>): Schema<T[]> {
  const s: Schema<T[]> = {
    type: 'array',
    expects: ['Array'],
    run(input) {
      if (!Array.isArray(input)) return fault(s, input);
      const value: unknown[] = [];
      for (let i = 0; i < input.length; i++) {
        const r = item.run(input[i]);
        if (r.issue) return nest(value, r, i);
        value.push(r.value);
      }
      return { typed: true, value };
    },
  };
  return s;
}

export function record<T>(key: Schema<string>, item: Schema<T>): Schema<Record<string, T>> {
  const s: Schema<Record<string, T>> = {
    type: 'record',
    expects: OBJECT,
    run(input) {
      if (!isObj(input)) return fault(s, input);
      const value: Record<string, unknown> = {};
      for (const k in input) {
        if (!safeKey(k)) continue;
        const kr = key.run(k);
        if (kr.issue) return nest(value, kr, k);
        const r = item.run(input[k]);
        if (r.issue) return nest(value, r, k);
        value[k] = r.value;
      }
      return { typed: true, value };
    },
  };
  return s;
}

type Union<O extends readonly Schema[]> = Infer<O[number]>;

/** The first alternative that passes; else the one whose type matched, or a union fault holding each one's. */
export function union<const O extends readonly Schema[]>(options: O, message?: string): Schema<Union<O>> {
  const s: Schema<Union<O>> = {
    type: 'union',
    expects: [...new Set(options.flatMap((o) => o.expects))],
    run(input) {
      const typed: Result[] = [];
      const untyped: Result[] = [];
      for (const o of options) {
        const r = o.run(input);
        if (!r.issue) return r;
        (r.typed ? typed : untyped).push(r);
      }
      const pool = typed.length ? typed : untyped;
      if (pool.length === 1) return pool[0];
      const r = fault(s, input, message, { issues: pool.map((p) => p.issue!) });
      r.typed = typed.length > 0;
      return r;
    },
  };
  return s;
}

/** Objects told apart by the literal at `key`: the matching one checks the rest, else the key's value is the fault. */
export function variant<const O extends readonly Schema[]>(key: string, options: O): Schema<Union<O>> {
  const s: Schema<Union<O>> = {
    type: 'variant',
    expects: OBJECT,
    run(input) {
      if (!isObj(input)) return fault(s, input);
      let out: Result | undefined;
      const expected: string[] = [];
      for (const o of options) {
        const d = o.entries![key];
        if (key in input ? d.run(input[key]).issue : !isOptional(d)) {
          expected.push(...d.expects);
          continue;
        }
        const r = o.run(input);
        if (!out || (!out.typed && r.typed)) out = r;
        if (!out.issue) break;
      }
      return out ?? fault(s, input[key], undefined, { expected: [...new Set(expected)], path: [key] });
    },
  };
  return s;
}

/** The schema `pick` chooses for the value. */
export const lazy = <S extends Schema>(pick: (x: unknown) => S): Schema<Infer<S>> => ({ type: 'lazy', expects: UNKNOWN, run: (x) => pick(x).run(x) });

/** A schema, then checks of its value, in order; the first failing one is the fault. A second schema takes the first's output. */
export function pipe<T>(first: Schema<T>, ...actions: Action[]): Schema<T>;
export function pipe<T>(first: Schema, second: Schema<T>): Schema<T>;
export function pipe<T>(first: Schema<T>, ...rest: Array<Action | Schema>): Schema<T> {
  return {
    ...first,
    run(input) {
      let r = first.run(input);
      for (const a of rest) {
        if (r.issue) return 'run' in a ? { ...r, typed: false } : r;
        if ('run' in a) r = a.run(r.value);
        else {
          const issue = a(r.value as never);
          if (issue) r = { typed: true, value: r.value, issue };
        }
      }
      return r;
    },
  };
}

/** A check: `test` passes, else a fault of `type` in valibot's words (`Invalid length: Expected <=64 but received 70`). */
const act =
  <V>(type: string, label: string, expects: string | null, test: (x: V) => boolean, requirement?: unknown, message?: string, received = (x: V) => show(x)) =>
  (input: V): Issue | undefined =>
    test(input)
      ? undefined
      : { kind: 'validation', type, input, requirement, message: message ?? `Invalid ${label}: ${expects ? `Expected ${expects} but r` : 'R'}eceived ${received(input)}` };
const size = (x: { length: number }) => `${x.length}`;
type Sized = { length: number };
export const minLength = (n: number) => act('min_length', 'length', `>=${n}`, (x: Sized) => x.length >= n, n, undefined, size);
export const maxLength = (n: number) => act('max_length', 'length', `<=${n}`, (x: Sized) => x.length <= n, n, undefined, size);
export const minValue = (n: number) => act('min_value', 'value', `>=${n}`, (x: number) => x >= n, n);
export const maxValue = (n: number) => act('max_value', 'value', `<=${n}`, (x: number) => x <= n, n);
export const integer = () => act('integer', 'integer', null, Number.isInteger);
export const safeInteger = () => act('safe_integer', 'safe integer', null, Number.isSafeInteger);
export const finite = () => act('finite', 'finite', null, Number.isFinite);
export const regex = (re: RegExp, message?: string) => act('regex', 'format', `${re}`, (x: string) => re.test(x), re, message);
export const check = <T>(test: (x: T) => boolean, message?: string) => act('check', 'input', null, test, test, message);

/** The schema's output, or its first fault. */
export function parse<T>(schema: Schema<T>, input: unknown): { value: T; issue?: undefined } | { issue: Issue } {
  const r = schema.run(input);
  return r.issue ? { issue: r.issue } : { value: r.value as T };
}
