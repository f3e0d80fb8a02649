// One request counted on several accounts at once (a key and its team, a request's tags and customer, a
// deployment's and its provider's budgets): from this isolate's leases where they cover it, else one exact
// take per account, all in parallel. One refusal refuses the request: what the others counted is given back.
import type { Defer } from '../state/store';
import type { AccountClient, TakeResult } from './account-client';
import { micros } from './account';
import { limited } from './policy';
import type { AccountRecord, Counted, Need, Refusal } from './types';

/** One account a request counts on: its client, its record as this isolate knows it, what was counted there. */
export interface Part {
  client: AccountClient;
  record: AccountRecord;
  counted?: Counted;
}

/**
 * Counts the request on every limited part; answers the refusal the client should see, if any. Each account
 * reserves its dearest recent cost, or without one `most()`: what this request may cost at most (issue 27, 4).
 * Synchronous when the leases cover it (the steady state); a promise only when an account takes it exactly.
 */
export function countOn(parts: Part[], need: Omit<Need, 'estMicros'>, most: () => number, now: number, defer: Defer, later: () => number): Refusal | undefined | Promise<Refusal | undefined> {
  const counting = parts.filter((p) => limited(p.record));
  if (counting.length === 0) return undefined;
  let fromRequest: number | undefined;
  const needs = counting.map((p) => ({ ...need, estMicros: p.client.costPerRequest !== undefined ? micros(p.client.costPerRequest) : (fromRequest ??= most()) }));
  counting.forEach((p, i) => p.client.prepare(p.record, needs[i], now));
  const covered = counting.map((p, i) => p.client.covers(needs[i], now));
  counting.forEach((p, i) => covered[i] && (p.counted = p.client.spend(needs[i], now, defer)));
  if (covered.every(Boolean)) return undefined;
  return takeExactly(counting, needs, covered, now, defer, later);
}

/** The accounts no lease covered: one exact take each, in parallel; a refusal gives back what the others counted. */
async function takeExactly(counting: Part[], needs: Need[], covered: boolean[], now: number, defer: Defer, later: () => number): Promise<Refusal | undefined> {
  const taken: Array<TakeResult | undefined> = await Promise.all(counting.map((p, i) => (covered[i] ? undefined : p.client.take(needs[i], now))));
  const refusals: Array<[number, Refusal]> = [];
  taken.forEach((t, i) => (t?.ok ? (counting[i].counted = t.counted) : t && refusals.push([i, t.refusal])));
  if (refusals.length === 0) return undefined;
  // Refused by one account: what the others counted is given back (a request count stays counted).
  for (const p of counting) if (p.counted) p.client.settle({ cost: 0, tokens: 0, counted: p.counted }, later(), defer);
  refusals.sort(([a, ra], [b, rb]) => rank(ra) - rank(rb) || a - b);
  return refusals[0][1];
}

/** Which refusal a client sees when several accounts refuse: access first, then budget, then rates. */
const rank = (r: Refusal) => (r.type === 'budget_exceeded' ? 1 : r.status === 429 ? 2 : 0);

/** The most a request may cost on any of `deployments`, micro-dollars: its prompt and max output at the dearest prices. */
export function mostMicros(deployments: ReadonlyArray<{ info: { input_cost_per_token?: number; output_cost_per_token?: number; max_output_tokens?: number } }>, estTokens: number, maxTokens?: unknown): number {
  let most = 0;
  for (const { info } of deployments) {
    const out = typeof maxTokens === 'number' && maxTokens > 0 ? maxTokens : (info.max_output_tokens ?? DEFAULT_MAX_OUTPUT);
    most = Math.max(most, estTokens * (info.input_cost_per_token ?? 0) + out * (info.output_cost_per_token ?? 0));
  }
  return micros(most);
}

/** A request that names no max_tokens, to a deployment that states no max_output_tokens, is reserved this many. */
export const DEFAULT_MAX_OUTPUT = 4096;
