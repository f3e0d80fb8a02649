// The checks every request of a virtual key passes, pure so the isolate (from its cache) and a key's or
// team's KeyStore object (exactly, when no lease has room) run the same code. Messages, types and
// statuses are LiteLLM's (auth_checks.py), so clients that parse them keep working.
import type { AccountRecord, KeyEntry, KeyRecord, Limits, ModelName, Refusal, TeamRecord } from './types';

/** `sk-...abcd`: how LiteLLM names a key in messages and listings. */
export const abbreviate = (key: string) => `sk-...${key.slice(-4)}`;

/** An unknown key gets the same answer as a wrong master key: it learns nothing more. */
export const UNKNOWN_KEY: Refusal = { status: 401, type: 'authentication_error', code: 'invalid_api_key', message: 'Invalid API key' };

/** Whether the key may be used at all: blocked, expired, its team blocked. */
export function accessRefusal({ key, team }: KeyEntry, now: number): Refusal | undefined {
  return keyAccessRefusal(key, now) ?? (team ? teamAccessRefusal(team) : undefined);
}

function keyAccessRefusal(key: KeyRecord, now: number): Refusal | undefined {
  if (key.blocked) {
    return { status: 401, type: 'auth_error', code: '401', message: "Authentication Error, Key is blocked. Update via `/key/unblock` if you're an admin." };
  }
  if (key.expires && Date.parse(key.expires) <= now) {
    return {
      status: 400,
      type: 'expired_key',
      code: '400',
      message: `Authentication Error - Expired Key. Key Expiry time ${key.expires} and current time ${new Date(now).toISOString()}`,
    };
  }
  return undefined;
}

function teamAccessRefusal(team: TeamRecord): Refusal | undefined {
  if (team.blocked) {
    return {
      status: 401,
      type: 'auth_error',
      code: '401',
      message: `Authentication Error, Team=${team.team_id} is blocked. Update via \`/team/unblock\` if you're an admin.`,
    };
  }
  return undefined;
}

/** Names that allow every model, as LiteLLM spells them. */
const ALL_MODELS = new Set(['*', 'all-proxy-models', 'all-team-models']);

/** Whether a models list lets `model` (or the group it resolves to) through: empty allows all; `prefix*` is a wildcard. */
export function modelAllowed(models: string[], model: string, group: string | undefined): boolean {
  if (models.length === 0) return true;
  return models.some((m) => {
    if (ALL_MODELS.has(m) || m === model || m === group) return true;
    if (!m.endsWith('*')) return false;
    const prefix = m.slice(0, -1);
    return model.startsWith(prefix) || (group !== undefined && group.startsWith(prefix));
  });
}

const quoteList = (models: string[]) => `[${models.map((m) => `'${m}'`).join(', ')}]`;

export function modelRefusal({ key, team }: KeyEntry, model: string | undefined, group: string | undefined): Refusal | undefined {
  return entityModelRefusal('key', key.models, model, group) ?? (team ? entityModelRefusal('team', team.models, model, group) : undefined);
}

function entityModelRefusal(entity: 'key' | 'team', models: string[], model: string | undefined, group: string | undefined): Refusal | undefined {
  if (model === undefined || modelAllowed(models, model, group)) return undefined;
  return {
    status: 403,
    type: `${entity}_model_access_denied`,
    code: '403',
    param: 'model',
    message: `${entity} not allowed to access model. This ${entity} can only access models=${quoteList(models)}. Tried to access ${model}`,
  };
}

export const isKey = (r: AccountRecord): r is KeyRecord => 'token' in r;

/** One account's own checks (a key's, or its team's), as its object runs them on an exact take. */
export function accountRefusal(r: AccountRecord, model: string | undefined, group: string | undefined, now: number): Refusal | undefined {
  return isKey(r)
    ? (keyAccessRefusal(r, now) ?? entityModelRefusal('key', r.models, model, group))
    : (teamAccessRefusal(r) ?? entityModelRefusal('team', r.models, model, group));
}

/**
 * Spend at or over max_budget, with `pending` (USD) reserved by requests in flight and held in leases:
 * with it, parallel requests cannot all pass a budget that booked spend alone has not reached yet. With
 * nothing pending this is LiteLLM's check exactly.
 */
export function budgetRefusal(r: AccountRecord, pending = 0): Refusal | undefined {
  if (r.max_budget === null || r.spend + pending < r.max_budget) return undefined;
  const who = isKey(r) ? `Key=${r.key_alias ?? r.key_name} (${r.key_name})` : `Team=${r.team_id}`;
  return {
    status: 400,
    type: 'budget_exceeded',
    code: '400',
    message: `Budget has been exceeded! ${who} Current cost: ${r.spend}${pending > 0 ? ` (+${pending} in requests in flight)` : ''}, Max budget: ${r.max_budget}`,
  };
}

/** Whether requests of this key need the object's exact count (any budget or rate limit on it or its team). */
export function isLimited({ key, team }: KeyEntry): boolean {
  return limited(key) || (team !== null && limited(team));
}

export const limited = (l: Limits) => l.max_budget !== null || l.rpm_limit !== null || l.tpm_limit !== null || l.max_parallel_requests !== null;

/** What one key or team has counted: this minute's requests and tokens, parallel slots in use or held. */
export interface Counts {
  rpm: number;
  tpm: number;
  parallel: number;
}

/** rpm, tpm and parallel requests of one key or team, with this request counted in (LiteLLM's 429 text). */
export function rateRefusal(entity: 'key' | 'team', l: Limits, u: Counts, estTokens: number, retryAfterSec: number): Refusal | undefined {
  const { parallel } = u;
  const overRpm = l.rpm_limit !== null && u.rpm + 1 > l.rpm_limit;
  const overTpm = l.tpm_limit !== null && u.tpm + estTokens > l.tpm_limit;
  const overParallel = l.max_parallel_requests !== null && parallel + 1 > l.max_parallel_requests;
  if (!overRpm && !overTpm && !overParallel) return undefined;
  const show = (n: number | null) => (n === null ? 'None' : String(n));
  return {
    status: 429,
    type: 'rate_limit_error',
    code: '429',
    // A minute's window frees up at the minute's end; a parallel slot whenever a request ends.
    retryAfter: overRpm || overTpm ? retryAfterSec : 1,
    message:
      `LiteLLM Rate Limit Handler for rate limit type = ${entity}. Crossed TPM / RPM / Max Parallel Request Limit. ` +
      `current rpm: ${u.rpm}, rpm limit: ${show(l.rpm_limit)}, current tpm: ${u.tpm}, tpm limit: ${show(l.tpm_limit)}, ` +
      `current max_parallel_requests: ${parallel}, max_parallel_requests: ${show(l.max_parallel_requests)}`,
  };
}

/**
 * A model the request's own fallbacks would call that the key or its team may not: refused as the requested model
 * would be, before any upstream call, so a key cannot reach another group by making its own model fail.
 */
export function fallbackRefusal(entry: KeyEntry, fallbacks: readonly ModelName[]): Refusal | undefined {
  for (const f of fallbacks) {
    const r = modelRefusal(entry, f.model, f.group);
    if (r) return { ...r, param: 'fallbacks' };
  }
  return undefined;
}

/** Everything but the counts: what an isolate can decide from its cached entry. */
export function staticRefusal(entry: KeyEntry, model: string | undefined, group: string | undefined, now: number, fallbacks: readonly ModelName[] = []): Refusal | undefined {
  return accessRefusal(entry, now) ?? modelRefusal(entry, model, group) ?? fallbackRefusal(entry, fallbacks);
}

export type { KeyRecord, TeamRecord };
