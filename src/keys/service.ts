// Virtual keys on the request path: who a presented key is (cached per isolate), whether this request may
// go (from this isolate's leases on the key's and team's objects, or in one exact `admit` when no lease
// covers it), and booking what it cost once it ends (a Router callback; batched, through waitUntil). One per
// gateway; the isolate's state lives here.
import { digestHex } from '../utils/digest';
import type { Booking, CallerTag, RequestLog, RouterCallback } from '../observability/events';
import type { ModelGroups } from '../router/groups';
import type { Defer } from '../state/store';
import type { Part } from './admit';
import { countOn, mostMicros } from './admit';
import { AccountClient } from './account-client';
import { RecordCache } from './cache';
import { budgetRecord, KeyDirectory } from './directory';
import { accountRefusal, budgetRefusal, staticRefusal } from './policy';
import { refusalError, unknownKey } from './refusal';
import type { KeyStore, ListedNames } from './store-object';
import type { Account, AccountRecord, Asked, BudgetRecord, KeyEntry, KeyRecord, Refusal, Remaining, TeamRecord, UserRecord } from './types';

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
  /** litellm_settings.max_end_user_budget: the budget of a customer created by its first request. */
  defaultCustomerBudget?: number;
}

/** A presented key that exists and may be used (not blocked, not expired), as of the isolate's cache. */
export interface AuthedKey {
  token: string;
  entry: KeyEntry;
  /** What logs, metrics and traces say of it (callerTag), made once per record. */
  tag: CallerTag;
  /** The response cache's scope under virtual_key_cache_scope: key. */
  keyScope: string;
  /** Every account the key counts on (the key, its team, its user, its budget in the team), with its record. */
  accounts: ReadonlyArray<readonly [Account, AccountRecord]>;
  /** The guardrails its requests run: the key's metadata.guardrails and its team's. */
  guardrails?: string[];
}

/** The hashes of keys recently presented to this isolate, so a request does not hash its key again. */
const MAX_HASHES = 1024;
/** The isolate's clients of key and team objects (each holds its leases and unsent bookings). */
const MAX_CLIENTS = 10_000;


export class KeyService {
  readonly callback: RouterCallback;
  readonly directory: KeyDirectory;
  /** One holder per isolate's service: the objects keep this isolate's leases under it. */
  readonly holder = crypto.randomUUID();
  /** Each kind of account's records (keys, teams, users, members, tags, customers), as this isolate last read them. */
  private readonly records: Partial<Record<Account['kind'], RecordCache<AccountRecord>>> = {};
  /**
   * Which tags and customers can have a budget: those the admin API made or changed, as the index lists them
   * (a kind with more than MAX_LISTED names comes back unlisted, null: each of its names is then read from its
   * own object). A name not on the list costs nothing more. Used while refreshed in the background (at most one
   * read per FRESH_MS, only while requests name tags or customers), read again before the request goes on when
   * older than NAMES_MAX_STALE_MS: a tag or customer made (or blocked) takes effect in every isolate within it.
   */
  private readonly names = new RecordCache<ListedNames>(NAMES_MAX_STALE_MS);
  /** Per kind, by id: the account's name is not built (from a 64-character hash) per request. */
  private readonly clients: Partial<Record<Account['kind'], Map<string, AccountClient>>> = {};
  private readonly hashes = new Map<string, string>();
  /** The AuthedKey of a key record as last cached (with the records it was made with): one per record, not per request. */
  private readonly authed = new WeakMap<KeyRecord, AuthedKey>();

  constructor(private readonly opts: KeyServiceOptions) {
    this.directory = new KeyDirectory(opts.ns, opts.namespace);
    const settle = (log: RequestLog) => log.admission?.settleFrom(log);
    this.callback = { name: 'virtual_keys', onSuccess: settle, onFailure: settle };
  }

