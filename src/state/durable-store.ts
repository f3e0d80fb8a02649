// The Worker's StateStore: shared truth in one RouterState object per model group, and per isolate a local
// view plus quota leases, so every strategy picks with no round trip on the request path.
//
// - Unlimited deployments are picked from the local view (refreshed in the background at least every
//   second while traffic flows); limited ones (rpm/tpm) only while this isolate's lease has room.
// - The object hears of picks, outcomes, in-flight counts and lease spends in one background `sync` per
//   batch window, through the requests' waitUntil, and answers with renewed leases and its fresh view.
// - A blocking round trip happens only for a cold isolate's first pick (it knows no cooldowns yet) and for
//   an exact take when no lease has room but the deployment may still (the exact acquire of old).
import type { Candidate } from '../router/strategies';
import { strategyFor } from '../router/strategies';
import type { AcquireRequest, AcquireResult, DeploymentStats, GroupUsage, Report } from './ledger';
import { DEFAULT_HOLD_MS, Ledger, lowestOrder } from './ledger';
import type { Limits, SyncRequest, SyncResponse } from './lease';
import { limitsHash, minuteOf } from './lease';
import { LeaseBook } from './lease-book';
import type { RouterState } from './durable-object';
import type { Defer, StateStore } from './store';
import { seeded } from './store';

/** How stale the local view may get before traffic refreshes it. */
const REFRESH_MS = 1000;
/** A sync gathers this long's reports and lease spends: one call per group per window. */
const SYNC_BATCH_MS = 20;
/** A lease ask still unanswered after this long is given up on, and its answer ignored. */
const ASK_STALE_MS = 5000;

interface LocalView {
  /** What strategies read: the object's last view, plus this isolate's picks and in-flight since. */
  ledger: Ledger;
  fetchedAt: number;
  /** The latest clock reading a request brought (the store has no clock of its own). */
  now: number;
  limits: Map<string, Limits>;
  limitsHash: string;
  limitsKnown: boolean;
  leases: LeaseBook;
  /** Spent + held at the object for each deployment, as last heard: a fresh view that says full refuses locally. */
  committed: Map<string, { r: number; t: number }>;
  reports: Report[];
  inFlight: Map<string, number>;
  /** The latest deadline of this isolate's requests in flight (timeout plus a margin), sent with their counts. */
  inFlightUntil?: number;
  sentInFlight: Record<string, number>;
  picksSinceSent: Map<string, { r: number; t: number }>;
  /** Numbers this isolate's lease asks: only the answer to the latest one may change a lease. */
  seq: number;
  /** When the lease ask on its way was sent. */
  askedAt?: number;
  /** The current window's sync, while it gathers. */
  pending?: Promise<void>;
}

const logSyncFailure = (group: string) => (e: unknown) =>
  console.error(JSON.stringify({ level: 'error', msg: 'routing state sync failed', group, error: String(e) }));
const limited = (c: Candidate) => c.rpm !== undefined || c.tpm !== undefined;

