// The RouterState Durable Object: one per model group, holding that group's ledger in SQLite.
// One object per group keeps each group's picks serialised (exact rpm limits) while groups scale apart.
import { DurableObject } from 'cloudflare:workers';
import type { AcquireRequest, AcquireResult, DeploymentStats, Report } from './ledger';
import { Ledger } from './ledger';
import { seeded } from './store';

const PERSIST_DELAY_MS = 50;

export class RouterState extends DurableObject {
  private readonly ledger = new Ledger();
  /** Deployments changed since the last write, written once each. */
  private readonly dirty = new Set<string>();
  private persistTimer?: ReturnType<typeof setTimeout>;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    const sql = ctx.storage.sql;
    sql.exec('CREATE TABLE IF NOT EXISTS stats (id TEXT PRIMARY KEY, data TEXT NOT NULL)');
    for (const row of sql.exec<{ id: string; data: string }>('SELECT id, data FROM stats')) {
      this.ledger.stats.set(row.id, JSON.parse(row.data) as DeploymentStats);
    }
    this.ledger.onChange = (id) => this.dirty.add(id);
  }

  private persist() {
    if (this.persistTimer !== undefined) clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    for (const id of this.dirty) {
      this.ctx.storage.sql.exec('INSERT OR REPLACE INTO stats (id, data) VALUES (?, ?)', id, JSON.stringify(this.ledger.stats.get(id)));
    }
    this.dirty.clear();
  }

  /** Pick and count; with `withSnapshot`, hand back the fresh view so the caller's isolate can route locally for a while. */
  acquire(req: AcquireRequest, withSnapshot = false): AcquireResult & { snapshot?: Record<string, DeploymentStats> } {
    const result = this.ledger.acquire(req, seeded(req.seed ?? Math.random()));
    // Picks are counted in memory at once (that is what holds the limits); their write is deferred a
    // moment so a burst of picks costs one write per deployment. A crash loses at most that moment.
    this.persistTimer ??= setTimeout(() => this.persist(), PERSIST_DELAY_MS);
    return withSnapshot ? { ...result, snapshot: this.ledger.snapshot(req.now) } : result;
  }

  /** Books a batch of outcomes from one isolate. */
  report(reports: Report[]): void {
    for (const r of reports) this.ledger.report(r);
    this.persist();
  }

  snapshot(now: number): Record<string, DeploymentStats> {
    return this.ledger.snapshot(now);
  }
}
