// The request schemas' validator: valibot's semantics as far as the schemas use them (first fault only, unions
// preferring an alternative whose type matched, variants naming the discriminator), so error messages stay OpenAI's.
// A schema returns its output or throws its first fault (an Issue): the passing path allocates nothing extra.

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
  /** The value's type matched, only a later check failed: a union prefers such an alternative's fault. */
  typed?: boolean;
}

export interface Schema<T = unknown> {
  type: string;
  expects: string[];
  /** The output, or throws an Issue. */
  run(value: unknown): unknown;
  /**
   * The type test `run` starts with, if it has one: where it fails, `run` would throw `fault(this, value, message)`.
   * Unions and variants ask it first, since a fault thrown costs far more than one built.
   */
  accepts?: (value: unknown) => boolean;
  message?: string;
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

/** A string value as `expected` lists it (valibot's way). */
const quote = (x: string) => `"${x}"`;

/** A schema's fault: `message` the schema's own words, else valibot's "Invalid ..." (the mappers tell them apart). */
const fault = (s: Schema, input: unknown, message = 'Invalid type', extra?: Partial<Issue>): Issue => ({
  kind: 'schema',
  type: s.type,
  input,
  expected: s.expects,
  message,
  ...extra,
});
const fail = (...args: Parameters<typeof fault>): never => {
  throw fault(...args);
};

const isIssue = (e: unknown): e is Issue => isObj(e) && 'kind' in e && 'message' in e;

/** `s` run on a child at `key`: its fault gets the key prepended to its path, and the container's type no longer holds. */
const at = (s: Schema, value: unknown, key: Key) => {
  try {
    return s.run(value);
  } catch (e) {
    const issue = e as Issue;
    (issue.path ??= []).unshift(key);
    issue.typed = false;
    throw issue;
  }
};

const is = <T>(type: string, expects: string[], test: (x: unknown) => boolean, message?: string): Schema<T> => {
  const s: Schema<T> = { type, expects, accepts: test, message, run: (x) => (test(x) ? x : fail(s, x, message)) };
  return s;
};

const UNKNOWN = ['unknown'];
/** A value of this JavaScript type (NaN is no number). */
const typed = <T>(type: string) => is<T>(type, [type], (x) => typeof x === type && x === x);
export const string = () => typed<string>('string');
export const number = () => typed<number>('number');
export const boolean = () => typed<boolean>('boolean');
export const custom = <T>(test: (x: unknown) => boolean, message?: string) => is<T>('custom', UNKNOWN, test, message);
export const unknown = () => custom<unknown>(() => true);
export const literal = <const T extends string>(value: T) => is<T>('literal', [quote(value)], (x) => x === value);
export const picklist = <const T extends string>(options: readonly T[]) =>
  is<T>('picklist', options.map(quote), (x) => (options as readonly unknown[]).includes(x));

/** `inner`, or `skip`'s values as they are. (Its `expects` only matters in a union, where no wrapper stands.) */
const wrap = <T, N>(type: string, inner: Schema<T>, skip: (x: unknown) => boolean): Schema<T | N> => ({
  type,
  expects: inner.expects,
  run: (x) => (skip(x) ? x : inner.run(x)),
});
export const optional = <T>(s: Schema<T>) => wrap<T, undefined>('optional', s, (x) => x === undefined) as Opt<T | undefined>;
export const nullable = <T>(s: Schema<T>) => wrap<T, null>('nullable', s, (x) => x === null);
export const nullish = <T>(s: Schema<T>) => wrap<T, null | undefined>('nullish', s, (x) => x == null) as Opt<T | null | undefined>;

const OBJECT = ['Object'];
const isOptional = (s: Schema) => s.type === 'optional' || s.type === 'nullish';
const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object';
/** Keys a copy never takes over (valibot's rule; JSON.parse makes `__proto__` an own key). */
const safeKey = (k: string) => k !== '__proto__' && k !== 'prototype' && k !== 'constructor';

/** An object of these entries; any other key kept (`loose_object`) or refused (`strict_object`). */
function shape<E extends Entries>(type: 'loose_object' | 'strict_object', entries: E): Schema<ObjOut<E>> {
  const s: Schema<ObjOut<E>> = {
    type,
    expects: OBJECT,
    entries,
    accepts: isObj,
    run(input) {
      if (!isObj(input)) return fail(s, input);
      const value: Record<string, unknown> = {};
      for (const key in entries) {
        const schema = entries[key];
        if (key in input) value[key] = at(schema, input[key], key);
        else if (!isOptional(schema)) fail(s, undefined, undefined, { expected: [`"${key}"`], path: [key] });
      }
      for (const key in input) {
        if (Object.hasOwn(entries, key)) continue;
        if (type === 'strict_object') fail(s, key, undefined, { expected: ['never'], path: [key] });
        if (safeKey(key)) value[key] = input[key];
      }
      return value;
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
    accepts: Array.isArray,
    run: (input) => (Array.isArray(input) ? input.map((x, i) => at(item, x, i)) : fail(s, input)),
  };
  return s;
}

export function record<T>(key: Schema<string>, item: Schema<T>): Schema<Record<string, T>> {
  const s: Schema<Record<string, T>> = {
    type: 'record',
    expects: OBJECT,
    accepts: isObj,
    run(input) {
      if (!isObj(input)) return fail(s, input);
      const value: Record<string, unknown> = {};
      for (const k in input) {
        if (!safeKey(k)) continue;
        at(key, k, k);
        value[k] = at(item, input[k], k);
      }
      return value;
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
      const typed: Issue[] = [];
      const untyped: Issue[] = [];
      for (const o of options) {
        if (o.accepts && !o.accepts(input)) {
          untyped.push(fault(o, input, o.message));
          continue;
        }
        try {
          return o.run(input);
        } catch (e) {
          if (!isIssue(e)) throw e;
          (e.typed ? typed : untyped).push(e);
        }
      }
      const pool = typed.length ? typed : untyped;
      throw pool.length === 1 ? pool[0] : fail(s, input, message, { issues: pool, typed: typed.length > 0 });
    },
  };
  return s;
}

/** Objects told apart by the literal at `key` (a literal's `accepts` is its whole test): the matching one checks the rest, else the key's value is the fault. */
export function variant<const O extends readonly Schema[]>(key: string, options: O): Schema<Union<O>> {
  const s: Schema<Union<O>> = {
    type: 'variant',
    expects: OBJECT,
    accepts: isObj,
    run(input) {
      if (!isObj(input)) return fail(s, input);
      const expected: string[] = [];
      for (const o of options) {
        const d = o.entries![key];
        if (key in input ? d.accepts!(input[key]) : isOptional(d)) return o.run(input);
        expected.push(...d.expects);
      }
      return fail(s, input[key], undefined, { expected: [...new Set(expected)], path: [key] });
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
      let value = first.run(input);
      for (const a of rest) {
        if ('run' in a) value = a.run(value);
        else {
          const issue = a(value as never);
          if (issue) throw issue;
        }
      }
      return value;
    },
  };
}

/** A check: `test` passes, else a fault of `type` in valibot's words (`Invalid length: Expected <=64 but received 70`). */
const act =
  <V>(type: string, label: string, expects: string | null, test: (x: V) => boolean, requirement?: unknown, message?: string) =>
  (input: V): Issue | undefined =>
    test(input)
      ? undefined
      : {
          kind: 'validation',
          type,
          input,
          requirement,
          typed: true,
          // A length check receives a string or an array, and reports its length; the others, a number.
          message: message ?? `Invalid ${label}: ${expects ? `Expected ${expects} but r` : 'R'}eceived ${typeof input === 'number' ? input : (input as Sized).length}`,
        };
type Sized = { length: number };
export const minLength = (n: number) => act('min_length', 'length', `>=${n}`, (x: Sized) => x.length >= n, n);
export const maxLength = (n: number) => act('max_length', 'length', `<=${n}`, (x: Sized) => x.length <= n, n);
export const minValue = (n: number) => act('min_value', 'value', `>=${n}`, (x: number) => x >= n, n);
export const maxValue = (n: number) => act('max_value', 'value', `<=${n}`, (x: number) => x <= n, n);
export const integer = () => act('integer', 'integer', null, Number.isInteger);
export const safeInteger = () => act('safe_integer', 'safe integer', null, Number.isSafeInteger);
export const finite = () => act('finite', 'finite', null, Number.isFinite);
export const regex = (re: RegExp, message?: string) => act('regex', 'format', `${re}`, (x: string) => re.test(x), 0, message);
export const check = <T>(test: (x: T) => boolean, message?: string) => act('check', 'input', null, test, 0, message);

/** The schema's output, or its first fault. */
export function parse<T>(schema: Schema<T>, input: unknown): { value: T; issue?: undefined } | { issue: Issue } {
  try {
    return { value: schema.run(input) as T };
  } catch (e) {
    if (isIssue(e)) return { issue: e };
    throw e;
  }
}
