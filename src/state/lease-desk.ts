// The owning object's side of leases: grants, spends, returns, reclaims and exact takes over its tallies.
// Pure and synchronous (the object calls it inside one input-gated call), so it is exact. One mechanism for
// every owner: a model group's deployments (rpm, tpm), a key's or team's rate, budget and parallel slots.
//
// Invariant: for each id and window, the tally = what was spent (reported spends, exact takes, unleased
// reports) + what is held unspent in leases (for a gauge: what is in use + held). A grant or take never lets
// that pass the limit, so no set of holders can spend more than the limit in a window. At a new window the
// counts start again from what unlapsed leases still hold: a lease carries over, counted in the window it
// is spent in. A gauge has one window for ever; its units come back when the holder reports them released.
import type { AcquireResult } from './ledger';
import type { LeaseAsk, LeaseGrant, LeaseSpent, Limits } from './lease';
import { LEASE_SHARE, LEASE_TTL_MS, RECLAIM_MARGIN_MS } from './lease';

/** One id's counts in its current window: `rpm` units, `tpm` amount (whatever the owner counts). */
export interface Tally {
  /** The window these counts are in (the epoch minute for rates; a budget's period; constant for a gauge). */
  minute: number;
  rpm: number;
  tpm: number;
  /** Routing only: a deployment cooling down takes nothing. */
  cooldownUntil?: number;
  activeAt?: number;
}

/** Where the desk reads and changes tallies: a model group's Ledger, or a key's or team's own. */
export interface Tallies<S extends Tally> {
  readonly stats: ReadonlyMap<string, S>;
  /** The id's tally in `now`'s window (a new window starts from zero). */
  get(id: string, now: number): S;
}

export interface Held {
  /** Cumulative spends this holder reported. */
  spentR: number;
  spentT: number;
  /** Granted and not yet reported spent: counted in the tally as used. */
  heldR: number;
  heldT: number;
  /** When the object takes the unspent part back if the holder has not renewed. */
  reclaimAt: number;
  /** A gauge's units this holder took exactly, and released (cumulative): in use = spent + taken - released. */
  takenR?: number;
  releasedR?: number;
  /** When the holder was last heard of (a gauge's units in use are freed long after it goes silent). */
  seenAt?: number;
}

/** A holder's in-flight counts, a lapsed lease's record, a silent holder's gauge units: dropped after this long without news. */
export const STALE_MS = 15 * 60_000;

export class LeaseDesk<S extends Tally = Tally> {
  readonly limits = new Map<string, Limits>();
  /** Per id, per holder. */
  private readonly held = new Map<string, Map<string, Held>>();
  private readonly seqs = new Map<string, number>();

  constructor(
    protected readonly tallies: Tallies<S>,
    protected readonly changed: (id: string, s: S) => void,
    /** A lease record changed (undefined: dropped); the object writes it with the counts. */
    private readonly leaseChanged: (id: string, holder: string, rec: Held | undefined) => void = () => {},
  ) {}

  /** A record the object kept in SQLite, back after a restart. */
  restore(id: string, holder: string, rec: Held): void {
    let holders = this.held.get(id);
    if (!holders) this.held.set(id, (holders = new Map()));
    holders.set(holder, rec);
  }

  record(id: string, holder: string): Held | undefined {
    return this.held.get(id)?.get(holder);
  }

  learn(limits: Record<string, Limits>): void {
    for (const [id, l] of Object.entries(limits)) this.limits.set(id, l);
  }

  /** Forgets an id the owner no longer limits (its records go with it). */
  forget(id: string): void {
    this.limits.delete(id);
    for (const holder of this.held.get(id)?.keys() ?? []) this.leaseChanged(id, holder, undefined);
    this.held.delete(id);
  }

  ids(): string[] {
    return [...this.limits.keys()];
  }

  protected stats(id: string, now: number): S {
    const before = this.tallies.stats.get(id)?.minute;
    const s = this.tallies.get(id, now);
    if (before !== undefined && before !== s.minute) this.carry(id, s, now);
    return s;
  }

  /**
   * A new window zeroed the counts: what leases still hold unspent is counted in it again (their holders
   * keep spending it without a round trip); what lapsed leases held is gone with the old window.
   */
  private carry(id: string, s: S, now: number) {
    for (const [holder, rec] of this.held.get(id) ?? []) {
      if (rec.reclaimAt > now) {
        s.rpm += rec.heldR;
        s.tpm += rec.heldT;
      } else {
        rec.heldR = 0;
        rec.heldT = 0;
      }
      this.leaseChanged(id, holder, rec);
    }
    this.changed(id, s);
  }

