// A tiny schema kit: just enough to validate a LiteLLM config with key paths in every message
// (`model_list[2].litellm_params.model: required`) and warnings, not failures, for unknown keys.

export interface Findings {
  errors: string[];
  warnings: string[];
}

/** A validator returns the (possibly coerced) value, or records an error and returns undefined. */
export type Check<T> = (value: unknown, path: string, out: Findings) => T | undefined;

/** The type a check produces: config types are derived from the schema, never written twice. */
export type Infer<C> = C extends Check<infer T> ? T : never;

const fail = (out: Findings, path: string, fault: string): undefined => {
  out.errors.push(`${path || '(root)'}: ${fault}`);
  return undefined;
};

const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v);

export const str: Check<string> = (v, path, out) =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : fail(out, path, `expected a string, got ${describe(v)}`);

export const bool: Check<boolean> = (v, path, out) => {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'True') return true;
  if (v === 'false' || v === 'False') return false;
  return fail(out, path, `expected true or false, got ${describe(v)}`);
};

/** Numbers may arrive as strings (from os.environ/ or quoted YAML). */
export function num(opts: { min?: number; max?: number; int?: boolean } = {}): Check<number> {
  return (v, path, out) => {
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || (typeof v === 'string' && Number.isNaN(n))) return fail(out, path, `expected a number, got ${describe(v)}`);
    // YAML's .nan and .inf are numbers, but no limit, timeout or cost can be one.
    if (!Number.isFinite(n)) return fail(out, path, `expected a finite number, got ${n}`);
    if (opts.int && !Number.isInteger(n)) return fail(out, path, `expected a whole number, got ${n}`);
    if (opts.min !== undefined && n < opts.min) return fail(out, path, `must be at least ${opts.min}, got ${n}`);
    if (opts.max !== undefined && n > opts.max) return fail(out, path, `must be at most ${opts.max}, got ${n}`);
    return n;
  };
}

export function oneOf<T extends string>(...choices: T[]): Check<T> {
  return (v, path, out) =>
    typeof v === 'string' && (choices as string[]).includes(v)
      ? (v as T)
      : fail(out, path, `expected one of ${choices.join(', ')}, got ${JSON.stringify(v)}`);
}

/** `nonEmpty` may say what the list is for, for the message. */
export function list<T>(item: Check<T>, opts: { nonEmpty?: boolean | string } = {}): Check<T[]> {
  return (v, path, out) => {
    if (!Array.isArray(v)) return fail(out, path, `expected a list, got ${describe(v)}`);
    if (opts.nonEmpty && v.length === 0) return fail(out, path, `must not be empty${opts.nonEmpty === true ? '' : `: ${opts.nonEmpty}`}`);
    const result: T[] = [];
    v.forEach((x, i) => {
      const r = item(x, `${path}[${i}]`, out);
      if (r !== undefined) result.push(r);
    });
    return result;
  };
}

/** A value that passes `check` and also `test`, else `fault` at its path. */
export function refine<T>(check: Check<T>, test: (value: T) => boolean, fault: string): Check<T> {
  return (v, path, out) => {
    const r = check(v, path, out);
    return r === undefined || test(r) ? r : fail(out, path, fault);
  };
}

/** A map with free keys (model group names, error classes). */
export function record<T>(item: Check<T>): Check<Record<string, T>> {
  return (v, path, out) => {
    if (!isPlainObject(v)) return fail(out, path, `expected a mapping, got ${describe(v)}`);
    const result: Record<string, T> = {};
    for (const [k, x] of Object.entries(v)) {
      const r = item(x, `${path}.${k}`, out);
      if (r !== undefined) result[k] = r;
    }
    return result;
  };
}

/** Tries each alternative on a scratch pad; the first that passes wins, else the last one's errors stand. */
export function either<A, B>(a: Check<A>, b: Check<B>): Check<A | B> {
  return (v, path, out) => {
    const scratch: Findings = { errors: [], warnings: [] };
    const r = a(v, path, scratch);
    if (scratch.errors.length === 0) {
      out.warnings.push(...scratch.warnings);
      return r;
    }
    return b(v, path, out);
  };
}

type Shape = Record<string, Check<unknown>>;
type Out<S extends Shape> = { [K in keyof S]?: S[K] extends Check<infer T> ? T : never };

/**
 * A mapping with known keys. Unknown keys are kept (passed through) and warned about unless `open`,
 * since users bring large LiteLLM files with keys this gateway has no use for. Only an open mapping's type
 * has an index signature: elsewhere a misspelt key is a compile error in the gateway's own code.
 */
export function obj<S extends Shape, R extends keyof S = never, O extends boolean = false>(
  shape: S,
  opts: { required?: R[]; open?: O } = {},
): Check<Out<S> & { [K in R]-?: NonNullable<Out<S>[K]> } & (O extends true ? Record<string, unknown> : unknown)> {
  return (v, path, out) => {
    if (v === null || v === undefined) v = {};
    if (!isPlainObject(v)) return fail(out, path, `expected a mapping, got ${describe(v)}`);
    const result: Record<string, unknown> = {};
    const errorsBefore = out.errors.length;
    for (const [k, x] of Object.entries(v)) {
      const keyPath = path ? `${path}.${k}` : k;
      const check = shape[k];
      if (!check) {
        if (!opts.open) out.warnings.push(`${keyPath}: unknown key, ignored`);
        result[k] = x;
        continue;
      }
      if (x === null || x === undefined) continue;
      const r = check(x, keyPath, out);
      if (r !== undefined) result[k] = r;
    }
    for (const k of opts.required ?? []) {
      const keyPath = path ? `${path}.${String(k)}` : String(k);
      // Skipped when this key's own check already said what is wrong (only this mapping's findings count:
      // an earlier one, such as an unset os.environ/ value for the key, must not let a required key go missing).
      if (result[k as string] === undefined && !out.errors.slice(errorsBefore).some((e) => e.startsWith(keyPath))) {
        fail(out, keyPath, 'required');
      }
    }
    return out.errors.length === errorsBefore ? (result as never) : undefined;
  };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
