// The KeyStore Durable Object, sharded: one object per key (`key:<hash>`) and one per team (`team:<id>`),
// each holding its record, what its limits counted and its leases (src/keys/account.ts), and one index
// (`keys`) of which keys and teams exist, by alias and team, for the admin API's listings and uniqueness
// checks: never on the request path. It only ever sees keys' hashes. See ARCHITECTURE.md (Virtual keys).
import { DurableObject } from 'cloudflare:workers';
import type { Held, Tally } from '../state/lease-desk';
import { AccountState } from './account';
import { badRequest, notFound } from './team-rules';
import type { AccountAnswer, AccountRecord, AccountSync, KeyRecord, Refusal } from './types';

export type Outcome<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

/** A key as the index knows it: enough to list, page, find by alias or team. */
export interface KeyRow {
  token: string;
  key_alias: string | null;
  team_id: string | null;
  created_at: string;
}

export interface KeyListQuery {
  team_id?: string;
  key_alias?: string;
  page: number;
  size: number;
}

type Method =
  | 'lookup' | 'admit' | 'settle' | 'create' | 'update' | 'remove' | 'tally'
  | 'claimKey' | 'setKeyRow' | 'moveKey' | 'dropKeys' | 'listKeys' | 'keysOfTeam' | 'claimTeam' | 'dropTeams' | 'listTeams';

