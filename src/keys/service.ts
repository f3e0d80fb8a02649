// Virtual keys on the request path: who a presented key is (cached per isolate), whether this request may
// go (locally for keys without limits, in one KeyStore call for keys with them), and booking what it cost
// once it ends (a Router callback, through waitUntil). One per gateway; the isolate's state lives here.
import { sha256Hex } from '../cache/key';
import type { CallerTag, RequestLog, RouterCallback } from '../observability/events';
import type { ModelGroups } from '../router/groups';
import type { Defer } from '../state/store';
import { Batcher } from '../utils/batcher';
import { EntryCache } from './cache';
import { isLimited, staticRefusal } from './policy';
import { refusalError, unknownKey } from './refusal';
import type { KeyStore, KeyStoreApi } from './store-object';
import type { KeyEntry, Remaining, Settlement } from './types';

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

export class KeyService {
  readonly callback: RouterCallback;
  private readonly cache = new EntryCache();
  private readonly hashes = new Map<string, string>();
  private readonly admissions = new WeakMap<CallerTag, Admission>();
  private readonly settlements: Batcher<Settlement>;

  constructor(private readonly opts: KeyServiceOptions) {
    this.settlements = new Batcher('virtual_keys', (items) => this.store().settle(items, this.opts.now()));
    const settle = (log: RequestLog) => (log.caller ? this.admissions.get(log.caller)?.settleFrom(log) : undefined);
    this.callback = { name: 'virtual_keys', onSuccess: settle, onFailure: settle };
  }

  store(): KeyStoreApi {
    const ns = this.opts.ns;
    return ns.get(ns.idFromName(`${this.opts.namespace ?? ''}keys`)) as unknown as KeyStoreApi;
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
    const now = this.opts.now();
    const cached = this.cache.read(token, now);
    if (cached.state === 'fresh') return cached.entry;
    const read = this.store()
      .lookup(token, now)
      .then((entry) => (this.cache.set(token, entry, this.opts.now()), entry));
    if (cached.state === 'stale') {
      defer(read.catch((e) => (this.cache.unmark(token), Promise.reject(e))));
      return cached.entry;
    }
    return read;
  }

  now(): number {
    return this.opts.now();
  }

  /** Forgets a key in this isolate at once (the key API's own changes; other isolates follow within MAX_STALE_MS). */
  forget(token: string) {
    this.cache.delete(token);
  }

  /** Forgets every key in this isolate (a team changed). */
  forgetAll() {
    this.cache.clear();
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

  /**
   * Admits one request of `model` (about `estTokens` prompt tokens) for an authenticated key, or throws its
   * refusal. Keys without any limit are checked from the cache; others in one KeyStore call that counts them.
   */
  async admit(key: AuthedKey, model: string | undefined, estTokens: number, defer: Defer, fallbackNames: readonly string[] = []): Promise<Admission> {
    const group = model === undefined ? undefined : this.groupOf(model);
    const fallbacks = fallbackNames.map((m) => ({ model: m, group: this.groupOf(m) }));
    const now = this.opts.now();
    if (!isLimited(key.entry)) {
      const refusal = staticRefusal(key.entry, model, group, now, fallbacks);
      if (refusal) throw refusalError(refusal);
      return this.admission(key.token, key.entry, defer);
    }
    const lease = crypto.randomUUID();
    const r = await this.store().admit({ token: key.token, model, group, fallbacks, estTokens, now, lease });
    this.cache.set(key.token, r.entry, this.opts.now());
    if (!r.ok) throw refusalError(r.refusal);
    return this.admission(key.token, r.entry, defer, { minute: r.minute, estTokens, lease }, r.remaining);
  }

  private groupOf(model: string): string | undefined {
    try {
      return this.opts.groups()?.resolve(model);
    } catch {
      return undefined; // an unknown model: the Router answers it (404) once the key may ask for it
    }
  }

  private admission(token: string, entry: KeyEntry, defer: Defer, counted?: Settlement['counted'], remaining: Remaining = {}): Admission {
    const { team } = entry;
    const tag = callerTag(entry);
    const scope = this.opts.cacheScope === 'team' && team ? `team:${team.team_id}` : `key:${token}`;
    const a = new Admission(tag, scope, keyHeaders(entry, remaining), (cost, tokens) => defer(this.settlements.add({ token, cost, tokens, counted })), keyGuardrails(entry));
    this.admissions.set(tag, a);
    return a;
  }
}

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

function keyHeaders({ key }: KeyEntry, remaining: Remaining): Record<string, string> {
  const h: Record<string, string> = { 'x-litellm-key-spend': String(key.spend) };
  if (key.max_budget !== null) h['x-litellm-key-max-budget'] = String(key.max_budget);
  if (remaining.rpmLimit !== undefined) h['x-ratelimit-limit-requests'] = String(remaining.rpmLimit);
  if (remaining.requests !== undefined) h['x-ratelimit-remaining-requests'] = String(remaining.requests);
  if (remaining.tpmLimit !== undefined) h['x-ratelimit-limit-tokens'] = String(remaining.tpmLimit);
  if (remaining.tokens !== undefined) h['x-ratelimit-remaining-tokens'] = String(remaining.tokens);
  return h;
}