  /** Rolls every leased id into `now`'s window before anything else reads the tallies. */
  protected touch(now: number) {
    for (const id of this.held.keys()) this.stats(id, now);
  }

  /**
   * Unspent capacity whose holder stopped renewing goes back to the pool; long-silent records go, and with
   * them a gauge's units the silent holder still had in use (its requests cannot outlive STALE_MS).
   */
  sweep(now: number): void {
    for (const [id, holders] of this.held) {
      const s = this.stats(id, now);
      const gauge = this.limits.get(id)?.gauge;
      for (const [holder, rec] of holders) {
        if (rec.reclaimAt > now) continue;
        if (rec.heldR === 0 && rec.heldT === 0) {
          if (now - Math.max(rec.reclaimAt, rec.seenAt ?? 0) > STALE_MS) {
            if (gauge) s.rpm = Math.max(0, s.rpm - inUse(rec));
            holders.delete(holder);
            this.leaseChanged(id, holder, undefined);
            this.changed(id, s);
          }
          continue;
        }
        s.rpm = Math.max(0, s.rpm - rec.heldR);
        s.tpm = Math.max(0, s.tpm - rec.heldT);
        rec.heldR = 0;
        rec.heldT = 0;
        this.leaseChanged(id, holder, rec);
        this.changed(id, s);
      }
    }
  }

  heldTotal(id: string, now: number): { r: number; t: number } {
    this.stats(id, now);
    let r = 0;
    let t = 0;
    for (const rec of this.held.get(id)?.values() ?? []) {
      r += rec.heldR;
      t += rec.heldT;
    }
    return { r, t };
  }

  /**
   * Books what `holder` has spent from its lease so far (cumulative): out of what it held, and any beyond
   * that (after a reclaim) on top. Every sync carries it, asking or not, so no spend waits for an ask.
   * A gauge's released units go back into the holder's lease (it keeps using them without a round trip;
   * not renewed, they are reclaimed like any held capacity).
   */
  book(holder: string, spent: LeaseSpent, now: number): void {
    if (!this.leased(spent.id)) return;
    const s = this.stats(spent.id, now);
    const rec = this.recordFor(spent.id, holder, spent, now);
    const dR = Math.max(0, spent.spentR - rec.spentR);
    const dT = Math.max(0, spent.spentT - rec.spentT);
    const dRel = Math.max(0, (spent.releasedR ?? 0) - (rec.releasedR ?? 0));
    if (dR === 0 && dT === 0 && dRel === 0) return;
    // Releases first: a released unit the holder used again is spent out of what it held.
    if (dRel > 0) {
      rec.releasedR = (rec.releasedR ?? 0) + dRel;
      rec.heldR += dRel;
    }
    const fromHeldR = Math.min(dR, rec.heldR);
    const fromHeldT = Math.min(dT, rec.heldT);
    rec.heldR -= fromHeldR;
    rec.heldT -= fromHeldT;
    s.rpm += dR - fromHeldR;
    s.tpm += dT - fromHeldT;
    rec.spentR += dR;
    rec.spentT += dT;
    this.leaseChanged(spent.id, holder, rec);
    this.changed(spent.id, s);
  }

  private leased(id: string): boolean {
    const limits = this.limits.get(id);
    return !!limits && (limits.rpm !== undefined || limits.tpm !== undefined);
  }

  private recordFor(id: string, holder: string, spent: Pick<LeaseSpent, 'spentR' | 'spentT' | 'releasedR'>, now: number): Held {
    let holders = this.held.get(id);
    if (!holders) this.held.set(id, (holders = new Map()));
    let rec = holders.get(holder);
    if (!rec) {
      // A new holder (or one whose record went stale): what it says it spent was counted before, as held
      // or spent, so it starts from there.
      rec = { spentR: spent.spentR, spentT: spent.spentT, heldR: 0, heldT: 0, reclaimAt: 0 };
      if (spent.releasedR) rec.releasedR = spent.releasedR;
      holders.set(holder, rec);
    }
    rec.seenAt = now;
    return rec;
  }

