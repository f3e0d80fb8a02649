// Which KeyStore object holds what, and the admin API's operations across them: a key's object, its team's
// object and the index, in that order of truth (the index only lists; a key without its own record does
// not exist). None of this is on the request path but the reads of a key and a team.
import { teamConflict, badRequest, notFound } from './team-rules';
import type { KeyListQuery, KeyStore, KeyStoreApi, Outcome } from './store-object';
import { keyNotFound } from './store-object';
import type { Account, KeyEntry, KeyRecord, Refusal, TeamRecord } from './types';

/** How many objects a listing reads at once. */
const FAN_OUT = 50;

export class KeyDirectory {
  constructor(
    private readonly ns: DurableObjectNamespace<KeyStore>,
    /** Keeps this gateway's objects apart from others on the same binding (tests). */
    private readonly prefix = '',
  ) {}

  /** A key's or team's own object. */
  of(account: Account): KeyStoreApi {
    return this.ns.get(this.ns.idFromName(`${this.prefix}${account.kind}:${account.id}`)) as unknown as KeyStoreApi;
  }

  /** The index of keys and teams (named as the single object of old, which it replaces). */
  index(): KeyStoreApi {
    return this.ns.get(this.ns.idFromName(`${this.prefix}keys`)) as unknown as KeyStoreApi;
  }

  key(token: string, now: number): Promise<KeyRecord | null> {
    return this.of({ kind: 'key', id: token }).lookup(now) as Promise<KeyRecord | null>;
  }

  team(teamId: string, now: number): Promise<TeamRecord | null> {
    return this.of({ kind: 'team', id: teamId }).lookup(now) as Promise<TeamRecord | null>;
  }

  async lookup(token: string, now: number): Promise<KeyEntry | null> {
    const key = await this.key(token, now);
    if (!key) return null;
    return { key, team: key.team_id ? await this.team(key.team_id, now) : null };
  }

  /** The key's team exists and allows what the key asks for. */
  private async teamRefusal(key: KeyRecord, now: number): Promise<Refusal | undefined> {
    if (key.team_id === null) return undefined;
    const team = await this.team(key.team_id, now);
    if (!team) return badRequest(`Team not found: ${key.team_id}. Create it with /team/new first`, 'team_id');
    return teamConflict(key, team);
  }

  async createKey(key: KeyRecord, now: number): Promise<Outcome<KeyEntry>> {
    const refusal = await this.teamRefusal(key, now);
    if (refusal) return { ok: false, refusal };
    const claimed = await this.index().claimKey({ token: key.token, key_alias: key.key_alias, team_id: key.team_id, created_at: key.created_at });
    if (!claimed.ok) return claimed;
    const made = await this.of({ kind: 'key', id: key.token }).create(key, badRequest('This key already exists', 'key'));
    if (!made.ok) return made;
    return { ok: true, value: (await this.lookup(key.token, now))! };
  }

  /** Applies `patch` to a key, refusing a change its team would not allow or an alias taken. */
  async updateKey(token: string, patch: Partial<KeyRecord>, now: number): Promise<Outcome<KeyEntry>> {
    const current = await this.key(token, now);
    if (!current) return { ok: false, refusal: keyNotFound(token) };
    const next: KeyRecord = { ...current, ...patch, token };
    const refusal = await this.teamRefusal(next, now);
    if (refusal) return { ok: false, refusal };
    if (next.key_alias !== current.key_alias || next.team_id !== current.team_id) {
      const indexed = await this.index().setKeyRow(token, { key_alias: next.key_alias, team_id: next.team_id });
      if (!indexed.ok) return indexed;
    }
    const updated = await this.of({ kind: 'key', id: token }).update(patch, now, keyNotFound(token));
    if (!updated.ok) return updated;
    return { ok: true, value: (await this.lookup(token, now))! };
  }