  /** LiteLLM's hash of a key: SHA-256, hex. */
  async tokenOf(presented: string): Promise<string> {
    const known = this.hashes.get(presented);
    if (known !== undefined) return known;
    const token = await digestHex(presented);
    if (this.hashes.size >= MAX_HASHES) this.hashes.delete(this.hashes.keys().next().value!);
    this.hashes.set(presented, token);
    return token;
  }

  /**
   * The key's record, its team's and its user's (read at once), and its membership's in the team when that has
   * a budget: from the isolate's cache within its staleness bound.
   */
  async entry(token: string, defer: Defer): Promise<KeyEntry | null> {
    const key = (await this.record({ kind: 'key', id: token }, defer)) as KeyRecord | null;
    if (!key) return null;
    const { team_id: t, user_id: u } = key;
    const [team, user] = (await Promise.all([t && this.record({ kind: 'team', id: t }, defer), u && this.record({ kind: 'user', id: u }, defer)])) as [TeamRecord | null, UserRecord | null];
    const m = memberOf(team, u);
    const member = m ? ((await this.record(m, defer)) as UserRecord | null) : null;
    return { key, team: team || null, user: user || null, member };
  }

  private cache(kind: Account['kind']): RecordCache<AccountRecord> {
    return (this.records[kind] ??= new RecordCache());
  }

  /** An account's record from the isolate's cache (read from its object, or by `read`, when not fresh). */
  private record(account: Account, defer: Defer, read = (now: number) => this.directory.of(account).lookup(now)): Promise<AccountRecord | null> {
    return this.cached(this.cache(account.kind), account.id, read, defer);
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

  /**
   * Forgets every record and the list of budgeted names in this isolate: after a change through key management,
   * it applies here at once; other isolates read it within their bounds (MAX_STALE_MS, NAMES_MAX_STALE_MS).
   */
  forgetAll() {
    for (const c of Object.values(this.records)) c.clear();
    this.names.delete('');
  }

  /**
   * Refuses a key that does not exist, is blocked or expired, or whose team or user is blocked. Synchronous while
   * the key's hash is known and its records (its team's, user's and membership's too) are fresh: the steady state
   * has no await on the request path.
   */
  authenticate(presented: string, defer: Defer): AuthedKey | Promise<AuthedKey> {
    const token = this.hashes.get(presented);
    return (token !== undefined && this.authedFromFresh(token, this.opts.now())) || this.authenticateByReading(presented, defer);
  }

  private async authenticateByReading(presented: string, defer: Defer): Promise<AuthedKey> {
    const token = await this.tokenOf(presented);
    const entry = await this.entry(token, defer);
    if (!entry) throw unknownKey();
    return this.authedKey(token, entry.key, entry.team, entry.user ?? null, entry.member ?? null, this.opts.now());
  }

  /** As entry() would answer from fresh records alone (undefined: one of them must be read first). */
  private authedFromFresh(token: string, now: number): AuthedKey | undefined {
    const key = this.cache('key').fresh(token, now) as KeyRecord | null | undefined;
    if (key === null) throw unknownKey();
    if (key === undefined) return undefined;
    const { team_id: t, user_id: u } = key;
    const team = t ? (this.cache('team').fresh(t, now) as TeamRecord | null | undefined) : null;
    const user = u ? (this.cache('user').fresh(u, now) as UserRecord | null | undefined) : null;
    if (team === undefined || user === undefined) return undefined;
    const m = memberOf(team, u);
    const member = m ? (this.cache('member').fresh(m.id, now) as UserRecord | null | undefined) : null;
    if (member === undefined) return undefined;
    return this.authedKey(token, key, team, user, member, now);
  }

