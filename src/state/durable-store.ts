// The Worker's StateStore: shared truth in one RouterState object per model group, plus a local view
// per isolate so strategies that need no exact shared count route with zero round trips.
import { Batcher } from '../utils/batcher';
import type { AcquireRequest, DeploymentStats, Report } from './ledger';
import { Ledger } from './ledger';
import type { RouterState } from './durable-object';
import type { Defer, StateStore } from './store';
import { seeded } from './store';

/** How stale the local view may get before a background refresh. */
const REFRESH_MS = 1000;
/** Reports go to the object in batches: one call per group per window instead of one per request. */
const REPORT_BATCH_MS = 20;
const REPORT_BATCH_MAX = 64;

interface LocalView {
  ledger: Ledger;
  fetchedAt: number;
  refreshing?: Promise<void>;
  reports: Batcher<Report>;
}

export class DurableStateStore implements StateStore {
  private readonly views = new Map<string, LocalView>();
  /** Blocking round trips to the Durable Object, for the hot-path budget test. */
  blockingRoundTrips = 0;

  constructor(
    private readonly ns: DurableObjectNamespace<RouterState>,
    /** Prefixes object names, so two gateways (or two tests) on one namespace keep apart. */
    private readonly prefix = '',
  ) {}

  private stub(group: string) {
    return this.ns.get(this.ns.idFromName(`${this.prefix}group:${group}`));
  }

  private view(group: string): LocalView {
    let v = this.views.get(group);
    if (!v) {
      const reports = new Batcher<Report>(`routing state ${group}`, (batch) => this.stub(group).report(batch), REPORT_BATCH_MS, REPORT_BATCH_MAX);
      this.views.set(group, (v = { ledger: new Ledger(), fetchedAt: 0, reports }));
    }
    return v;
  }

  /**
   * Exact counts are needed where a limit or a global count decides the pick: any rpm/tpm limit,
   * usage-based and least-busy. Those pick inside the object (one round trip); the rest pick locally.
   */
  private needsShared(req: AcquireRequest): boolean {
    if (req.strategy === 'usage-based-routing' || req.strategy === 'usage-based-routing-v2' || req.strategy === 'least-busy') {
      return true;
    }
    return req.candidates.some((c) => c.rpm !== undefined || c.tpm !== undefined);
  }

  async acquire(group: string, req: AcquireRequest, defer: Defer) {
    const view = this.view(group);
    if (this.needsShared(req)) {
      this.blockingRoundTrips++;
      // The object's fresh view rides along only when this isolate's is stale.
      const { snapshot, ...result } = await this.stub(group).acquire(req, req.now - view.fetchedAt > REFRESH_MS);
      if (snapshot) merge(view, snapshot as Record<string, DeploymentStats>, req.now);
      return { ...result, shared: true };
    }
    if (view.fetchedAt === 0) {
      // A cold isolate knows nothing yet (cooldowns above all): its first pick waits for the shared view.
      this.blockingRoundTrips++;
      await (view.refreshing ??= this.refresh(group, view, req.now));
    } else if (req.now - view.fetchedAt > REFRESH_MS && !view.refreshing) {
      view.refreshing = this.refresh(group, view, req.now);
      defer(view.refreshing);
    }
    return { ...view.ledger.acquire(req, seeded(req.seed ?? Math.random())), shared: false };
  }

  private async refresh(group: string, view: LocalView, now: number) {
    try {
      merge(view, (await this.stub(group).snapshot(now)) as Record<string, DeploymentStats>, now);
    } finally {
      view.refreshing = undefined;
    }
  }

  async report(group: string, r: Parameters<StateStore['report']>[1]) {
    const { shared, ...report } = r;
    const view = this.view(group);
    view.ledger.report({ ...report, acquired: report.acquired && !shared });
    await view.reports.add({ ...report, acquired: report.acquired && !!shared });
  }

  async snapshot(group: string, now: number) {
    return (await this.stub(group).snapshot(now)) as Record<string, DeploymentStats>;
  }
}

/**
 * Takes the shared counts (usage, failures, cooldowns) from the object, but keeps what this isolate
 * knows better: its own in-flight picks (the object learns of local picks only when they report) and
 * its own latency measurements, which are this region's view of each upstream.
 */
function merge(view: LocalView, shared: Record<string, DeploymentStats>, now: number) {
  const local = new Map(view.ledger.stats);
  view.ledger.load(shared);
  for (const [id, mine] of local) {
    const s = view.ledger.stats.get(id);
    if (!s) {
      view.ledger.stats.set(id, mine);
      continue;
    }
    // The larger of the two in-flight lists, with their deadlines (so entries of a dead isolate still expire).
    if (mine.inFlight > s.inFlight) {
      s.leases = mine.leases;
      s.inFlight = mine.inFlight;
    }
    if (mine.latencyAt !== undefined) {
      s.latencyMs = mine.latencyMs;
      s.ttftMs = mine.ttftMs ?? s.ttftMs;
      s.latencyAt = mine.latencyAt;
    }
  }
  view.fetchedAt = now;
}