export class DurableStateStore implements StateStore {
  private readonly views = new Map<string, LocalView>();
  /** One holder per store: the object keeps this isolate's leases and in-flight counts under it. */
  readonly holder = crypto.randomUUID();
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
      v = {
        ledger: new Ledger(),
        fetchedAt: 0,
        now: 0,
        limits: new Map(),
        limitsHash: limitsHash(new Map()),
        limitsKnown: false,
        leases: new LeaseBook(),
        committed: new Map(),
        reports: [],
        inFlight: new Map(),
        sentInFlight: {},
        picksSinceSent: new Map(),
        seq: 0,
      };
      this.views.set(group, v);
    }
    return v;
  }

  async acquire(group: string, req: AcquireRequest, defer: Defer): Promise<AcquireResult & { shared?: boolean }> {
    const view = this.view(group);
    view.now = Math.max(view.now, req.now);
    learnLimits(view, req.candidates);
    for (const c of req.candidates) if (limited(c)) view.leases.expect(c.id, req.estTokens, req.now);
    const { now } = req;
    const random = seeded(req.seed ?? Math.random());
    const stats = (id: string) => view.ledger.get(id, now);
    const strategy = strategyFor(req);
    const ctx = { now, random, stream: req.stream, args: req.args, stats };
    let tookAlready = false;
    if (view.fetchedAt === 0) {
      // A cold isolate knows nothing yet (cooldowns above all, and it holds no lease): its first pick waits
      // for one sync, which takes one request exactly if the group has limits. Each cold request makes its
      // own call: resuming on a promise another request's call settles would run this request on in that
      // one's context (workerd then cancels the timers it starts as hung).
      this.blockingRoundTrips++;
      const lim = req.candidates.filter(limited);
      const taken = await this.syncNow(group, view, lim.length > 0 ? { ranked: rank(strategy(lowestOrder(lim), ctx), lim), estTokens: req.estTokens } : undefined);
      if (taken?.ok) {
        this.counted(view, taken.id, req.estTokens, now, holdOf(req, taken.id), true);
        return { ok: true, id: taken.id, shared: true, usage: groupUsage(view, req.candidates, now) };
      }
      tookAlready = taken !== undefined;
    }
    const healthy = req.candidates.filter((c) => stats(c.id).cooldownUntil <= now);
    if (healthy.length === 0) {
      const first = Math.min(...req.candidates.map((c) => stats(c.id).cooldownUntil));
      return { ok: false, reason: 'cooldown', retryAfterMs: Math.max(0, first - now) };
    }
    const excluded = new Set(req.exclude ?? []);
    const leasedAll = healthy.filter((c) => !limited(c) || view.leases.hasRoom(c, req.estTokens, now));
    const maybeAll = healthy.filter((c) => limited(c) && !leasedAll.includes(c) && !(now - view.fetchedAt <= REFRESH_MS && looksFull(view, c, req.estTokens)));
    const fresh = (cs: Candidate[]) => cs.filter((c) => !excluded.has(c.id));
    // litellm_params.order: only the lowest order still available (by lease or, maybe, in the object) is used.
    const open = [...leasedAll, ...maybeAll];
    const order = lowestOrder(fresh(open).length > 0 ? fresh(open) : open)[0]?.order;
    const inOrder = (c: Candidate) => order === undefined || c.order === order;
    const leased = leasedAll.filter(inOrder);
    const maybe = maybeAll.filter(inOrder);
    // Deployments that already failed this request come last; a lease beats a trip among equals.
    const pool = fresh(leased).length > 0 ? fresh(leased) : fresh(maybe).length > 0 && !tookAlready ? [] : leased;
    if (pool.length > 0) {
      const chosen = strategy(pool, ctx);
      if (limited(chosen)) view.leases.spend(chosen.id, req.estTokens);
      this.counted(view, chosen.id, req.estTokens, now, chosen.holdMs);
      // A lease spend goes to the object with this window's sync, not with the outcome (a request may run for
      // minutes): unreported when the lease lapses, it would be reclaimed as unspent and given out again.
      // The same sync renews the lease and refreshes a stale view.
      // A lease running low is renewed at once, unless an ask is already on its way.
      if (limited(chosen) && view.askedAt === undefined && view.leases.low(chosen.id)) defer(this.syncNow(group, view).catch(logSyncFailure(group)));
      else if (limited(chosen) || now - view.fetchedAt > REFRESH_MS) this.schedule(group, view, defer);
      return { ok: true, id: chosen.id, shared: limited(chosen), usage: groupUsage(view, req.candidates, now) };
    }
    const tryThese = tookAlready ? [] : fresh(maybe).length > 0 ? fresh(maybe) : maybe;
    if (tryThese.length === 0) {
      if (now - view.fetchedAt > REFRESH_MS) this.schedule(group, view, defer);
      return { ok: false, reason: 'rate_limited', retryAfterMs: 60_000 - (now % 60_000) };
    }
    // No lease has room but the object may: the exact acquire, one blocking trip, which renews the leases
    // too (unless an ask is on its way) and carries the reports so far.
    this.blockingRoundTrips++;
    const result = (await this.syncNow(group, view, { ranked: rank(strategy(tryThese, ctx), tryThese), estTokens: req.estTokens }))!;
    if (result.ok) this.counted(view, result.id, req.estTokens, now, holdOf(req, result.id), true);
    return result.ok ? { ...result, shared: true, usage: groupUsage(view, req.candidates, now) } : { ...result, shared: true };
  }

  /** Counts a pick in the local view, so this isolate's next picks see it at once. */
  private counted(view: LocalView, id: string, estTokens: number, now: number, holdMs: number | undefined, taken = false) {
    const s = view.ledger.get(id, now);
    view.inFlightUntil = Math.max(view.inFlightUntil ?? 0, now + (holdMs ?? DEFAULT_HOLD_MS));
    // A take was counted by the object, and its answer's view (merged already) holds it.
    if (!taken) {
      s.rpm += 1;
      s.tpm += estTokens;
      const p = view.picksSinceSent.get(id) ?? { r: 0, t: 0 };
      p.r += 1;
      p.t += estTokens;
      view.picksSinceSent.set(id, p);
    }
    s.inFlight += 1;
    s.activeAt = now;
    view.inFlight.set(id, (view.inFlight.get(id) ?? 0) + 1);
    view.leases.picked(id, estTokens, now);
  }

  /**
   * The window's sync: the first request to need one starts it (it waits a batch window to gather more)
   * and holds it in its waitUntil; the rest of the window ride along. Windows' syncs may overlap (a far
   * object): each carries its window's reports, and lease asks go one at a time (see syncNow).
   */
  private schedule(group: string, view: LocalView, defer: Defer) {
    if (view.pending) return;
    view.pending = new Promise((resolve) => setTimeout(resolve, SYNC_BATCH_MS)).then(() => {
      view.pending = undefined;
      return this.syncNow(group, view).then(() => {}, logSyncFailure(group));
    });
    defer(view.pending);
  }

  /** One sync: sends reports, in-flight counts and lease asks; applies the grants and the object's view. */
  private async syncNow(group: string, view: LocalView, take?: SyncRequest<Report>['take']): Promise<AcquireResult | undefined> {
    const now = view.now;
    // Reports go in every window; lease asks one at a time (a far object has several windows' syncs on
    // the way at once), so each answer applies to the leases as they were capped when it was asked.
    const asking = view.askedAt === undefined || now - view.askedAt > ASK_STALE_MS;
    const seq = asking ? ++view.seq : view.seq;
    if (asking) view.askedAt = now;
    const asks = asking ? [...view.limits.keys()].map((id) => view.leases.ask(id, now)) : [];
    const spent = asking ? [] : [...view.limits.keys()].flatMap((id) => view.leases.spent(id) ?? []);
    const inFlight = Object.fromEntries(view.inFlight);
    if (view.inFlight.size === 0) view.inFlightUntil = undefined;
    const msg: SyncRequest<Report> = {
      seq,
      holder: this.holder,
      limitsHash: view.limitsHash,
      limits: view.limitsKnown ? undefined : Object.fromEntries(view.limits),
      now,
      reports: view.reports.splice(0),
      spent,
      asks,
      inFlight,
      inFlightUntil: view.inFlightUntil,
      take,
    };
    view.sentInFlight = inFlight;
    view.picksSinceSent.clear();
    try {
      let res = (await this.stub(group).sync(msg)) as SyncResponse<DeploymentStats>;
      if (res.unknownLimits) res = (await this.stub(group).sync({ ...msg, limits: Object.fromEntries(view.limits) })) as SyncResponse<DeploymentStats>;
      if (res.unknownLimits) throw new Error('routing state: the object did not learn the limits');
      view.limitsKnown = msg.limitsHash === view.limitsHash;
      // An answer to an ask given up on (ASK_STALE_MS) may have crossed a newer one: it changes no lease.
      if (asking && seq === view.seq) for (const g of res.grants) view.leases.apply(g, now);
      merge(view, res.snapshot, res.held, now);
      return res.taken;
    } finally {
      if (asking && seq === view.seq) view.askedAt = undefined;
    }
  }

  async report(group: string, r: Parameters<StateStore['report']>[1]) {
    const { shared, ...report } = r;
    const view = this.view(group);
    view.now = Math.max(view.now, report.now);
    if (report.acquired) {
      const n = (view.inFlight.get(report.id) ?? 1) - 1;
      if (n > 0) view.inFlight.set(report.id, n);
      else view.inFlight.delete(report.id);
    }
    view.ledger.report(report);
    // The object counted a leased or taken pick already; others it counts now.
    view.reports.push({ ...report, acquired: report.acquired && !!shared });
    let sent: Promise<unknown> = Promise.resolve();
    this.schedule(group, view, (p) => (sent = p));
    await sent;
  }

  /** The object's view, with this isolate's own requests in flight counted exactly (not as of its last sync). */
  async snapshot(group: string, now: number) {
    const shared = (await this.stub(group).snapshot(now)) as Record<string, DeploymentStats>;
    const view = this.views.get(group);
    if (view) {
      for (const [id, s] of Object.entries(shared)) s.inFlight = Math.max(0, s.inFlight - (view.sentInFlight[id] ?? 0)) + (view.inFlight.get(id) ?? 0);
      // Deployments the object has heard nothing of yet (this isolate's picks since its last sync).
      for (const [id, n] of view.inFlight) shared[id] ??= { ...view.ledger.get(id, now), inFlight: n };
    }
    return shared;
  }
}