  private authedKey(token: string, key: KeyRecord, team: TeamRecord | null, user: UserRecord | null, member: UserRecord | null, now: number): AuthedKey {
    let authed = this.authed.get(key);
    if (!authed || authed.entry.team !== team || authed.entry.user !== user || authed.entry.member !== member) {
      const entry = { key, team, user, member };
      const accounts: Array<readonly [Account, AccountRecord]> = [[{ kind: 'key', id: token }, key]];
      if (team) accounts.push([{ kind: 'team', id: team.team_id }, team]);
      if (user) accounts.push([{ kind: 'user', id: user.user_id }, user]);
      const m = member && memberOf(team, key.user_id);
      if (m) accounts.push([m, member!]);
      authed = { token, entry, tag: callerTag(entry), keyScope: `key:${token}`, accounts, guardrails: keyGuardrails(entry) };
      this.authed.set(key, authed);
    }
    const refusal = staticRefusal(authed.entry, {}, now);
    if (refusal) throw refusalError(refusal);
    return authed;
  }

  private client(account: Account): AccountClient {
    const clients = (this.clients[account.kind] ??= new Map());
    let c = clients.get(account.id);
    if (!c) {
      if (clients.size >= MAX_CLIENTS) clients.delete(clients.keys().next().value!);
      const cache = this.cache(account.kind);
      c = new AccountClient(() => this.directory.of(account), this.holder, (record) => cache.set(account.id, record, this.opts.now()));
      clients.set(account.id, c);
    }
    return c;
  }

  /**
   * Admits one request of `model` (about `estTokens` prompt tokens, at most `maxTokens` out) for an
   * authenticated key (none: the master key) and the request's tags and customer, or throws the refusal.
   * Each limited account (the key, its team, a tag, the customer) admits it from this isolate's lease, or,
   * when the lease does not cover it, in one exact call to its object.
   */
  admit(key: AuthedKey | undefined, model: string | undefined, estTokens: number, defer: Defer, maxTokens?: unknown, fallbackNames: readonly string[] = [], budgets: RequestBudgets = {}): Admission | Promise<Admission> {
    const asked: Asked = model === undefined ? {} : this.asked(model);
    const { group } = asked;
    const now = this.opts.now();
    const parts: Part[] = [];
    if (key) {
      // The request's own fallbacks: each must be a model the key may call (the config's are the admin's).
      const fallbacks = fallbackNames.map((m) => this.asked(m));
      // Every account the key counts on: the key, its team, its user, its budget in the team.
      for (const [account, record] of key.accounts) parts.push(this.part(account, record));
      // A budget spent (as the last answer said) stops here too: spent elsewhere, it stops this isolate with its next batch.
      const refusal = staticRefusal(key.entry, asked, now, fallbacks) ?? parts.map((p) => budgetRefusal(p.record)).find(Boolean);
      if (refusal) throw refusalError(refusal);
    }
    const count = () => {
      if (parts.length === 0) return NO_KEY;
      const most = () => mostMicros(group === undefined ? [] : (this.opts.groups()?.deployments(group) ?? []), estTokens, maxTokens);
      const counted = countOn(parts, { ...asked, estTokens }, most, now, defer, this.opts.now);
      return counted instanceof Promise ? counted.then((refusal) => this.admitted(key, parts, refusal, defer)) : this.admitted(key, parts, counted, defer);
    };
    // A request that names no tag or customer has nothing more to read: counted without an await.
    if (!budgets.tags?.length && budgets.customer === undefined) return count();
    return this.budgetsOf(budgets, defer).then((found) => {
      for (const b of found) {
        const refusal = accountRefusal(b, asked, now) ?? budgetRefusal(b);
        if (refusal) throw refusalError(refusal);
        parts.push(this.part({ kind: b.scope, id: b.name }, b));
      }
      return count();
    });
  }

  private admitted(key: AuthedKey | undefined, parts: Part[], refusal: Refusal | undefined, defer: Defer): Admission {
    if (refusal) throw refusalError(refusal);
    // The answers refreshed the records: the key's headers show its spend as of now.
    const entry = key && { ...key.entry, key: (this.cache('key').peek(key.token) as KeyRecord | undefined) ?? key.entry.key };
    return this.admission(key, entry, parts, defer);
  }

  private part(account: Account, record: AccountRecord): Part {
    return { client: this.client(account), record };
  }

