// The UserDirectory Durable Object: internal users (/user/*) in one SQLite-backed object. Management data only:
// no request reads it (a key carries what it needs), so one object for every user is not on any hot path.
import { DurableObject } from 'cloudflare:workers';
import type { UserRecord } from './types';

export type UserDirectoryApi = { [K in 'get' | 'create' | 'patch' | 'remove' | 'list' | 'byEmail']: UserDirectory[K] extends (...a: infer A) => infer R ? (...a: A) => Promise<R> : never };

export class UserDirectory extends DurableObject {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    this.sql = ctx.storage.sql;
    this.sql.exec('CREATE TABLE IF NOT EXISTS users (user_id TEXT PRIMARY KEY, email TEXT, created_at TEXT NOT NULL, data TEXT NOT NULL)');
  }

  get(userId: string): UserRecord | null {
    const row = this.sql.exec<{ data: string }>('SELECT data FROM users WHERE user_id = ?', userId).toArray()[0];
    return row ? JSON.parse(row.data) : null;
  }

  byEmail(email: string): UserRecord | null {
    const row = this.sql.exec<{ data: string }>('SELECT data FROM users WHERE email = ? ORDER BY created_at LIMIT 1', email).toArray()[0];
    return row ? JSON.parse(row.data) : null;
  }

  /** A new user; null when the id is taken. */
  create(user: UserRecord): UserRecord | null {
    if (this.get(user.user_id)) return null;
    return this.write(user);
  }

  /** Changes a user in one step (no lost update between two admin calls); `join`/`leave` add or remove a team. */
  patch(userId: string, patch: Partial<UserRecord>, now: string, teams: { join?: string; leave?: string } = {}): UserRecord | null {
    const current = this.get(userId);
    if (!current) return null;
    const next: UserRecord = { ...current, ...patch, user_id: userId, updated_at: now };
    if (teams.join && !next.teams.includes(teams.join)) next.teams = [...next.teams, teams.join];
    if (teams.leave) next.teams = next.teams.filter((t) => t !== teams.leave);
    return this.write(next);
  }

  private write(user: UserRecord): UserRecord {
    this.sql.exec('INSERT OR REPLACE INTO users (user_id, email, created_at, data) VALUES (?, ?, ?, ?)', user.user_id, user.user_email, user.created_at, JSON.stringify(user));
    return user;
  }

  remove(userIds: string[]): string[] {
    const gone = userIds.filter((id) => this.get(id) !== null);
    for (const id of gone) this.sql.exec('DELETE FROM users WHERE user_id = ?', id);
    return gone;
  }

  list(page: number, size: number): { users: UserRecord[]; total: number } {
    const total = this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM users').one().n;
    const rows = this.sql.exec<{ data: string }>('SELECT data FROM users ORDER BY created_at, user_id LIMIT ? OFFSET ?', size, (page - 1) * size).toArray();
    return { users: rows.map((r) => JSON.parse(r.data)), total };
  }
}
