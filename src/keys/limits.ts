// What the request path shares with key management's body checks (input.ts, the companion's): a record's limits
// with their defaults, and the bound on a name. Apart from input.ts, so the gateway does not bundle its field tables.
import { MAX_NAME_LENGTH } from '../schema/common';
import { tooLong } from '../schema/issues';
import type { Limits } from './types';

type Body = Record<string, unknown>;

/** A name or id the API takes: at most MAX_NAME_LENGTH characters. */
export function bounded<T extends string>(v: T, name: string): T {
  if (v.length > MAX_NAME_LENGTH) throw tooLong(name, v, MAX_NAME_LENGTH);
  return v;
}

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
