// Virtual keys on the request path: who a presented key is (cached per isolate), whether this request may
// go (from this isolate's leases on the key's and team's objects, or in one exact `admit` when no lease
// covers it), and booking what it cost once it ends (a Router callback; batched, through waitUntil). One per
// gateway; the isolate's state lives here.
import { sha256Hex } from '../cache/key';
import type { CallerTag, RequestLog, RouterCallback } from '../observability/events';
import type { ModelGroups } from '../router/groups';
import type { Defer } from '../state/store';
import type { TakeResult } from './account-client';
import { AccountClient } from './account-client';
import { micros } from './account';
import { RecordCache } from './cache';
import { KeyDirectory } from './directory';
import { budgetRefusal, isLimited, limited, staticRefusal } from './policy';
import { refusalError, unknownKey } from './refusal';
import type { KeyStore } from './store-object';
import type { Account, AccountRecord, Counted, KeyEntry, KeyRecord, Need, Refusal, Remaining, TeamRecord } from './types';

export type CacheScope = 'key' | 'team';

export interface KeyServiceOptions {
  ns: DurableObjectNamespace<KeyStore>;
  /** Keeps this gateway's keys apart from others on the same binding (tests). */
  namespace?: string;
  now: () => number;
  /** The Router's groups, to resolve aliases before the model check (read lazily: the Router is built after). */
  groups: () => ModelGroups | undefined;
  /** What the response cache is scoped to for a virtual key: the key, or its team (general_settings.virtual_key_cache_scope). */
  cacheScope: CacheScope;
}

/** A presented key that exists and may be used (not blocked, not expired), as of the isolate's cache. */
export interface AuthedKey {
  token: string;
  entry: KeyEntry;
}

/** The hashes of keys recently presented to this isolate, so a request does not hash its key again. */
const MAX_HASHES = 1024;
/** The isolate's clients of key and team objects (each holds its leases and unsent bookings). */
const MAX_CLIENTS = 10_000;
/** A request that names no max_tokens, to a deployment that states no max_output_tokens, is reserved this many. */
export const DEFAULT_MAX_OUTPUT = 4096;

/** One account a request counts on: its client, and what its admission counted there. */
interface Part {
  account: Account;
  client: AccountClient;
  record: AccountRecord;
  counted?: Counted;
}

export class KeyService {
  readonly callback: RouterCallback;
  readonly directory: KeyDirectory;
  /** One holder per isolate's service: the objects keep this isolate's leases under it. */
  readonly holder = crypto.randomUUID();
  private readonly keys = new RecordCache<KeyRecord>();
  private readonly teams = new RecordCache<TeamRecord>();
  private readonly clients = new Map<string, AccountClient>();
  private readonly hashes = new Map<string, string>();
  private readonly admissions = new WeakMap<CallerTag, Admission>();

  constructor(private readonly opts: KeyServiceOptions) {
    this.directory = new KeyDirectory(opts.ns, opts.namespace);
    const settle = (log: RequestLog) => (log.caller ? this.admissions.get(log.caller)?.settleFrom(log) : undefined);
    this.callback = { name: 'virtual_keys', onSuccess: settle, onFailure: settle };
  }

  /** LiteLLM's hash of a key: SHA-256, hex. */
  async tokenOf(presented: string): Promise<string> {
    const known = this.hashes.get(presented);
    if (known !== undefined) return known;
    const token = await sha256Hex(presented);
    if (this.hashes.size >= MAX_HASHES) this.hashes.delete(this.hashes.keys().next().value!);
    this.hashes.set(presented, token);
    return token;
  }

  /** The key's record and team, from the isolate's cache within its staleness bound. */
  async entry(token: string, defer: Defer): Promise<KeyEntry | null> {
    const key = await this.cached(this.keys, token, (now) => this.directory.key(token, now), defer);
    if (!key) return null;
    const teamId = key.team_id;
    const team = teamId ? await this.cached(this.teams, teamId, (now) => this.directory.team(teamId, now), defer) : null;
    return { key, team };
  }

  private async cached<T>(cache: RecordCache<T>, id: string, read: (now: number) => Promise<T | null>, defer: Defer): Promise<T | null> {
    const now = this.opts.now();
    const c = cache.read(id, now);
    if (c.state === 'fresh') return c.value;
    const fetched = read(now).then((value) => (cache.set(id, value, this.opts.now()), value));
    if (c.state === 'stale') {
      defer(fetched.catch((e) => (cache.unmark(id), Promise.reject(e))));
      return c.value;
    }
    return fetched;
  }

  now(): number {
    return this.opts.now();
  }

  /** Forgets a key in this isolate at once (the key API's own changes; other isolates follow within MAX_STALE_MS). */
  forget(token: string) {
    this.keys.delete(token);
  }

