// This isolate's side of leases, per owner (a model group; a key or team): what each leased id allows, what
// was spent from it, and the pace that sizes the next ask. Pure and synchronous; the owner's client
// (DurableStateStore, the keys' AccountClient) sends the asks and applies the grants (the protocol is in
// lease.ts, the object's side in lease-desk.ts).
import type { LeaseAsk, LeaseGrant, LeaseSpent } from './lease';
import { LEASE_HORIZON_MS, LEASE_TTL_MS } from './lease';

/** The least an isolate asks to hold, so a quiet isolate's next request still needs no trip. */
const MIN_WANT = 2;
/** What it asks for when it knows nothing of its pace yet (a cold isolate). */
const FIRST_WANT = 8;

/** Cumulative for as long as this isolate lives: spends across minutes come out of the same counts. */
interface Lease {
  grantedR: number;
  grantedT: number;
  spentR: number;
  spentT: number;
  /** This isolate's clock: 5 s after it asked, whatever the answer's delay. */
  expiresAt: number;
  /** What the last ask wanted to hold. */
  wantR: number;
  /** A gauge's units released so far (cumulative). */
  releasedR: number;
}

/** An id and what it limits: a request takes one unit of `rpm`, and its amount of `tpm`. */
export interface Leased {
  id: string;
  rpm?: number;
  tpm?: number;
}

/** This isolate's recent traffic to one deployment: what a lease is sized by. */
interface Pace {
  /** Picks since the last ask. */
  picks: number;
  tokens: number;
  /** Picks since `at`, the window `rate` is measured over. */
  windowPicks: number;
  at: number;
  /** Picks per second, smoothed over asks. */
  rate: number;
  /** Estimated tokens per pick, as last seen. */
  perPick: number;
}

const newPace = (now: number, perPick = 0): Pace => ({ picks: 0, tokens: 0, windowPicks: 0, at: now, rate: 0, perPick });

export class LeaseBook {
  private readonly leases = new Map<string, Lease>();
  private readonly pace = new Map<string, Pace>();

  /** Until this isolate has picked a deployment, the request at hand is the best guess of a pick's tokens. */
  expect(id: string, estTokens: number, now: number): void {
    if (!this.pace.has(id)) this.pace.set(id, newPace(now, estTokens));
  }

  hasRoom(c: Leased, estTokens: number, now: number): boolean {
    const lease = this.leases.get(c.id);
    if (!lease || now >= lease.expiresAt) return false;
    return (c.rpm === undefined || lease.spentR + 1 <= lease.grantedR) && (c.tpm === undefined || lease.spentT + estTokens <= lease.grantedT);
  }

  /** Spends one request from the lease; only after hasRoom said yes. */
  spend(id: string, estTokens: number): void {
    const lease = this.leases.get(id)!;
    lease.spentR += 1;
    lease.spentT += estTokens;
  }

  /**
   * A gauge's unit comes back (a request ended): reported to the object with the next sync, and kept in this
   * isolate's lease while the lease lasts (the object holds it for this holder either way).
   */
  release(id: string, now: number): void {
    const lease = this.lease(id);
    lease.releasedR += 1;
    if (now < lease.expiresAt) lease.grantedR += 1;
  }

  private lease(id: string): Lease {
    let lease = this.leases.get(id);
    if (!lease) this.leases.set(id, (lease = { grantedR: 0, grantedT: 0, spentR: 0, spentT: 0, expiresAt: 0, wantR: 0, releasedR: 0 }));
    return lease;
  }

  /** Whether the lease is down to a quarter of what was last asked: renew now rather than after a window. */
  low(id: string): boolean {
    const lease = this.leases.get(id);
    return lease !== undefined && lease.grantedR - lease.spentR < Math.max(2, lease.wantR / 4);
  }

  /** What was spent from the lease so far (cumulative), for every sync. */
  spent(id: string): LeaseSpent | undefined {
    const lease = this.leases.get(id);
    if (!lease) return undefined;
    return lease.releasedR > 0 ? { id, spentR: lease.spentR, spentT: lease.spentT, releasedR: lease.releasedR } : { id, spentR: lease.spentR, spentT: lease.spentT };
  }

  /** Counts a pick toward this isolate's pace, leased or taken. */
  picked(id: string, estTokens: number, now: number): void {
    const pace = this.pace.get(id) ?? newPace(now);
    pace.picks += 1;
    pace.windowPicks += 1;
    pace.tokens += estTokens;
    this.pace.set(id, pace);
  }

  /**
   * What to tell the object about one deployment's lease: spent so far, and what to hold next
   * (about LEASE_HORIZON_MS of this isolate's recent traffic). Until the answer, the lease is capped at that
   * (what it gives back is never spent), so the object's grant can never fall below what is spent.
   */
  ask(id: string, now: number, maxWant = Infinity): LeaseAsk {
    const lease = this.lease(id);
    const pace = this.pace.get(id) ?? newPace(now);
    this.pace.set(id, pace);
    const elapsed = now - pace.at;
    if (elapsed >= 50) {
      pace.rate = pace.rate / 2 + (pace.windowPicks * 1000) / elapsed / 2;
      pace.windowPicks = 0;
      pace.at = now;
    }
    if (pace.picks > 0) pace.perPick = pace.tokens / pace.picks;
    const first = lease.grantedR === 0 && lease.spentR === 0 && pace.rate === 0;
    const wantR = Math.min(maxWant, Math.max(first ? FIRST_WANT : MIN_WANT, Math.ceil((pace.rate * LEASE_HORIZON_MS) / 1000), pace.picks * 2));
    const wantT = Math.ceil(wantR * Math.max(1, pace.perPick));
    pace.picks = 0;
    pace.tokens = 0;
    lease.wantR = wantR;
    lease.grantedR = lease.spentR + Math.min(wantR, Math.max(0, lease.grantedR - lease.spentR));
    lease.grantedT = lease.spentT + Math.min(wantT, Math.max(0, lease.grantedT - lease.spentT));
    const ask: LeaseAsk = { id, spentR: lease.spentR, spentT: lease.spentT, wantR, wantT };
    if (lease.releasedR > 0) ask.releasedR = lease.releasedR;
    return ask;
  }

  /** The object's answer to the ask sent at `sentAt` (only the latest ask's answer is applied). */
  apply(g: LeaseGrant, sentAt: number): void {
    const lease = this.leases.get(g.id);
    if (!lease) return; // asked for, so it exists
    lease.grantedR = g.grantedR;
    lease.grantedT = g.grantedT;
    lease.expiresAt = sentAt + LEASE_TTL_MS;
  }
}
