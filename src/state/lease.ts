// Quota leases: what an isolate and its group's RouterState object say to each other.
//
// The object counts, per deployment and minute, every request and estimated token either spent or held
// in a lease. An isolate spends its lease with no await; it tells the object what it spent, and asks for
// what it wants to hold next, in one background `sync` per batch window (riding the outcome reports).
// Counts are cumulative per holder (granted so far, spent so far), so a lost or late answer can only make
// the object count more than was used, never less. At a new minute what leases hold unspent is counted
// again in it. See ARCHITECTURE.md, "Quota leases".

import type { AcquireResult } from './ledger';

/**
 * What one leased id may use: `rpm` counts units a request takes one of (requests, parallel slots), `tpm`
 * an amount each request takes its own estimate of (tokens, micro-dollars). A deployment's limits are
 * learned by its object once per config (by hash); a key's or team's object reads them from its record.
 */
export interface Limits {
  rpm?: number;
  tpm?: number;
  /**
   * Capacity that comes back when a request ends (parallel slots), not with the next window: a holder
   * reports what it released, and keeps it in its lease.
   */
  gauge?: boolean;
  /** At most this share of the limit is held unspent in leases, all holders together (LEASE_SHARE by default). */
  share?: number;
}

/** How long an isolate may spend a lease after asking for it: renewals extend it, traffic keeps it alive. */
export const LEASE_TTL_MS = 5_000;
/** The object reclaims a lease's unspent part this long after the isolate stopped being allowed to spend it. */
export const RECLAIM_MARGIN_MS = 2_000;
/**
 * At most this share of a deployment's limit is held unspent in leases at any moment, all isolates
 * together (and at most half of what the minute has left): the capacity that can be refused while the
 * deployment is below its limit. Below 1 request (rpm < 20) there are no leases: every pick is exact.
 */
export const LEASE_SHARE = 0.05;
/** An isolate asks for about this much of its own recent traffic. */
export const LEASE_HORIZON_MS = 1_000;

/** One deployment's lease, as the isolate asks for it. */
export interface LeaseAsk {
  id: string;
  /** Requests and estimated tokens spent from this holder's leases so far (cumulative). */
  spentR: number;
  spentT: number;
  /** What the holder wants to hold unspent from now on (0: return everything). */
  wantR: number;
  wantT: number;
  /** A gauge's units this holder has released so far (cumulative): each back in its own lease. */
  releasedR?: number;
}

/** What a holder has spent (and, for a gauge, released) from one lease so far: every sync carries it. */
export type LeaseSpent = Pick<LeaseAsk, 'id' | 'spentR' | 'spentT' | 'releasedR'>;

/** The answer: the holder may spend up to `grantedR`/`grantedT` (cumulative), for LEASE_TTL_MS after asking. */
export interface LeaseGrant {
  id: string;
  grantedR: number;
  grantedT: number;
}

export interface SyncRequest<R> {
  /** The isolate's store: one holder per DurableStateStore. */
  holder: string;
  /** Increases with each lease ask of the holder: the object ignores an ask that arrives after a later one. */
  seq: number;
  limitsHash: string;
  /** Sent only until the object knows `limitsHash`. */
  limits?: Record<string, Limits>;
  now: number;
  reports: R[];
  /** What this holder has spent from each lease so far (cumulative), in every sync. */
  spent: LeaseSpent[];
  /** Lease asks: one sync with asks on its way per holder at a time. */
  asks: LeaseAsk[];
  /** This holder's requests in flight, per deployment (least-busy sums every holder's). */
  inFlight: Record<string, number>;
  /**
   * When the last of them is past its deadline (its timeout plus a margin): a holder that dies never reports
   * again, and its counts stop counting then (issue 17, finding 3), not after 15 minutes without news.
   */
  inFlightUntil?: number;
  /** An exact acquire, after the asks: the first of `ranked` that is healthy and has room is counted. */
  take?: { ranked: string[]; estTokens: number };
}

export interface SyncResponse<S> {
  /** The object does not know `limitsHash`: send again with `limits`. Nothing was booked. */
  unknownLimits?: true;
  grants: LeaseGrant[];
  /** Usage spent (not held) this minute, in-flight summed over holders, latency, failures, cooldowns. */
  snapshot: Record<string, S>;
  /** Requests and tokens held unspent in leases, all holders. */
  held: Record<string, { r: number; t: number }>;
  taken?: AcquireResult;
}

/** FNV-1a over the limits, in a stable order: names a config's limits in 8 hex digits. */
export function limitsHash(limits: ReadonlyMap<string, Limits>): string {
  const text = [...limits].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, l]) => `${id}\u0000${l.rpm ?? ''}\u0000${l.tpm ?? ''}`).join('\u0001');
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

export const minuteOf = (now: number) => Math.floor(now / 60_000);
