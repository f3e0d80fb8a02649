// The bodies of /key/* and /team/* checked field by field, with LiteLLM's field names. A field this
// gateway does not implement is refused when it carries a value (tools often send LiteLLM's empty
// defaults, `aliases: {}`, `soft_budget: null`: those pass), so nothing is accepted and silently ignored.
// Every string is bounded: aliases and ids reach logs, metric labels and the dashboard (docs/virtual-keys.md).
import { badRequest } from '../router/errors';
import { MAX_NAME_LENGTH } from '../schema/common';
import { tooLong } from '../schema/issues';
import { isDuration } from './duration';
import type { Limits } from './types';

/** A key's or team's `models`: entries. */
export const MAX_MODELS = 256;
/** `metadata`, as JSON text. */
export const MAX_METADATA_CHARS = 16 * 1024;
/** Keys, aliases or team ids one delete names. */
export const MAX_LISTED = 1000;

type Body = Record<string, unknown>;
type Field = (v: unknown, name: string) => unknown;

const fail = (name: string, what: string) => badRequest(`${name}: ${what}`, name, 'invalid_field');

const nullable = (f: Field): Field => (v, name) => (v === null ? null : f(v, name));
const string: Field = (v, name) => {
  if (typeof v !== 'string' || v === '') throw fail(name, 'expected a non-empty string');
  return bounded(v, name);
};

/** A name or id the API takes: at most MAX_NAME_LENGTH characters. */
export function bounded<T extends string>(v: T, name: string): T {
  if (v.length > MAX_NAME_LENGTH) throw tooLong(name, v, MAX_NAME_LENGTH);
  return v;
}
const amount: Field = (v, name) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw fail(name, 'expected a number >= 0');
  return v;
};
const count: Field = (v, name) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw fail(name, 'expected a whole number >= 0');
  return v;
};
const flag: Field = (v, name) => {
  if (typeof v !== 'boolean') throw fail(name, 'expected true or false');
  return v;
};
const strings: Field = (v, name) => {
  if (!Array.isArray(v) || v.some((m) => typeof m !== 'string' || m === '')) throw fail(name, 'expected a list of model names');
  if (v.length > MAX_MODELS) throw tooLong(name, v, MAX_MODELS);
  v.forEach((m: string, i) => bounded(m, `${name}[${i}]`));
  return v;
};
const object: Field = (v, name) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw fail(name, 'expected an object');
  const size = JSON.stringify(v).length;
  if (size > MAX_METADATA_CHARS) {
    throw badRequest(`Invalid '${name}': object too large. Expected at most ${MAX_METADATA_CHARS} characters of JSON, but got ${size} instead.`, name, 'object_above_max_size');
  }
  return v;
};
const duration: Field = (v, name) => {
  if (!isDuration(v)) throw fail(name, 'expected a duration such as "30s", "30m", "30h", "30d", "1mo"');
  return v;
};
const instant: Field = (v, name) => {
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw fail(name, 'expected an ISO 8601 time');
  return new Date(v).toISOString();
};

const LIMIT_FIELDS: Record<string, Field> = {
  models: strings,
  max_budget: nullable(amount),
  budget_duration: nullable(duration),
  rpm_limit: nullable(count),
  tpm_limit: nullable(count),
  max_parallel_requests: nullable(count),
  metadata: object,
  blocked: flag,
  /** Guardrails every request of the key (or team) runs; kept in metadata.guardrails, where LiteLLM keeps them. */
  guardrails: nullable((v, name) => {
    if (!Array.isArray(v) || v.some((g) => typeof g !== 'string' || g === '')) throw fail(name, 'expected a list of guardrail names');
    return v;
  }),
};

export const KEY_FIELDS: Record<string, Field> = {
  ...LIMIT_FIELDS,
  key: string,
  key_alias: nullable(string),
  team_id: nullable(string),
  user_id: nullable(string),
  duration: nullable(duration),
  expires: nullable(instant),
  spend: amount,
};

export const TEAM_FIELDS: Record<string, Field> = { ...LIMIT_FIELDS, team_id: string, team_alias: nullable(string), spend: amount };

/** Checks `body` against `fields`: each known field's value, and no unknown field with a value. */
export function readFields(body: unknown, fields: Record<string, Field>): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Send a JSON object', null, 'invalid_json');
  const out: Body = {};
  for (const [name, v] of Object.entries(body as Body)) {
    const check = fields[name];
    if (check) {
      if (v !== undefined) out[name] = check(v, name);
    } else if (!isEmpty(v)) {
      throw badRequest(`${name} is not supported by this gateway (supported: ${Object.keys(fields).join(', ')})`, name, 'unsupported_field');
    }
  }
  return out;
}

const isEmpty = (v: unknown) =>
  v === null || v === undefined || v === '' || v === false || (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && Object.keys(v as object).length === 0);

/** The limit fields of a checked body (for a new record, with defaults). */
export function limitsOf(b: Body, base?: Limits): Omit<Limits, 'created_at' | 'updated_at' | 'budget_reset_at'> {
  const pick = <K extends keyof Limits>(k: K, dflt: Limits[K]): Limits[K] => (k in b ? (b[k] as Limits[K]) : (base?.[k] ?? dflt));
  return {
    models: pick('models', []),
    max_budget: pick('max_budget', null),
    spend: pick('spend', 0),
    budget_duration: pick('budget_duration', null),
    rpm_limit: pick('rpm_limit', null),
    tpm_limit: pick('tpm_limit', null),
    max_parallel_requests: pick('max_parallel_requests', null),
    metadata: 'guardrails' in b ? { ...pick('metadata', {}), guardrails: b.guardrails ?? undefined } : pick('metadata', {}),
    blocked: pick('blocked', false),
  };
}

/** `key` as the API takes it: the key itself (`sk-...`) or its hash. */
export function keyParam(b: Body | Record<string, string | undefined>, name = 'key'): string {
  const v = b[name];
  if (typeof v !== 'string' || v === '') throw badRequest(`${name}: required (the key, or its hash)`, name, 'missing_field');
  return bounded(v, name);
}

export function stringList(b: Body, name: string): string[] {
  const v = b[name];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw badRequest(`${name}: expected a list of strings`, name, 'invalid_field');
  if (v.length > MAX_LISTED) throw tooLong(name, v, MAX_LISTED);
  v.forEach((s: string, i) => bounded(s, `${name}[${i}]`));
  return v as string[];
}

export function pageParam(v: string | undefined, name: string, dflt: number, max: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw badRequest(`${name}: expected a whole number from 1 to ${max}`, name, 'invalid_field');
  return n;
}