/** Keeps the limits the object must know; a change gives them a new hash, sent once. */
function learnLimits(view: LocalView, candidates: Candidate[]) {
  let changed = false;
  for (const c of candidates) {
    if (!limited(c)) continue;
    const known = view.limits.get(c.id);
    if (known && known.rpm === c.rpm && known.tpm === c.tpm) continue;
    view.limits.set(c.id, { rpm: c.rpm, tpm: c.tpm });
    changed = true;
  }
  if (changed) {
    view.limitsHash = limitsHash(view.limits);
    view.limitsKnown = false;
  }
}

/** For an exact take: the strategy's pick first, then the rest, so the object falls back if the first is full. */
const rank = (first: Candidate, cs: Candidate[]) => [first.id, ...cs.filter((c) => c !== first).map((c) => c.id)];

function looksFull(view: LocalView, c: Candidate, estTokens: number): boolean {
  const used = view.committed.get(c.id);
  if (!used) return false;
  return (c.rpm !== undefined && used.r + 1 > c.rpm) || (c.tpm !== undefined && used.t + estTokens > c.tpm);
}

/**
 * Takes the shared counts (usage, failures, cooldowns) from the object, but keeps what this isolate knows
 * better: its picks since the sync left, its own in-flight requests exactly (others' as last reported),
 * and its own latency measurements, which are this region's view of each upstream.
 */