  /**
   * The records of the request's tags and customer that can have a budget: names the admin API made (the
   * isolate's list, `names`), and under max_end_user_budget every customer (made with the
   * default budget by the first read of its record). Any other name costs nothing.
   */
  private async budgetsOf({ tags = [], customer }: RequestBudgets, defer: Defer): Promise<BudgetRecord[]> {
    const max = this.opts.defaultCustomerBudget;
    const listed = tags.length > 0 || (customer !== undefined && max === undefined) ? await this.cached(this.names, '', () => this.directory.index().budgetNames(), defer) : undefined;
    const mayHave = (names: string[] | null, name: string) => names === null || names.includes(name);
    const named: Account[] = tags.filter((t) => mayHave(listed!.tag, t)).map((id) => ({ kind: 'tag', id }));
    if (customer !== undefined && (max !== undefined || mayHave(listed!.customer, customer))) named.push({ kind: 'customer', id: customer });
    const read = (a: Account) => (now: number) =>
      (max !== undefined && a.kind === 'customer' ? this.directory.of(a).ensure(budgetRecord('customer', a.id, { max_budget: max }, now), now, false) : this.directory.of(a).lookup(now)) as Promise<BudgetRecord | null>;
    const found = await Promise.all(named.map((a) => this.record(a, defer, read(a))));
    return found.filter((r) => r !== null) as BudgetRecord[];
  }

  /** A model as a key's `models` are checked against it: its name, its group, the access groups that group is in. */
  asked(model: string): Asked {
    const groups = this.opts.groups();
    try {
      const group = groups!.resolve(model);
      return { model, group, access: groups!.accessOf(group) };
    } catch {
      return { model }; // an unknown model: the Router answers it (404) once the key may ask for it
    }
  }

  private admission(key: AuthedKey | undefined, entry: KeyEntry | undefined, parts: Part[], defer: Defer): Admission {
    const team = entry?.team;
    const scope = key === undefined ? undefined : this.opts.cacheScope === 'team' && team ? `team:${team.team_id}` : key.keyScope;
    return new Admission(key?.tag, scope, entry ? keyHeaders(entry, parts[0]) : {}, (cost, tokens) => {
      const now = this.opts.now();
      for (const p of parts) p.client.settle({ cost, tokens, counted: p.counted }, now, defer);
    }, key?.guardrails);
  }
}

export const NAMES_MAX_STALE_MS = 10_000;

/** What a request names beside its key that may carry a budget. */
export interface RequestBudgets {
  tags?: string[];
  customer?: string;
}

/** One admitted request (of a virtual key, its tags, its customer): what it tells the Router and the client, and its booking, done once. */
export class Admission implements Booking {
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

  /** A call the Router never books (count_tokens): what it reserved is given back at once. */
  free() {
    this.settle(0, 0);
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

/** A user's membership of the team as an account, when the team gives that user a budget of its own. */
function memberOf(team: TeamRecord | null | undefined, userId: string | null | undefined): Account | undefined {
  const budgeted = userId && team?.team_memberships?.some((m) => m.user_id === userId && m.litellm_budget_table?.max_budget != null);
  return budgeted ? { kind: 'member', id: `${team!.team_id} ${userId}` } : undefined;
}

/** The guardrails a key's requests run: the key's metadata.guardrails and its team's. */
export function keyGuardrails({ key, team }: KeyEntry): string[] | undefined {
  const of = (m: Record<string, unknown> | undefined) => (Array.isArray(m?.guardrails) ? (m.guardrails as unknown[]).filter((g): g is string => typeof g === 'string') : []);
  const all = [...of(key.metadata), ...of(team?.metadata)];
  return all.length ? [...new Set(all)] : undefined;
}

/** What logs, metrics and traces say of a key. */
export function callerTag({ key, team }: KeyEntry): CallerTag {
  return {
    keyName: key.key_name,
    keyAlias: key.key_alias ?? undefined,
    teamId: team?.team_id,
    teamAlias: team?.team_alias ?? undefined,
    keyHash: key.token,
    userId: key.user_id,
  };
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
