// The checks every request of a virtual key passes, pure so the isolate (keys without limits, from its
// cache) and the KeyStore object (keys with limits, exactly) run the same code. Messages, types and
// statuses are LiteLLM's (auth_checks.py), so clients that parse them keep working.
import type { KeyEntry, KeyRecord, Limits, ModelName, Refusal, TeamRecord, Usage } from './types';

/** `sk-...abcd`: how LiteLLM names a key in messages and listings. */
export const abbreviate = (key: string) => `sk-...${key.slice(-4)}`;

/** An unknown key gets the same answer as a wrong master key: it learns nothing more. */
export const UNKNOWN_KEY: Refusal = { status: 401, type: 'authentication_error', code: 'invalid_api_key', message: 'Invalid API key' };

/** Whether the key may be used at all: blocked, expired, its team blocked. */
export function accessRefusal({ key, team }: KeyEntry, now: number): Refusal | undefined {
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
  if (team?.blocked) {
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
  if (model === undefined) return undefined;
  for (const [entity, models] of [['key', key.models], ['team', team?.models ?? []]] as const) {
    if (!modelAllowed(models, model, group)) {
      return {
        status: 403,
        type: `${entity}_model_access_denied`,
        code: '403',
        param: 'model',
        message: `${entity} not allowed to access model. This ${entity} can only access models=${quoteList(models)}. Tried to access ${model}`,
      };
    }
  }
  return undefined;
}

/**
 * Spend at or over max_budget, of the key then its team. `inFlight` is the cost reserved by their requests
 * still running (the object's estimate): with it, parallel requests cannot all pass a budget that booked
 * spend alone has not reached yet. Without requests in flight this is LiteLLM's check exactly.
 */
export function budgetRefusal({ key, team }: KeyEntry, inFlight: { key: number; team: number } = { key: 0, team: 0 }): Refusal | undefined {
  const refusal = (who: string, l: Limits, pending: number): Refusal | undefined =>
    l.max_budget !== null && l.spend + pending >= l.max_budget
      ? {
          status: 400,
          type: 'budget_exceeded',
          code: '400',
          message: `Budget has been exceeded! ${who} Current cost: ${l.spend}${pending > 0 ? ` (+${pending} in requests in flight)` : ''}, Max budget: ${l.max_budget}`,
        }
      : undefined;
  return refusal(`Key=${key.key_alias ?? key.key_name} (${key.key_name})`, key, inFlight.key) ?? (team ? refusal(`Team=${team.team_id}`, team, inFlight.team) : undefined);
}

/** Whether requests of this key need the object's exact count (any budget or rate limit on it or its team). */
export function isLimited({ key, team }: KeyEntry): boolean {
  const limited = (l: Limits) => l.max_budget !== null || l.rpm_limit !== null || l.tpm_limit !== null || l.max_parallel_requests !== null;
  return limited(key) || (team !== null && limited(team));
}

/** rpm, tpm and parallel requests of one key or team, with this request counted in (LiteLLM's 429 text). */
export function rateRefusal(entity: 'key' | 'team', l: Limits, u: Usage, estTokens: number, retryAfterSec: number): Refusal | undefined {
  const parallel = Object.keys(u.leases).length;
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
