// The object's side of quota leases: grants, spends, returns, reclaims and exact takes over the group's
// Ledger. Pure and synchronous (the object calls it inside one input-gated call), so it is exact.
//
// Invariant: for each deployment and minute, the ledger's rpm/tpm = what was spent (reported spends,
// exact takes, unleased reports) + what is held unspent in leases. A grant or take never lets that pass
// the limit, so no set of isolates can spend more than the limit in a minute. At a new minute the counts
// start again from what unlapsed leases still hold: a lease carries over, counted in the minute it is
// spent in.
import type { AcquireResult, DeploymentStats, Ledger } from './ledger';
import type { LeaseAsk, LeaseGrant, Limits } from './lease';
import { LEASE_SHARE, LEASE_TTL_MS, RECLAIM_MARGIN_MS } from './lease';

export interface Held {
  /** Cumulative spends this holder reported. */
  spentR: number;
  spentT: number;
  /** Granted and not yet reported spent: counted in the ledger as used. */
  heldR: number;
  heldT: number;
  /** When the object takes the unspent part back if the holder has not renewed. */
  reclaimAt: number;
}

/** A holder's in-flight counts, and a lapsed lease's record: dropped after this long without news. */
const STALE_MS = 15 * 60_000;

export class LeaseDesk {
  readonly limits = new Map<string, Limits>();
  /** Per deployment, per holder. */
  private readonly held = new Map<string, Map<string, Held>>();
  private readonly inFlight = new Map<string, { at: number; counts: Record<string, number>; until?: number }>();
  private readonly seqs = new Map<string, number>();

