// Where routing state lives. The Router asks for a deployment and reports outcomes; the store decides
// whether that needs the shared truth (the Durable Object) or the local view is enough.
import type { AcquireRequest, AcquireResult, DeploymentStats, Report } from './ledger';

export type Defer = (work: Promise<unknown>) => void;

export interface StateStore {
  /** Picks and counts a deployment; at most one blocking round trip to shared state. */
  acquire(group: string, req: AcquireRequest, defer: Defer): Promise<AcquireResult & { shared?: boolean }>;
  /** Books an outcome; the caller hands the promise to waitUntil, never awaiting it on the response path. */
  report(group: string, report: Report & { shared?: boolean }): Promise<void>;
  snapshot(group: string, now: number): Promise<Record<string, DeploymentStats>>;
}

/** mulberry32: the Durable Object's picks replay exactly from the seed the caller drew. */
export function seeded(seed: number): () => number {
  let a = Math.floor(seed * 0xffffffff) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