  /** Books what `holder` spent and sets what it holds next; answers the cumulative grant. */
  renew(holder: string, ask: LeaseAsk, now: number): LeaseGrant | undefined {
    const limits = this.limits.get(ask.id);
    if (!limits || !this.leased(ask.id)) return undefined;
    this.book(holder, ask, now);
    const s = this.stats(ask.id, now);
    const rec = this.recordFor(ask.id, holder, ask, now);
    const total = this.heldTotal(ask.id, now);
    const share = limits.share ?? LEASE_SHARE;
    // The holder keeps spending what it holds while this answer travels back (up to what it wants), so
    // that much is never taken from it here; only the top-up is bounded.
    const nextR = Math.max(Math.min(ask.wantR, rec.heldR), Math.min(ask.wantR, rec.heldR + room(limits.rpm, s.rpm, total.r, share)));
    const nextT = Math.max(Math.min(ask.wantT, rec.heldT), Math.min(ask.wantT, rec.heldT + room(limits.tpm, s.tpm, total.t, share)));
    s.rpm += nextR - rec.heldR;
    s.tpm += nextT - rec.heldT;
    rec.heldR = nextR;
    rec.heldT = nextT;
    rec.reclaimAt = now + LEASE_TTL_MS + RECLAIM_MARGIN_MS;
    this.leaseChanged(ask.id, holder, rec);
    this.changed(ask.id, s);
    return { id: ask.id, grantedR: rec.spentR + rec.heldR, grantedT: rec.spentT + rec.heldT };
  }

  /** Whether one more request (one unit, `amount`) fits in `id` beyond what is spent and held. */
  fits(id: string, amount: number, now: number): boolean {
    const l = this.limits.get(id) ?? {};
    const s = this.stats(id, now);
    return !((l.rpm !== undefined && s.rpm + 1 > l.rpm) || (l.tpm !== undefined && s.tpm + amount > l.tpm));
  }

  /**
   * Counts one request exactly (the caller checked it fits, or lets it overshoot by itself as a budget
   * does). A holder's request is spent from what the object holds for it first, if that covers it: answers
   * true, and the holder counts it as spent from its lease too. A gauge's unit is the holder's until it
   * reports it released.
   */
  count(id: string, amount: number, now: number, holder?: string, fromHeld = true): boolean {
    const s = this.stats(id, now);
    const rec = holder === undefined || !fromHeld ? undefined : this.record(id, holder);
    if (holder !== undefined && rec && rec.reclaimAt > now && rec.heldR >= 1 && rec.heldT >= amount) {
      rec.heldR -= 1;
      rec.heldT -= amount;
      rec.spentR += 1;
      rec.spentT += amount;
      rec.seenAt = now;
      this.leaseChanged(id, holder, rec);
      return true;
    }
    s.rpm += 1;
    s.tpm += amount;
    if (holder !== undefined && this.limits.get(id)?.gauge) {
      const r = this.recordFor(id, holder, { spentR: 0, spentT: 0 }, now);
      r.takenR = (r.takenR ?? 0) + 1;
      this.leaseChanged(id, holder, r);
    }
    this.changed(id, s);
    return false;
  }

  /** The exact acquire, for when no lease has room: counts one request on the first of `ranked` with room. */
  take(ranked: string[], estTokens: number, now: number): AcquireResult {
    let cooling = 0;
    let firstBack = Infinity;
    for (const id of ranked) {
      const s = this.stats(id, now);
      const cooldownUntil = s.cooldownUntil ?? 0;
      if (cooldownUntil > now) {
        cooling++;
        firstBack = Math.min(firstBack, cooldownUntil);
        continue;
      }
      if (!this.fits(id, estTokens, now)) continue;
      this.count(id, estTokens, now);
      s.activeAt = now;
      return { ok: true, id };
    }
    if (ranked.length > 0 && cooling === ranked.length) return { ok: false, reason: 'cooldown', retryAfterMs: Math.max(0, firstBack - now) };
    return { ok: false, reason: 'rate_limited', retryAfterMs: 60_000 - (now % 60_000) };
  }

  /** Whether `seq` is the holder's latest sync so far (and records it). */
  latest(holder: string, seq: number): boolean {
    if (seq <= (this.seqs.get(holder) ?? 0)) return false;
    this.seqs.set(holder, seq);
    return true;
  }

  protected dropSeq(holder: string) {
    this.seqs.delete(holder);
  }
}

const inUse = (rec: Held) => Math.max(0, rec.spentR + (rec.takenR ?? 0) - (rec.releasedR ?? 0));

/**
 * How much more one holder may hold: what the limit leaves, and no more than `share` of the limit (or half
 * of what the window has left, whichever is less) held by all holders together.
 */
function room(limit: number | undefined, used: number, heldAll: number, share: number): number {
  if (limit === undefined) return Infinity;
  const spent = used - heldAll;
  const cap = Math.floor(Math.min(limit * share, (limit - spent) / 2));
  return Math.max(0, Math.min(limit - used, cap - heldAll));
}
