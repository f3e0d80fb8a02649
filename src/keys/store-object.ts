// The KeyStore Durable Object: every key, team, spend and per-minute count in one SQLite-backed object.
// One object runs one call at a time, which is what makes a key's rpm, parallel and budget limits exact
// across every isolate; it only ever sees keys' hashes. See ARCHITECTURE.md (Virtual keys) for the sizing.
import { DurableObject } from 'cloudflare:workers';
import { KeyLedger } from './ledger';
import { badRequest, notFound, teamConflict } from './team-rules';
import type { AdmitRequest, AdmitResult, KeyEntry, KeyRecord, Refusal, Settlement, TeamRecord } from './types';

export type Outcome<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

/** The object's methods as an isolate calls them (the stub's own typing cannot carry `metadata`'s unknown values). */
export type KeyStoreApi = {
  [K in 'lookup' | 'admit' | 'settle' | 'createKey' | 'updateKey' | 'rekey' | 'deleteKeys' | 'listKeys' | 'createTeam' | 'getTeam' | 'updateTeam' | 'deleteTeams' | 'listTeams']: KeyStore[K] extends (
    ...args: infer A
  ) => infer R
    ? (...args: A) => Promise<R>
    : never;
};

export interface KeyListQuery {
  team_id?: string;
  key_alias?: string;
  page: number;
  size: number;
}