/** The object's methods as an isolate calls them (the stub's own typing cannot carry `metadata`'s unknown values). */
export type KeyStoreApi = {
  [K in Method]: KeyStore[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;
};

export class KeyStore extends DurableObject {
  private account?: AccountState;
  private indexReady = false;
  /** Callers' clocks differ a little: the object's time only moves forward. */
  private lastNow = 0;

  private clock(now: number): number {
    return (this.lastNow = Math.max(this.lastNow, now));
  }

  // ---- a key's or team's object ----

  private state(): AccountState {
    if (this.account) return this.account;
    const sql = this.ctx.storage.sql;
    sql.exec('CREATE TABLE IF NOT EXISTS account (name TEXT PRIMARY KEY, data TEXT NOT NULL)');
    sql.exec('CREATE TABLE IF NOT EXISTS leases (id TEXT NOT NULL, holder TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (id, holder))');
    const rows = new Map(sql.exec<{ name: string; data: string }>('SELECT name, data FROM account').toArray().map((r) => [r.name, JSON.parse(r.data)]));
    const tallies: Record<string, Tally> = {};
    for (const [name, data] of rows) if (name.startsWith('tally:')) tallies[name.slice(6)] = data as Tally;
    const leases = sql
      .exec<{ id: string; holder: string; data: string }>('SELECT id, holder, data FROM leases')
      .toArray()
      .map((r) => ({ id: r.id, holder: r.holder, rec: JSON.parse(r.data) as Held }));
    this.account = new AccountState();
    this.account.restore((rows.get('record') as AccountRecord | undefined) ?? null, tallies, leases, rows.get('cost') as number | undefined);
    return this.account;
  }

  /**
   * Writes what the call changed, inside the call (the output gate holds the answer until it is stored):
   * a restart loses no spend and knows every lease it granted.
   */
  private persist<T>(value: T): T {
    const a = this.state();
    const sql = this.ctx.storage.sql;
    const { record, tallies, leases } = a.takeChanges();
    const put = (name: string, data: unknown) => sql.exec('INSERT OR REPLACE INTO account (name, data) VALUES (?, ?)', name, JSON.stringify(data));
    if (record) {
      if (a.record) put('record', a.record);
      else sql.exec('DELETE FROM account WHERE name = ?', 'record');
      if (a.costPerRequest !== undefined) put('cost', a.costPerRequest);
    }
    for (const id of tallies) {
      const t = a.tallies.stats.get(id);
      if (t) put(`tally:${id}`, t);
      else sql.exec('DELETE FROM account WHERE name = ?', `tally:${id}`);
    }
    for (const { id, holder } of leases.values()) {
      const rec = a.desk.record(id, holder);
      if (rec) sql.exec('INSERT OR REPLACE INTO leases (id, holder, data) VALUES (?, ?, ?)', id, holder, JSON.stringify(rec));
      else sql.exec('DELETE FROM leases WHERE id = ? AND holder = ?', id, holder);
    }
    return value;
  }

  lookup(now: number): AccountRecord | null {
    return this.persist(this.state().read(this.clock(now)));
  }

  /** An isolate's batch with an exact take: a request waits for this one. */
  admit(msg: AccountSync): AccountAnswer {
    return this.persist(this.state().sync(msg, this.clock(msg.now)));
  }

  /** An isolate's batch in the background: lease spends and asks, finished requests. */
  settle(msg: AccountSync): AccountAnswer {
    return this.persist(this.state().sync(msg, this.clock(msg.now)));
  }

  create(record: AccountRecord, refusal: Refusal): Outcome<AccountRecord> {
    const a = this.state();
    if (a.record) return { ok: false, refusal };
    a.set(record, this.clock(Date.parse(record.created_at)));
    return this.persist({ ok: true, value: record });
  }

  /** Applies `patch` (the caller checked it against the team's rules). */
  update(patch: Partial<AccountRecord>, now: number, missing: Refusal): Outcome<AccountRecord> {
    const a = this.state();
    const current = a.read(this.clock(now));
    if (!current) return { ok: false, refusal: missing };
    const next = { ...current, ...patch, updated_at: new Date(now).toISOString() } as AccountRecord;
    a.set(next, this.lastNow);
    return this.persist({ ok: true, value: next });
  }

  /** This minute's rate counts (a regenerated key takes them along). */
  tally(): Record<string, Tally> {
    return Object.fromEntries(this.state().tallies.stats);
  }

  /** Deletes the key or team: every isolate's next sync hears it is gone. */
  remove(): AccountRecord | null {
    const a = this.state();
    const was = a.record;
    this.ctx.storage.sql.exec('DELETE FROM account');
    this.ctx.storage.sql.exec('DELETE FROM leases');
    this.account = new AccountState();
    return was;
  }

  // ---- the index ----

  private index() {
    if (this.indexReady) return this.ctx.storage.sql;
    const sql = this.ctx.storage.sql;
    sql.exec('CREATE TABLE IF NOT EXISTS key_index (token TEXT PRIMARY KEY, alias TEXT UNIQUE, team_id TEXT, created_at TEXT NOT NULL)');
    sql.exec('CREATE INDEX IF NOT EXISTS key_index_team ON key_index (team_id)');
    sql.exec('CREATE TABLE IF NOT EXISTS team_index (team_id TEXT PRIMARY KEY, created_at TEXT NOT NULL)');
    this.indexReady = true;
    return sql;
  }

  private aliasTaken(alias: string | null, token: string): Refusal | undefined {
    if (alias === null) return undefined;
    const other = this.index().exec<{ token: string }>('SELECT token FROM key_index WHERE alias = ?', alias).toArray()[0];
    return other && other.token !== token ? badRequest(`Unique key aliases across all keys are required: ${alias} is taken`, 'key_alias') : undefined;
  }

  claimKey(row: KeyRow): Outcome<true> {
    const sql = this.index();
    if (sql.exec('SELECT 1 FROM key_index WHERE token = ?', row.token).toArray().length > 0) return { ok: false, refusal: badRequest('This key already exists', 'key') };
    const refusal = this.aliasTaken(row.key_alias, row.token);
    if (refusal) return { ok: false, refusal };
    sql.exec('INSERT INTO key_index (token, alias, team_id, created_at) VALUES (?, ?, ?, ?)', row.token, row.key_alias, row.team_id, row.created_at);
    return { ok: true, value: true };
  }

  setKeyRow(token: string, row: Pick<KeyRow, 'key_alias' | 'team_id'>): Outcome<true> {
    const refusal = this.aliasTaken(row.key_alias, token);
    if (refusal) return { ok: false, refusal };
    this.index().exec('UPDATE key_index SET alias = ?, team_id = ? WHERE token = ?', row.key_alias, row.team_id, token);
    return { ok: true, value: true };
  }

  moveKey(from: string, to: string): void {
    this.index().exec('UPDATE key_index SET token = ? WHERE token = ?', to, from);
  }

  /** Removes keys by hash or alias; answers the hashes removed. */
  dropKeys(tokens: string[], aliases: string[]): string[] {
    const sql = this.index();
    const gone = new Set<string>();
    for (const t of tokens) for (const r of sql.exec<{ token: string }>('SELECT token FROM key_index WHERE token = ?', t)) gone.add(r.token);
    for (const a of aliases) for (const r of sql.exec<{ token: string }>('SELECT token FROM key_index WHERE alias = ?', a)) gone.add(r.token);
    for (const t of gone) sql.exec('DELETE FROM key_index WHERE token = ?', t);
    return [...gone];
  }

  listKeys(q: KeyListQuery): { tokens: string[]; total: number } {
    const where: string[] = [];
    const args: string[] = [];
    if (q.team_id !== undefined) where.push('team_id = ?') && args.push(q.team_id);
    if (q.key_alias !== undefined) where.push('alias = ?') && args.push(q.key_alias);
    const clause = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
    const sql = this.index();
    const total = sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM key_index${clause}`, ...args).one().n;
    const tokens = sql
      .exec<{ token: string }>(`SELECT token FROM key_index${clause} ORDER BY created_at, rowid LIMIT ? OFFSET ?`, ...args, q.size, (q.page - 1) * q.size)
      .toArray()
      .map((r) => r.token);
    return { tokens, total };
  }

  keysOfTeam(teamId: string): string[] {
    return this.index()
      .exec<{ token: string }>('SELECT token FROM key_index WHERE team_id = ? ORDER BY created_at, rowid', teamId)
      .toArray()
      .map((r) => r.token);
  }

  claimTeam(teamId: string, createdAt: string): Outcome<true> {
    const sql = this.index();
    if (sql.exec('SELECT 1 FROM team_index WHERE team_id = ?', teamId).toArray().length > 0) {
      return { ok: false, refusal: badRequest(`Team id ${teamId} already exists`, 'team_id') };
    }
    sql.exec('INSERT INTO team_index (team_id, created_at) VALUES (?, ?)', teamId, createdAt);
    return { ok: true, value: true };
  }

  dropTeams(teamIds: string[]): void {
    for (const id of teamIds) this.index().exec('DELETE FROM team_index WHERE team_id = ?', id);
  }

  listTeams(): string[] {
    return this.index()
      .exec<{ team_id: string }>('SELECT team_id FROM team_index ORDER BY created_at, rowid')
      .toArray()
      .map((r) => r.team_id);
  }
}

export const keyNotFound = (token: string) => notFound(`Key not found: ${token}`, 'key');
export type { KeyRecord };