  /** Forgets every key and team in this isolate (a team changed). */
  forgetAll() {
    this.keys.clear();
    this.teams.clear();
  }

  /** Refuses a key that does not exist, is blocked or expired, or whose team is blocked. */
  async authenticate(presented: string, defer: Defer): Promise<AuthedKey> {
    const token = await this.tokenOf(presented);
    const entry = await this.entry(token, defer);
    if (!entry) throw unknownKey();
    const refusal = staticRefusal(entry, undefined, undefined, this.opts.now());
    if (refusal) throw refusalError(refusal);
    return { token, entry };
  }

  private client(account: Account): AccountClient {
    const name = `${account.kind}:${account.id}`;
    let c = this.clients.get(name);
    if (!c) {
      if (this.clients.size >= MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value!);
      const cache = (account.kind === 'key' ? this.keys : this.teams) as RecordCache<AccountRecord>;
      c = new AccountClient(() => this.directory.of(account), this.holder, (record) => cache.set(account.id, record, this.opts.now()));
      this.clients.set(name, c);
    }
    return c;
  }

  /**
   * Admits one request of `model` (about `estTokens` prompt tokens, at most `maxTokens` out) for an
   * authenticated key, or throws its refusal. Each limited account (the key, its team) admits it from this
   * isolate's lease, or, when the lease does not cover it, in one exact call to its object.
   */
  async admit(key: AuthedKey, model: string | undefined, estTokens: number, defer: Defer, maxTokens?: unknown, fallbackNames: readonly string[] = []): Promise<Admission> {
    const group = model === undefined ? undefined : this.groupOf(model);
    // The request's own fallbacks: each must be a model the key may call (the config's are the admin's).
    const fallbacks = fallbackNames.map((m) => ({ model: m, group: this.groupOf(m) }));
    const now = this.opts.now();
    const { entry } = key;
    // A budget spent (as the last answer said) stops here too: spent elsewhere, it stops this isolate with its next batch.
    const refusal = staticRefusal(entry, model, group, now, fallbacks) ?? budgetRefusal(entry.key) ?? (entry.team ? budgetRefusal(entry.team) : undefined);
    if (refusal) throw refusalError(refusal);
    const parts: Part[] = [{ account: { kind: 'key', id: key.token }, client: this.client({ kind: 'key', id: key.token }), record: entry.key }];
    if (entry.team) parts.push({ account: { kind: 'team', id: entry.team.team_id }, client: this.client({ kind: 'team', id: entry.team.team_id }), record: entry.team });
    if (!isLimited(entry)) return this.admission(key.token, entry, parts, defer);
    let fromRequest: number | undefined;
    const needOf = (p: Part): Need => ({
      model,
      group,
      estTokens,
      // A key or team with no cost history yet reserves what this request may cost at most (issue 27, 4).
      estMicros: p.client.costPerRequest !== undefined ? micros(p.client.costPerRequest) : (fromRequest ??= this.requestMicros(group, estTokens, maxTokens)),
    });
    const counting = parts.filter((p) => limited(p.record));
    const needs = counting.map(needOf);
    counting.forEach((p, i) => p.client.prepare(p.record, needs[i], now));
    const covered = counting.map((p, i) => p.client.covers(needs[i], now));
    counting.forEach((p, i) => covered[i] && (p.counted = p.client.spend(needs[i], now, defer)));
    if (covered.every(Boolean)) return this.admission(key.token, entry, parts, defer);
    const taken: Array<TakeResult | undefined> = await Promise.all(counting.map((p, i) => (covered[i] ? undefined : p.client.take(needs[i], now))));
    const refusals: Array<[number, Refusal]> = [];
    taken.forEach((t, i) => (t?.ok ? (counting[i].counted = t.counted) : t && refusals.push([i, t.refusal])));
    // The answers refreshed the records: the key's headers show its spend as of now.
    const fresh = { key: this.keys.peek(key.token) ?? entry.key, team: entry.team };
    if (refusals.length === 0) return this.admission(key.token, fresh, parts, defer);
    // Refused by one account: what the others counted is given back (a request count stays counted).
    for (const p of counting) if (p.counted) p.client.settle({ cost: 0, tokens: 0, counted: p.counted }, this.opts.now(), defer);
    refusals.sort(([a, ra], [b, rb]) => rank(ra) - rank(rb) || a - b);
    throw refusalError(refusals[0][1]);
  }

  private groupOf(model: string): string | undefined {
    try {
      return this.opts.groups()?.resolve(model);
    } catch {
      return undefined; // an unknown model: the Router answers it (404) once the key may ask for it
    }
  }