  /** The key under a new hash (regenerate): same settings, spend and this minute's counts; the old key is gone. */
  async rekey(token: string, next: Pick<KeyRecord, 'token' | 'key_name'>, patch: Partial<KeyRecord>, now: number): Promise<Outcome<KeyEntry>> {
    const old = this.of({ kind: 'key', id: token });
    const current = (await old.lookup(now)) as KeyRecord | null;
    if (!current) return { ok: false, refusal: keyNotFound(token) };
    const record: KeyRecord = { ...current, ...patch, ...next, updated_at: new Date(now).toISOString() };
    const made = await this.of({ kind: 'key', id: next.token }).create(record, badRequest('This key already exists', 'key'));
    if (!made.ok) return made;
    await this.index().moveKey(token, next.token);
    await old.remove();
    return { ok: true, value: (await this.lookup(next.token, now))! };
  }

  /** Deletes keys by hash or by alias; answers the hashes deleted. */
  async deleteKeys(tokens: string[], aliases: string[]): Promise<string[]> {
    const gone = await this.index().dropKeys(tokens, aliases);
    await fanOut(gone, (t) => this.of({ kind: 'key', id: t }).remove());
    return gone;
  }

  async listKeys(q: KeyListQuery, now: number): Promise<{ keys: KeyRecord[]; total: number }> {
    const { tokens, total } = await this.index().listKeys(q);
    return { keys: await this.keys(tokens, now), total };
  }

  private async keys(tokens: string[], now: number): Promise<KeyRecord[]> {
    return (await fanOut(tokens, (t) => this.key(t, now))).filter((k): k is KeyRecord => k !== null);
  }

  // ---- teams ----

  async createTeam(team: TeamRecord): Promise<Outcome<TeamRecord>> {
    const claimed = await this.index().claimTeam(team.team_id, team.created_at);
    if (!claimed.ok) return claimed;
    return (await this.of({ kind: 'team', id: team.team_id }).create(team, badRequest(`Team id ${team.team_id} already exists`, 'team_id'))) as Outcome<TeamRecord>;
  }

  async getTeam(teamId: string, now: number): Promise<{ team: TeamRecord; keys: KeyRecord[] } | null> {
    const [team, tokens] = await Promise.all([this.team(teamId, now), this.index().keysOfTeam(teamId)]);
    if (!team) return null;
    return { team, keys: await this.keys(tokens, now) };
  }

  async updateTeam(teamId: string, patch: Partial<TeamRecord>, now: number): Promise<Outcome<TeamRecord>> {
    return (await this.of({ kind: 'team', id: teamId }).update(patch, now, notFound(`Team not found: ${teamId}`, 'team_id'))) as Outcome<TeamRecord>;
  }

  /** Deletes teams and, as LiteLLM does, their keys; answers the team ids deleted. */
  async deleteTeams(teamIds: string[], now: number): Promise<Outcome<string[]>> {
    const found = await fanOut(teamIds, (id) => this.team(id, now));
    const missing = teamIds.filter((_, i) => found[i] === null);
    if (missing.length > 0) return { ok: false, refusal: notFound(`Team not found: ${missing.join(', ')}`, 'team_ids') };
    for (const id of teamIds) {
      const tokens = await this.index().keysOfTeam(id);
      await this.deleteKeys(tokens, []);
      await this.of({ kind: 'team', id }).remove();
    }
    await this.index().dropTeams(teamIds);
    return { ok: true, value: teamIds };
  }

  async listTeams(now: number): Promise<TeamRecord[]> {
    const ids = await this.index().listTeams();
    return (await fanOut(ids, (id) => this.team(id, now))).filter((t): t is TeamRecord => t !== null);
  }
}

/** Calls `f` for every item, FAN_OUT at a time; answers in order. */
async function fanOut<T, R>(items: T[], f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += FAN_OUT) out.push(...(await Promise.all(items.slice(i, i + FAN_OUT).map(f))));
  return out;
}