  constructor(
    private readonly ledger: Ledger,
    private readonly changed: (id: string, s: DeploymentStats) => void,
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

  private stats(id: string, now: number): DeploymentStats {
    const before = this.ledger.stats.get(id)?.minute;
    const s = this.ledger.get(id, now);
    if (before !== undefined && before !== s.minute) this.carry(id, s, now);
    return s;
  }

  /**
   * A new minute zeroed the counts: what leases still hold unspent is counted in it again (their holders
   * keep spending it without a round trip); what lapsed leases held is gone with the old minute.
   */
  private carry(id: string, s: DeploymentStats, now: number) {
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

  /** Rolls every leased deployment into `now`'s minute before anything else reads the ledger. */
  private touch(now: number) {
    for (const id of this.held.keys()) this.stats(id, now);
  }

  /** Unspent capacity whose holder stopped renewing goes back to the pool; long-silent records go. */
  sweep(now: number): void {
    for (const [id, holders] of this.held) {
      const s = this.stats(id, now);
      for (const [holder, rec] of holders) {
        if (rec.reclaimAt > now) continue;
        if (rec.heldR === 0 && rec.heldT === 0) {
          if (now - rec.reclaimAt > STALE_MS) {
            holders.delete(holder);
            this.leaseChanged(id, holder, undefined);
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
   */
  book(holder: string, spent: { id: string; spentR: number; spentT: number }, now: number): void {
    if (!this.leased(spent.id)) return;
    const s = this.stats(spent.id, now);
    const rec = this.recordFor(spent.id, holder, spent);
    const dR = Math.max(0, spent.spentR - rec.spentR);
    const dT = Math.max(0, spent.spentT - rec.spentT);
    if (dR === 0 && dT === 0) return;
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

  private recordFor(id: string, holder: string, spent: { spentR: number; spentT: number }): Held {
    let holders = this.held.get(id);
    if (!holders) this.held.set(id, (holders = new Map()));
    let rec = holders.get(holder);
    if (!rec) {
      // A new holder (or one whose record went stale): what it says it spent was counted before, as held
      // or spent, so it starts from there.
      rec = { spentR: spent.spentR, spentT: spent.spentT, heldR: 0, heldT: 0, reclaimAt: 0 };
      holders.set(holder, rec);
    }
    return rec;
  }

  /** Books what `holder` spent and sets what it holds next; answers the cumulative grant. */
  renew(holder: string, ask: LeaseAsk, now: number): LeaseGrant | undefined {
    const limits = this.limits.get(ask.id);
    if (!limits || !this.leased(ask.id)) return undefined;
    this.book(holder, ask, now);
    const s = this.stats(ask.id, now);
    const rec = this.recordFor(ask.id, holder, ask);
    const total = this.heldTotal(ask.id, now);
    // The holder keeps spending what it holds while this answer travels back (up to what it wants), so
    // that much is never taken from it here; only the top-up is bounded.
    const nextR = Math.max(Math.min(ask.wantR, rec.heldR), Math.min(ask.wantR, rec.heldR + room(limits.rpm, s.rpm, total.r)));
    const nextT = Math.max(Math.min(ask.wantT, rec.heldT), Math.min(ask.wantT, rec.heldT + room(limits.tpm, s.tpm, total.t)));
    s.rpm += nextR - rec.heldR;
    s.tpm += nextT - rec.heldT;
    rec.heldR = nextR;
    rec.heldT = nextT;
    rec.reclaimAt = now + LEASE_TTL_MS + RECLAIM_MARGIN_MS;
    this.leaseChanged(ask.id, holder, rec);
    this.changed(ask.id, s);
    return { id: ask.id, grantedR: rec.spentR + rec.heldR, grantedT: rec.spentT + rec.heldT };
  }

  /** The exact acquire, for when no lease has room: counts one request on the first of `ranked` with room. */
  take(ranked: string[], estTokens: number, now: number): AcquireResult {
    let cooling = 0;
    let firstBack = Infinity;
    for (const id of ranked) {
      const s = this.stats(id, now);
      if (s.cooldownUntil > now) {
        cooling++;
        firstBack = Math.min(firstBack, s.cooldownUntil);
        continue;
      }
      const l = this.limits.get(id) ?? {};
      if ((l.rpm !== undefined && s.rpm + 1 > l.rpm) || (l.tpm !== undefined && s.tpm + estTokens > l.tpm)) continue;
      s.rpm += 1;
      s.tpm += estTokens;
      s.activeAt = now;
      this.changed(id, s);
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

  setInFlight(holder: string, counts: Record<string, number>, now: number, until?: number): void {
    this.inFlight.set(holder, { at: now, counts, until });
  }

  /** What routing sees: usage spent (held capacity left out), and in-flight summed over live holders. */
  snapshot(now: number): { snapshot: Record<string, DeploymentStats>; held: Record<string, { r: number; t: number }> } {
    this.touch(now);
    const inFlight: Record<string, number> = {};
    for (const [h, e] of this.inFlight) {
      // Past the deadline of the holder's last request in flight: a dead holder's requests stop counting.
      if (e.until !== undefined && now > e.until && now - e.at <= STALE_MS) continue;
      if (now - e.at > STALE_MS) {
        this.inFlight.delete(h);
        this.seqs.delete(h);
        continue;
      }
      for (const [id, n] of Object.entries(e.counts)) inFlight[id] = (inFlight[id] ?? 0) + n;
    }
    // A deployment the object has booked nothing for yet may still have requests in flight somewhere.
    for (const id of Object.keys(inFlight)) this.ledger.get(id, now);
    const snapshot = this.ledger.snapshot(now);
    const held: Record<string, { r: number; t: number }> = {};
    for (const [id, s] of Object.entries(snapshot)) {
      const h = this.heldTotal(id, now);
      held[id] = h;
      s.rpm = Math.max(0, s.rpm - h.r);
      s.tpm = Math.max(0, s.tpm - h.t);
      s.inFlight += inFlight[id] ?? 0;
    }
    return { snapshot, held };
  }
}

/**
 * How much more one holder may hold: what the limit leaves, and no more than the lease share of the limit
 * (or half of what the minute has left, whichever is less) held by all holders together.
 */
function room(limit: number | undefined, used: number, heldAll: number): number {
  if (limit === undefined) return Infinity;
  const spent = used - heldAll;
  const cap = Math.floor(Math.min(limit * LEASE_SHARE, (limit - spent) / 2));
  return Math.max(0, Math.min(limit - used, cap - heldAll));
}
