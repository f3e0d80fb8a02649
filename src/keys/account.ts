// One key's or one team's state in its own KeyStore object: the record, what its limits have counted, and
// the leases isolates spend from. Pure and synchronous (the object runs one call at a time, so each call is
// exact); the object persists what changed. The lease mechanics are src/state/'s LeaseDesk, over three ids:
//
//   rate      requests (units) and estimated tokens (amount) this minute: rpm_limit, tpm_limit
//   budget    micro-dollars (amount) this budget period: max_budget, less what is already spent
//   parallel  slots (units of a gauge, given back when a request ends): max_parallel_requests
import type { Limits as LeaseLimits } from '../state/lease';
import { minuteOf } from '../state/lease';
import type { Held, Tally, Tallies } from '../state/lease-desk';
import { LeaseDesk } from '../state/lease-desk';
import { resetAt } from './duration';
import { unpack } from './settled';
import { accountRefusal, budgetRefusal, entityOf, rateRefusal, UNKNOWN_KEY } from './policy';
import type { AccountAnswer, AccountRecord, AccountSync, Need, Refusal, Settlement } from './types';

export const RATE = 'rate';
export const BUDGET = 'budget';
export const PARALLEL = 'parallel';

/** Leases may hold up to half of the free parallel slots: a slot is one request for as long as it runs. */
export const SLOT_SHARE = 0.5;
/**
 * A request reserves of a budget the dearest recent cost: a dearer booking raises the estimate at once, a
 * cheaper one lowers it by this share of the difference. An average would under-reserve every request to the
 * dearer of two deployments, and requests spent from leases near the limit would add that up beyond it.
 */
const COST_DECAY = 0.05;

/** The next estimate after a booking of `cost`. */
export const nextEstimate = (estimate: number | undefined, cost: number) =>
  estimate === undefined || cost >= estimate ? cost : estimate + COST_DECAY * (cost - estimate);

export const micros = (usd: number) => usd * 1e6;

/** The leased ids of a key's or team's limits. */
export function leaseLimits(r: AccountRecord): Record<string, LeaseLimits> {
  const out: Record<string, LeaseLimits> = {};
  if (r.rpm_limit !== null || r.tpm_limit !== null) out[RATE] = { rpm: r.rpm_limit ?? undefined, tpm: r.tpm_limit ?? undefined };
  if (r.max_budget !== null) out[BUDGET] = { tpm: micros(r.max_budget) };
  if (r.max_parallel_requests !== null) out[PARALLEL] = { rpm: r.max_parallel_requests, gauge: true, share: SLOT_SHARE };
  return out;
}

/** Each id's window: the minute for rates, the budget's period, one for ever for slots. */
class AccountTallies implements Tallies<Tally> {
  readonly stats = new Map<string, Tally>();

  constructor(private readonly budgetPeriod: () => number) {}

  get(id: string, now: number): Tally {
    const window = id === RATE ? minuteOf(now) : id === BUDGET ? this.budgetPeriod() : 0;
    let s = this.stats.get(id);
    if (!s) this.stats.set(id, (s = { minute: window, rpm: 0, tpm: 0 }));
    else if (s.minute !== window) Object.assign(s, { minute: window, rpm: 0, tpm: 0 });
    return s;
  }
}

export interface AccountChanges {
  /** The record's settings changed (or it was created, reset or deleted). */
  record: boolean;
  /** Only its spend (and cost per request) moved: a finished request booked. */
  spend: boolean;
  tallies: Set<string>;
  leases: Map<string, { id: string; holder: string }>;
}

export class AccountState {
  record: AccountRecord | null = null;
  /** What a request reserves of a budget until its cost is booked (nextEstimate), USD. */
  costPerRequest?: number;
  readonly tallies: AccountTallies;
  readonly desk: LeaseDesk<Tally>;
  changes: AccountChanges = { record: false, spend: false, tallies: new Set(), leases: new Map() };

  constructor() {
    this.tallies = new AccountTallies(() => (this.record?.budget_reset_at ? Date.parse(this.record.budget_reset_at) : 0));
    this.desk = new LeaseDesk(
      this.tallies,
      (id) => this.changes.tallies.add(id),
      (id, holder) => this.changes.leases.set(`${id}\u0000${holder}`, { id, holder }),
    );
  }