  /** The most this request may cost, micro-dollars: its prompt and max output, at its group's dearest prices. */
  private requestMicros(group: string | undefined, estTokens: number, maxTokens: unknown): number {
    const deployments = group === undefined ? [] : (this.opts.groups()?.deployments(group) ?? []);
    let most = 0;
    for (const d of deployments) {
      const out = typeof maxTokens === 'number' && maxTokens > 0 ? maxTokens : (d.info.max_output_tokens ?? DEFAULT_MAX_OUTPUT);
      most = Math.max(most, estTokens * (d.info.input_cost_per_token ?? 0) + out * (d.info.output_cost_per_token ?? 0));
    }
    return micros(most);
  }

  private admission(token: string, entry: KeyEntry, parts: Part[], defer: Defer): Admission {
    const { team } = entry;
    const tag = callerTag(entry);
    const scope = this.opts.cacheScope === 'team' && team ? `team:${team.team_id}` : `key:${token}`;
    const a = new Admission(tag, scope, keyHeaders(entry, parts[0]), (cost, tokens) => {
      const now = this.opts.now();
      for (const p of parts) p.client.settle({ cost, tokens, counted: p.counted }, now, defer);
    }, keyGuardrails(entry));
    this.admissions.set(tag, a);
    return a;
  }
}

/** Which refusal a client sees when several accounts refuse: access first, then budget, then rates. */
const rank = (r: Refusal) => (r.type === 'budget_exceeded' ? 1 : r.status === 429 ? 2 : 0);

/** One admitted request of a virtual key: what it tells the Router and the client, and its booking, done once. */
export class Admission {
  private settled = false;

  constructor(
    /** For RequestLog.caller: alias and team for logs, metrics and traces. */
    readonly tag: CallerTag | undefined,
    /** The response cache's caller scope. */
    readonly scope: string | undefined,
    /** x-litellm-key-spend, x-litellm-key-max-budget, x-ratelimit-*. */
    readonly headers: Record<string, string>,
    private readonly book: (cost: number, tokens: number | undefined) => void,
    /** The key's and its team's guardrails (metadata.guardrails), run on each of its requests. */
    readonly guardrails?: string[],
  ) {}

  /** Runs the request; one that throws before the Router's record exists still frees its admission. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      this.settle(0, 0);
      throw e;
    }
  }

  /** From the Router's record at the request's end (a stream's too): its cost, and tokens unless served from cache. */
  settleFrom(log: RequestLog) {
    this.settle(log.cost ?? 0, log.cacheHit ? 0 : (log.usage?.total_tokens ?? (log.ok ? undefined : 0)));
  }

  private settle(cost: number, tokens: number | undefined) {
    if (this.settled) return;
    this.settled = true;
    this.book(cost, tokens);
  }
}

/** The guardrails a key's requests run: the key's metadata.guardrails and its team's. */
export function keyGuardrails({ key, team }: KeyEntry): string[] | undefined {
  const of = (m: Record<string, unknown> | undefined) => (Array.isArray(m?.guardrails) ? (m.guardrails as unknown[]).filter((g): g is string => typeof g === 'string') : []);
  const all = [...of(key.metadata), ...of(team?.metadata)];
  return all.length ? [...new Set(all)] : undefined;
}

/** What logs, metrics and traces say of a key. */
export function callerTag({ key, team }: KeyEntry): CallerTag {
  return { keyName: key.key_name, keyAlias: key.key_alias ?? undefined, teamId: team?.team_id, teamAlias: team?.team_alias ?? undefined };
}

/** The master key, or an open gateway: nothing to enforce or book. */
export const NO_KEY = new Admission(undefined, undefined, {}, () => {});

function keyHeaders({ key }: KeyEntry, part: Part): Record<string, string> {
  const h: Record<string, string> = { 'x-litellm-key-spend': String(key.spend) };
  if (key.max_budget !== null) h['x-litellm-key-max-budget'] = String(key.max_budget);
  const r = remaining(key, part);
  if (r.rpmLimit !== undefined) h['x-ratelimit-limit-requests'] = String(r.rpmLimit);
  if (r.requests !== undefined) h['x-ratelimit-remaining-requests'] = String(r.requests);
  if (r.tpmLimit !== undefined) h['x-ratelimit-limit-tokens'] = String(r.tpmLimit);
  if (r.tokens !== undefined) h['x-ratelimit-remaining-tokens'] = String(r.tokens);
  return h;
}

/** The key's own rpm and tpm left this minute, as this isolate knows them. */
function remaining(key: KeyRecord, part: Part): Remaining {
  if (!part.counted) return {};
  const { used } = part.client;
  const current = used.minute === part.counted.minute;
  return {
    rpmLimit: key.rpm_limit ?? undefined,
    tpmLimit: key.tpm_limit ?? undefined,
    requests: key.rpm_limit === null ? undefined : Math.max(0, key.rpm_limit - (current ? used.rpm : 0)),
    tokens: key.tpm_limit === null ? undefined : Math.max(0, key.tpm_limit - (current ? used.tpm : 0)),
  };
}