export class KeyStore extends DurableObject {
  private readonly ledger = new KeyLedger();

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    const sql = ctx.storage.sql;
    sql.exec('CREATE TABLE IF NOT EXISTS keys (token TEXT PRIMARY KEY, data TEXT NOT NULL)');
    sql.exec('CREATE TABLE IF NOT EXISTS teams (team_id TEXT PRIMARY KEY, data TEXT NOT NULL)');
    sql.exec('CREATE TABLE IF NOT EXISTS usage (id TEXT PRIMARY KEY, data TEXT NOT NULL)');
    for (const r of sql.exec<{ token: string; data: string }>('SELECT token, data FROM keys')) this.ledger.keys.set(r.token, JSON.parse(r.data));
    for (const r of sql.exec<{ team_id: string; data: string }>('SELECT team_id, data FROM teams')) this.ledger.teams.set(r.team_id, JSON.parse(r.data));
    for (const r of sql.exec<{ id: string; data: string }>('SELECT id, data FROM usage')) this.ledger.usage.set(r.id, JSON.parse(r.data));
  }

  /** Writes what the last call changed (before the call answers: the output gate holds the reply until it is stored). */
  private persist() {
    const sql = this.ctx.storage.sql;
    const { keys, teams, usage } = this.ledger.takeChanges();
    for (const t of keys) {
      const k = this.ledger.keys.get(t);
      if (k) sql.exec('INSERT OR REPLACE INTO keys (token, data) VALUES (?, ?)', t, JSON.stringify(k));
      else sql.exec('DELETE FROM keys WHERE token = ?', t);
    }
    for (const id of teams) {
      const team = this.ledger.teams.get(id);
      if (team) sql.exec('INSERT OR REPLACE INTO teams (team_id, data) VALUES (?, ?)', id, JSON.stringify(team));
      else sql.exec('DELETE FROM teams WHERE team_id = ?', id);
    }
    for (const id of usage) {
      const u = this.ledger.usage.get(id);
      if (u) sql.exec('INSERT OR REPLACE INTO usage (id, data) VALUES (?, ?)', id, JSON.stringify(u));
      else sql.exec('DELETE FROM usage WHERE id = ?', id);
    }
  }

  private done<T>(value: T): T {
    this.persist();
    return value;
  }

  // ---- the request path ----

  lookup(token: string, now: number): KeyEntry | null {
    return this.done(this.ledger.entry(token, now));
  }

  admit(req: AdmitRequest): AdmitResult {
    return this.done(this.ledger.admit(req));
  }

  settle(items: Settlement[], now: number): void {
    for (const s of items) this.ledger.settle(s, now);
    this.persist();
  }

  // ---- /key/* ----

  createKey(key: KeyRecord): Outcome<KeyEntry> {
    if (this.ledger.keys.has(key.token)) return { ok: false, refusal: badRequest('This key already exists', 'key') };
    const refusal = this.aliasTaken(key.key_alias, key.token) ?? this.teamRefusal(key);
    if (refusal) return { ok: false, refusal };
    this.ledger.keys.set(key.token, key);
    this.ledger.changed.keys.add(key.token);
    return this.done({ ok: true, value: this.ledger.entry(key.token, Date.parse(key.created_at))! });
  }

  /** Applies `patch` to a key, refusing a change its team would not allow. */
  updateKey(token: string, patch: Partial<KeyRecord>, now: number): Outcome<KeyEntry> {
    const current = this.ledger.keys.get(token);
    if (!current) return { ok: false, refusal: notFound(`Key not found: ${token}`, 'key') };
    const next: KeyRecord = { ...current, ...patch, token, updated_at: new Date(now).toISOString() };
    const refusal = this.aliasTaken(next.key_alias, token) ?? this.teamRefusal(next);
    if (refusal) return { ok: false, refusal };
    this.ledger.keys.set(token, next);
    this.ledger.changed.keys.add(token);
    return this.done({ ok: true, value: this.ledger.entry(token, now)! });
  }

  /** The key under a new hash (regenerate): same settings and spend, the old key stops working at once. */
  rekey(token: string, next: Pick<KeyRecord, 'token' | 'key_name'>, patch: Partial<KeyRecord>, now: number): Outcome<KeyEntry> {
    const current = this.ledger.keys.get(token);
    if (!current) return { ok: false, refusal: notFound(`Key not found: ${token}`, 'key') };
    this.ledger.keys.delete(token);
    this.ledger.changed.keys.add(token);
    const usage = this.ledger.usage.get(`key:${token}`);
    if (usage) {
      this.ledger.usage.delete(`key:${token}`);
      this.ledger.usage.set(`key:${next.token}`, usage);
      this.ledger.changed.usage.add(`key:${token}`).add(`key:${next.token}`);
    }
    const record: KeyRecord = { ...current, ...patch, ...next, updated_at: new Date(now).toISOString() };
    this.ledger.keys.set(next.token, record);
    this.ledger.changed.keys.add(next.token);
    return this.done({ ok: true, value: this.ledger.entry(next.token, now)! });
  }

  /** Deletes keys by hash or by alias; answers the hashes deleted. */
  deleteKeys(tokens: string[], aliases: string[]): string[] {
    const gone: string[] = [];
    for (const k of this.ledger.keys.values()) {
      if (tokens.includes(k.token) || (k.key_alias !== null && aliases.includes(k.key_alias))) gone.push(k.token);
    }
    for (const t of gone) this.dropKey(t);
    return this.done(gone);
  }

  listKeys(q: KeyListQuery, now: number): { keys: KeyRecord[]; total: number } {
    const all = [...this.ledger.keys.values()]
      .filter((k) => (q.team_id === undefined || k.team_id === q.team_id) && (q.key_alias === undefined || k.key_alias === q.key_alias))
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
    const page = all.slice((q.page - 1) * q.size, q.page * q.size).map((k) => this.ledger.entry(k.token, now)!.key);
    return this.done({ keys: page, total: all.length });
  }

  // ---- /team/* ----

  createTeam(team: TeamRecord): Outcome<TeamRecord> {
    if (this.ledger.teams.has(team.team_id)) return { ok: false, refusal: badRequest(`Team id ${team.team_id} already exists`, 'team_id') };
    this.ledger.teams.set(team.team_id, team);
    this.ledger.changed.teams.add(team.team_id);
    return this.done({ ok: true, value: team });
  }

  getTeam(teamId: string, now: number): { team: TeamRecord; keys: KeyRecord[] } | null {
    const team = this.ledger.team(teamId, now);
    if (!team) return null;
    const keys = [...this.ledger.keys.values()].filter((k) => k.team_id === teamId).map((k) => this.ledger.entry(k.token, now)!.key);
    return this.done({ team, keys });
  }

  updateTeam(teamId: string, patch: Partial<TeamRecord>, now: number): Outcome<TeamRecord> {
    const current = this.ledger.teams.get(teamId);
    if (!current) return { ok: false, refusal: notFound(`Team not found: ${teamId}`, 'team_id') };
    const next: TeamRecord = { ...current, ...patch, team_id: teamId, updated_at: new Date(now).toISOString() };
    this.ledger.teams.set(teamId, next);
    this.ledger.changed.teams.add(teamId);
    return this.done({ ok: true, value: next });
  }

  /** Deletes teams and, as LiteLLM does, their keys; answers the team ids deleted. */
  deleteTeams(teamIds: string[]): Outcome<string[]> {
    const missing = teamIds.filter((id) => !this.ledger.teams.has(id));
    if (missing.length > 0) return { ok: false, refusal: notFound(`Team not found: ${missing.join(', ')}`, 'team_ids') };
    for (const id of teamIds) {
      for (const k of [...this.ledger.keys.values()]) if (k.team_id === id) this.dropKey(k.token);
      this.ledger.teams.delete(id);
      this.ledger.usage.delete(`team:${id}`);
      this.ledger.changed.teams.add(id);
      this.ledger.changed.usage.add(`team:${id}`);
    }
    return this.done({ ok: true, value: teamIds });
  }

  listTeams(now: number): TeamRecord[] {
    const teams = [...this.ledger.teams.keys()].map((id) => this.ledger.team(id, now)!);
    return this.done(teams.sort((a, b) => a.created_at.localeCompare(b.created_at)));
  }

  // ---- helpers ----

  private dropKey(token: string) {
    this.ledger.keys.delete(token);
    this.ledger.usage.delete(`key:${token}`);
    this.ledger.changed.keys.add(token);
    this.ledger.changed.usage.add(`key:${token}`);
  }

  private aliasTaken(alias: string | null, token: string): Refusal | undefined {
    if (alias === null) return undefined;
    for (const k of this.ledger.keys.values()) {
      if (k.key_alias === alias && k.token !== token) return badRequest(`Unique key aliases across all keys are required: ${alias} is taken`, 'key_alias');
    }
    return undefined;
  }

  private teamRefusal(key: KeyRecord): Refusal | undefined {
    if (key.team_id === null) return undefined;
    const team = this.ledger.teams.get(key.team_id);
    if (!team) return badRequest(`Team not found: ${key.team_id}. Create it with /team/new first`, 'team_id');
    return teamConflict(key, team);
  }
}