  /** Back from SQLite after a restart. */
  restore(record: AccountRecord | null, tallies: Record<string, Tally>, leases: Array<{ id: string; holder: string; rec: Held }>, costPerRequest?: number) {
    this.record = record;
    this.costPerRequest = costPerRequest;
    for (const [id, t] of Object.entries(tallies)) this.tallies.stats.set(id, t);
    for (const l of leases) this.desk.restore(l.id, l.holder, l.rec);
    this.learn();
  }

  /** The record as of `now`: a budget whose period is over starts again from 0. */
  read(now: number): AccountRecord | null {
    const r = this.record;
    if (r?.budget_reset_at && Date.parse(r.budget_reset_at) <= now) {
      r.spend = 0;
      r.budget_reset_at = resetAt(r.budget_duration, now);
      this.changes.record = true;
    }
    return r;
  }

  /** A new or changed record: its limits become the desk's (ids no longer limited are dropped). */
  set(record: AccountRecord | null, now: number) {
    const before = this.record?.spend ?? 0;
    this.record = record;
    this.changes.record = true;
    if (record && record.spend !== before && this.desk.limits.has(BUDGET)) {
      // spend set by hand (/key/update): the budget counts the difference.
      const s = this.tallies.get(BUDGET, now);
      s.tpm = Math.max(0, s.tpm + micros(record.spend - before));
      this.changes.tallies.add(BUDGET);
    }
    this.learn();
  }

  private learn() {
    const limits = this.record ? leaseLimits(this.record) : {};
    for (const id of this.desk.ids()) {
      if (!(id in limits)) {
        this.desk.forget(id);
        this.tallies.stats.delete(id);
        this.changes.tallies.add(id);
      }
    }
    this.desk.learn(limits);
    // A budget newly set counts what was already spent in its period.
    if (BUDGET in limits && this.record && !this.tallies.stats.has(BUDGET)) {
      this.tallies.get(BUDGET, 0).tpm = micros(this.record.spend);
      this.changes.tallies.add(BUDGET);
    }
  }

  /**
   * A budget the config defines (a provider's, a deployment's) or a default (max_end_user_budget): set when
   * missing; with `own`, the config's limit and period replace the stored ones (what was spent stays).
   */
  ensure(record: AccountRecord, now: number, own: boolean): AccountRecord {
    const c = this.read(now);
    const { max_budget, budget_duration } = record;
    if (!c) this.set(record, now);
    else if (own && (c.max_budget !== max_budget || c.budget_duration !== budget_duration)) {
      this.set({ ...c, max_budget, budget_duration, budget_reset_at: c.budget_duration === budget_duration ? c.budget_reset_at : record.budget_reset_at }, now);
    }
    return this.record!;
  }

  /** One isolate's batch: its lease spends and asks, finished requests, maybe an exact take. */
  sync(msg: AccountSync, now: number): AccountAnswer {
    const record = this.read(now);
    const grants = [];
    let renewing = false;
    if (record) {
      this.desk.sweep(now);
      for (const spent of msg.spent) this.desk.book(msg.holder, spent, now);
      // Asks overtaken by a later one of the same holder (it gave up waiting) change nothing.
      renewing = msg.asks.length > 0 && this.desk.latest(msg.holder, msg.seq);
      if (renewing) {
        for (const ask of msg.asks) {
          const g = this.desk.renew(msg.holder, ask, now);
          if (g) grants.push(g);
        }
      }
      for (const s of unpack(msg.settled)) this.settle(s, now);
    }
    const taken = msg.take && (record ? this.take(record, msg.holder, renewing, msg.take, now) : { ok: false as const, refusal: GONE });
    const rate = record && this.desk.limits.has(RATE) ? this.tallies.get(RATE, now) : undefined;
    const held = rate ? this.desk.heldTotal(RATE, now) : { r: 0, t: 0 };
    return {
      record,
      grants,
      costPerRequest: this.costPerRequest,
      used: { minute: minuteOf(now), rpm: rate ? rate.rpm - held.r : 0, tpm: rate ? rate.tpm - held.t : 0 },
      ...(taken ? { taken } : {}),
    };
  }

