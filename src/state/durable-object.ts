// The RouterState Durable Object: one per model group, holding that group's ledger in SQLite.
// One object per group keeps each group's picks serialised (exact rpm limits) while groups scale apart.
import { DurableObject } from 'cloudflare:workers';
import type { AcquireRequest, AcquireResult, DeploymentStats, Report } from './ledger';
import { Ledger } from './ledger';
import { seeded } from './store';

export class RouterState extends DurableObject {
  private readonly ledger = new Ledger();

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    const sql = ctx.storage.sql;
    sql.exec('CREATE TABLE IF NOT EXISTS stats (id TEXT PRIMARY KEY, data TEXT NOT NULL)');
    for (const row of sql.exec<{ id: string; data: string }>('SELECT id, data FROM stats')) {
      this.ledger.stats.set(row.id, JSON.parse(row.data) as DeploymentStats);
    }
    this.ledger.onChange = (id, s) => {
      sql.exec('INSERT OR REPLACE INTO stats (id, data) VALUES (?, ?)', id, JSON.stringify(s));
    };
  }

  /** Pick and count, and hand back the fresh view so the caller's isolate can route locally for a while. */
  acquire(req: AcquireRequest): AcquireResult & { snapshot: Record<string, DeploymentStats> } {
    const result = this.ledger.acquire(req, seeded(req.seed ?? Math.random()));
    return { ...result, snapshot: this.ledger.snapshot(req.now) };
  }

  report(r: Report): void {
    this.ledger.report(r);
  }

  snapshot(now: number): Record<string, DeploymentStats> {
    return this.ledger.snapshot(now);
  }
}
