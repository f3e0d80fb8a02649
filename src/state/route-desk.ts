// A model group's lease desk, with what routing also needs from the object: every holder's requests in
// flight (least-busy sums them) and the view an isolate merges (usage spent, held capacity left out).
import type { DeploymentStats, Ledger } from './ledger';
import type { Held } from './lease-desk';
import { LeaseDesk, STALE_MS } from './lease-desk';

export class RouteDesk extends LeaseDesk<DeploymentStats> {
  private readonly inFlight = new Map<string, { at: number; counts: Record<string, number>; until?: number }>();

  constructor(
    private readonly ledger: Ledger,
    changed: (id: string, s: DeploymentStats) => void,
    leaseChanged?: (id: string, holder: string, rec: Held | undefined) => void,
  ) {
    super(ledger, changed, leaseChanged);
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
        this.dropSeq(h);
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