  /**
   * The exact admission, for a request no lease covers: the account's own checks, its budget (spent plus
   * what is pending), then its rates and slots, each with what leases hold counted as used; then counted.
   */
  private take(record: AccountRecord, holder: string, renewing: boolean, need: Need, now: number): NonNullable<AccountAnswer['taken']> {
    const refusal = accountRefusal(record, need, now) ?? budgetRefusal(record, this.pending(record, now));
    if (refusal) return { ok: false, refusal };
    const ids = this.desk.ids();
    const rate = ids.includes(RATE) ? this.tallies.get(RATE, now) : undefined;
    const slots = ids.includes(PARALLEL) ? this.tallies.get(PARALLEL, now) : undefined;
    // What this holder's own lease holds at the object is its to spend, when the same answer renews its
    // lease (so it learns both at once): counted as free here.
    const mine = (id: string, amount: number) => {
      const r = renewing ? this.desk.record(id, holder) : undefined;
      return r && r.reclaimAt > now && r.heldR >= 1 && r.heldT >= amount ? 1 : 0;
    };
    const counts = {
      rpm: (rate?.rpm ?? 0) - (rate ? mine(RATE, need.estTokens) : 0),
      tpm: (rate?.tpm ?? 0) - (rate ? mine(RATE, need.estTokens) * need.estTokens : 0),
      parallel: (slots?.rpm ?? 0) - (slots ? mine(PARALLEL, 0) : 0),
    };
    const retryAfter = Math.max(1, Math.ceil(((minuteOf(now) + 1) * 60_000 - now) / 1000));
    const over = rateRefusal(entityOf(record), record, counts, need.estTokens, retryAfter);
    if (over) return { ok: false, refusal: over };
    const fromLease: string[] = [];
    if (rate && this.desk.count(RATE, need.estTokens, now, holder, renewing)) fromLease.push(RATE);
    if (ids.includes(BUDGET) && this.desk.count(BUDGET, need.estMicros, now, holder, renewing)) fromLease.push(BUDGET);
    if (slots && this.desk.count(PARALLEL, 0, now, holder, renewing)) fromLease.push(PARALLEL);
    return { ok: true, fromLease };
  }

  /** What the budget counts beyond booked spend (reservations of requests in flight, leases), USD. */
  private pending(record: AccountRecord, now: number): number {
    if (!this.desk.limits.has(BUDGET)) return 0;
    const p = (this.tallies.get(BUDGET, now).tpm - micros(record.spend)) / 1e6;
    // Float dust of adding and taking back the same amounts is nothing pending.
    return p > 1e-12 ? p : 0;
  }

  /** Books a finished request: spend, the budget's estimate replaced by the cost, tpm by the real count. */
  private settle(s: Settlement, now: number) {
    const r = this.record!;
    const c = s.counted;
    if (s.cost > 0) {
      r.spend += s.cost;
      this.changes.spend = true;
      this.costPerRequest = nextEstimate(this.costPerRequest, s.cost);
    }
    if (this.desk.limits.has(BUDGET) && (s.cost > 0 || c?.estMicros)) {
      const b = this.tallies.get(BUDGET, now);
      b.tpm = Math.max(micros(r.spend), b.tpm + micros(s.cost) - (c?.estMicros ?? 0));
      this.changes.tallies.add(BUDGET);
    }
    if (c && s.tokens !== undefined && this.desk.limits.has(RATE)) {
      const t = this.tallies.get(RATE, now);
      if (t.minute === c.minute) {
        t.tpm = Math.max(0, t.tpm + s.tokens - c.estTokens);
        this.changes.tallies.add(RATE);
      }
    }
  }

  takeChanges(): AccountChanges {
    const c = this.changes;
    this.changes = { record: false, spend: false, tallies: new Set(), leases: new Map() };
    return c;
  }
}

/** An account deleted since the isolate cached it: as an unknown key. */
const GONE = UNKNOWN_KEY;