function merge(view: LocalView, shared: Record<string, DeploymentStats>, held: Record<string, { r: number; t: number }>, now: number) {
  const local = new Map(view.ledger.stats);
  view.ledger.load(shared);
  for (const [id, s] of Object.entries(shared)) {
    const h = held[id] ?? { r: 0, t: 0 };
    view.committed.set(id, { r: s.rpm + h.r, t: s.tpm + h.t });
  }
  for (const [id, mine] of local) {
    const s = view.ledger.stats.get(id);
    if (!s) {
      view.ledger.stats.set(id, mine);
      continue;
    }
    const since = view.picksSinceSent.get(id);
    if (since && s.minute === minuteOf(now)) {
      s.rpm += since.r;
      s.tpm += since.t;
    }
    s.inFlight = Math.max(0, s.inFlight - (view.sentInFlight[id] ?? 0)) + (view.inFlight.get(id) ?? 0);
    if (mine.latencyAt !== undefined) {
      s.latencyMs = mine.latencyMs;
      s.ttftMs = mine.ttftMs ?? s.ttftMs;
      s.latencyAt = mine.latencyAt;
    }
  }
  view.fetchedAt = now;
}

/**
 * LiteLLM's x-ratelimit-* figures for the group: summed limits, and this minute's use as this isolate sees it
 * (the object's last view plus its own picks since). Read without creating stats (the merge relies on that).
 */
function groupUsage(view: LocalView, cs: Candidate[], now: number): GroupUsage | undefined {
  let u: GroupUsage | undefined;
  for (const c of cs) {
    if (c.rpm === undefined && c.tpm === undefined) continue;
    const s = view.ledger.stats.get(c.id);
    const current = s !== undefined && s.minute === minuteOf(now);
    u ??= { rpmUsed: 0, tpmUsed: 0 };
    if (c.rpm !== undefined) {
      u.rpmLimit = (u.rpmLimit ?? 0) + c.rpm;
      u.rpmUsed += current ? s.rpm : 0;
    }
    if (c.tpm !== undefined) {
      u.tpmLimit = (u.tpmLimit ?? 0) + c.tpm;
      u.tpmUsed += current ? s.tpm : 0;
    }
  }
  return u;
}

const holdOf = (req: AcquireRequest, id: string) => req.candidates.find((c) => c.id === id)?.holdMs;
