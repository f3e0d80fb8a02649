// The RouterState Durable Object: one per model group, holding that group's ledger in SQLite and handing
// out quota leases. One object per group keeps each group's counts serialised (exact rpm/tpm limits)
// while groups scale apart. Isolates talk to it once per batch window in the background (`sync`), and
// wait for a sync only on a cold start or for an exact take when no lease has room.
import { DurableObject } from 'cloudflare:workers';
import type { DeploymentStats, Report } from './ledger';
import { Ledger } from './ledger';
import type { Limits, SyncRequest, SyncResponse } from './lease';
import type { Held } from './lease-desk';
import { RouteDesk } from './route-desk';

export class RouterState extends DurableObject {
  private readonly ledger = new Ledger();
  private readonly desk: RouteDesk;
  /** Deployments and lease records changed during this call, written once each at its end. */
  private readonly dirty = new Set<string>();
  private readonly dirtyLeases = new Map<string, { id: string; holder: string }>();
  private readonly knownLimits = new Set<string>();
  /** Callers' clocks differ a little: the object's minute only moves forward. */
  private lastNow = 0;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    const sql = ctx.storage.sql;
    sql.exec('CREATE TABLE IF NOT EXISTS stats (id TEXT PRIMARY KEY, data TEXT NOT NULL)');
    sql.exec('CREATE TABLE IF NOT EXISTS limits (hash TEXT PRIMARY KEY, data TEXT NOT NULL)');
    sql.exec('CREATE TABLE IF NOT EXISTS leases (id TEXT NOT NULL, holder TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (id, holder))');
    for (const row of sql.exec<{ id: string; data: string }>('SELECT id, data FROM stats')) {
      this.ledger.stats.set(row.id, JSON.parse(row.data) as DeploymentStats);
    }
    this.desk = new RouteDesk(
      this.ledger,
      (id) => this.dirty.add(id),
      (id, holder) => this.dirtyLeases.set(`${id}\u0000${holder}`, { id, holder }),
    );
    for (const row of sql.exec<{ id: string; holder: string; data: string }>('SELECT id, holder, data FROM leases')) {
      this.desk.restore(row.id, row.holder, JSON.parse(row.data) as Held);
    }
    for (const row of sql.exec<{ hash: string; data: string }>('SELECT hash, data FROM limits ORDER BY rowid')) {
      this.desk.learn(JSON.parse(row.data) as Record<string, Limits>);
      this.knownLimits.add(row.hash);
    }
    this.ledger.onChange = (id) => this.dirty.add(id);
  }

  private clock(now: number): number {
    return (this.lastNow = Math.max(this.lastNow, now));
  }

  /** Learns a config's limits once (kept in SQLite across restarts); after that calls name them by hash. */
  private knows(hash: string, limits?: Record<string, Limits>): boolean {
    if (limits) {
      this.desk.learn(limits);
      if (!this.knownLimits.has(hash)) {
        this.ctx.storage.sql.exec('INSERT OR REPLACE INTO limits (hash, data) VALUES (?, ?)', hash, JSON.stringify(limits));
        this.knownLimits.add(hash);
      }
    }
    return this.knownLimits.has(hash);
  }

  /**
   * Counts and lease records are written once per call (one report batch with its lease renewals, maybe a
   * take), inside the call, so an answer never leaves before what it granted is durable: a restart loses no
   * grant, and knows every lease it must carry into the next minute or reclaim.
   */
  private persist() {
    const sql = this.ctx.storage.sql;
    for (const id of this.dirty) sql.exec('INSERT OR REPLACE INTO stats (id, data) VALUES (?, ?)', id, JSON.stringify(this.ledger.stats.get(id)));
    for (const { id, holder } of this.dirtyLeases.values()) {
      const rec = this.desk.record(id, holder);
      if (rec) sql.exec('INSERT OR REPLACE INTO leases (id, holder, data) VALUES (?, ?, ?)', id, holder, JSON.stringify(rec));
      else sql.exec('DELETE FROM leases WHERE id = ? AND holder = ?', id, holder);
    }
    this.dirty.clear();
    this.dirtyLeases.clear();
  }

  /** One isolate's batch: outcomes to book, its in-flight counts, its lease spends and asks, maybe a take. */
  sync(msg: SyncRequest<Report>): SyncResponse<DeploymentStats> {
    if (!this.knows(msg.limitsHash, msg.limits)) return { unknownLimits: true, grants: [], snapshot: {}, held: {} };
    const now = this.clock(msg.now);
    this.desk.sweep(now);
    for (const r of msg.reports) this.ledger.report({ ...r, now: this.clock(r.now) });
    const grants = [];
    this.desk.setInFlight(msg.holder, msg.inFlight, now, msg.inFlightUntil);
    for (const spent of msg.spent ?? []) this.desk.book(msg.holder, spent, now);
    // Asks overtaken by a later one of the same holder (it gave up waiting) change nothing.
    if (msg.asks.length > 0 && this.desk.latest(msg.holder, msg.seq)) {
      for (const ask of msg.asks) {
        const g = this.desk.renew(msg.holder, ask, now);
        if (g) grants.push(g);
      }
    }
    const taken = msg.take && this.desk.take(msg.take.ranked, msg.take.estTokens, now);
    this.persist();
    return { grants, ...this.desk.snapshot(now), ...(taken ? { taken } : {}) };
  }

  snapshot(now: number): Record<string, DeploymentStats> {
    const { snapshot } = this.desk.snapshot(this.clock(now));
    this.persist(); // a new minute may have carried leases into it
    return snapshot;
  }
}
