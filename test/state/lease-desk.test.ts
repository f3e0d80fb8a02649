// The object's lease bookkeeping, driven by several simulated isolates that follow the store's protocol
// (cap what they give back at send, keep spending while the answer travels, expire by their own clock),
// through renewals, exact takes, time passing across minutes and lease lifetimes, and object restarts.
// fast-check searches for a sequence that spends more than a limit in some minute, holds more than the
// lease share unspent, or refuses capacity beyond what leases hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/state/ledger';
import { LEASE_SHARE, LEASE_TTL_MS, RECLAIM_MARGIN_MS, minuteOf } from '../../src/state/lease';
import { LeaseBook } from '../../src/state/lease-book';
import { LeaseDesk } from '../../src/state/lease-desk';

const RPM = 60;
const TPM = 3_000;
const ID = 'd';

interface Holder {
  grantedR: number;
  grantedT: number;
  spentR: number;
  spentT: number;
  expiresAt: number;
  wantR: number;
}

type Op =
  | { kind: 'sync'; h: number; wantR: number; inFlightSpends: number }
  | { kind: 'spend'; h: number; n: number }
  | { kind: 'take'; h: number; n: number }
  | { kind: 'time'; ms: number }
  /** To just past the next minute boundary, within a lease's lifetime. */
  | { kind: 'nextMinute'; ms: number }
  | { kind: 'restart' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('sync' as const), h: fc.integer({ min: 0, max: 3 }), wantR: fc.integer({ min: 0, max: 60 }), inFlightSpends: fc.integer({ min: 0, max: 20 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('spend' as const), h: fc.integer({ min: 0, max: 3 }), n: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('take' as const), h: fc.integer({ min: 0, max: 3 }), n: fc.integer({ min: 1, max: 30 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('time' as const), ms: fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 30_000 })) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('nextMinute' as const), ms: fc.integer({ min: 0, max: 1_000 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
);

function run(ops: Op[], estTokens: number) {
  let ledger = new Ledger();
  const newDesk = () => {
    const d = new LeaseDesk(ledger, () => {});
    d.learn({ [ID]: { rpm: RPM, tpm: TPM } });
    return d;
  };
  let desk = newDesk();
  let now = Math.floor(Date.UTC(2026, 10, 29, 6) / 60_000) * 60_000 + 5_000;
  const holders: Holder[] = Array.from({ length: 4 }, () => ({ grantedR: 0, grantedT: 0, spentR: 0, spentT: 0, expiresAt: 0, wantR: 0 }));
  /** What really went upstream, per minute: the truth the limits are about. */
  const used = new Map<number, { r: number; t: number }>();
  const spendOne = () => {
    const m = used.get(minuteOf(now)) ?? { r: 0, t: 0 };
    m.r += 1;
    m.t += estTokens;
    used.set(minuteOf(now), m);
    expect(m.r, 'requests spent this minute').toBeLessThanOrEqual(RPM);
    expect(m.t, 'tokens spent this minute').toBeLessThanOrEqual(TPM);
  };
  const canSpend = (h: Holder) => now < h.expiresAt && h.spentR + 1 <= h.grantedR && h.spentT + estTokens <= h.grantedT;
  const spend = (h: Holder, n: number) => {
    for (let i = 0; i < n && canSpend(h); i++) {
      h.spentR += 1;
      h.spentT += estTokens;
      spendOne();
    }
  };
  const sync = (i: number, wantR: number, inFlightSpends: number) => {
    const h = holders[i];
    h.wantR = wantR;
    const wantT = wantR * estTokens;
    // At send: what is given back is never spent, even before the answer.
    h.grantedR = h.spentR + Math.min(wantR, Math.max(0, h.grantedR - h.spentR));
    h.grantedT = h.spentT + Math.min(wantT, Math.max(0, h.grantedT - h.spentT));
    const sentAt = now;
    const g = desk.renew(`h${i}`, { id: ID, spentR: h.spentR, spentT: h.spentT, wantR, wantT }, now)!;
    spend(h, inFlightSpends); // while the answer travels
    h.grantedR = g.grantedR;
    h.grantedT = g.grantedT;
    h.expiresAt = sentAt + LEASE_TTL_MS;
  };
  for (const o of ops) {
    desk.sweep(now); // as the object does before each call
    if (o.kind === 'time' || o.kind === 'nextMinute') {
      // A live isolate reports its spends within a batch window (20 ms), long before any of these steps.
      for (let i = 0; i < holders.length; i++) sync(i, holders[i].wantR, 0);
      now += o.kind === 'time' ? o.ms : 60_000 - (now % 60_000) + o.ms;
    }
    else if (o.kind === 'restart') {
      // What SQLite kept as of the last call: the ledger and the lease records (not in-flight counts).
      const records = holders.map((_, i) => desk.record(ID, `h${i}`));
      const kept = new Ledger();
      kept.load(JSON.parse(JSON.stringify(Object.fromEntries(ledger.stats))));
      ledger = kept;
      desk = newDesk();
      records.forEach((rec, i) => rec && desk.restore(ID, `h${i}`, JSON.parse(JSON.stringify(rec))));
    } else if (o.kind === 'take') {
      for (let i = 0; i < o.n; i++) {
        const r = desk.take([ID], estTokens, now);
        if (r.ok) {
          spendOne();
          continue;
        }
        // Refused below the limit only by what leases hold (or what they spent and have not reported yet).
        const m = used.get(minuteOf(now)) ?? { r: 0, t: 0 };
        const held = desk.heldTotal(ID, now);
        expect(m.r + held.r + 1 > RPM || m.t + held.t + estTokens > TPM, 'refused with room outside leases').toBe(true);
        break;
      }
    } else if (o.kind === 'spend') spend(holders[o.h], o.n);
    else sync(o.h, o.wantR, o.inFlightSpends);
    const held = desk.heldTotal(ID, now);
    expect(held.r, 'requests held unspent').toBeLessThanOrEqual(Math.floor(RPM * LEASE_SHARE));
    expect(held.t, 'tokens held unspent').toBeLessThanOrEqual(Math.floor(TPM * LEASE_SHARE));
    // The object never counts less than was spent this minute (what an over-grant needs first).
    const s = ledger.stats.get(ID);
    const m = used.get(minuteOf(now));
    if (s && m) {
      expect(s.rpm, 'requests counted by the object').toBeGreaterThanOrEqual(m.r);
      expect(s.tpm, 'tokens counted by the object').toBeGreaterThanOrEqual(m.t);
    }
  }
  return { desk, now, used };
}

describe('lease desk invariants (fast-check)', () => {
  it('never lets a minute spend over rpm or tpm, holds at most the lease share, refuses only what leases hold', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 80 }), (ops, est) => {
        run(ops, est);
      }),
      { numRuns: 500 },
    );
  });

  it('reclaims what a silent holder held once its lease is over', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 100 }), (ops) => {
        const { desk, now } = run(ops, 10);
        desk.sweep(now + LEASE_TTL_MS + RECLAIM_MARGIN_MS);
        expect(desk.heldTotal(ID, now + LEASE_TTL_MS + RECLAIM_MARGIN_MS)).toEqual({ r: 0, t: 0 });
      }),
      { numRuns: 100 },
    );
  });

  it('grants a busy holder a lease at once, and shrinks leases to nothing as the minute runs out', () => {
    const ledger = new Ledger();
    const desk = new LeaseDesk(ledger, () => {});
    desk.learn({ [ID]: { rpm: 400 } });
    const now = Math.floor(Date.UTC(2026, 10, 29, 6) / 60_000) * 60_000 + 5_000;
    const first = desk.renew('a', { id: ID, spentR: 0, spentT: 0, wantR: 10, wantT: 0 }, now)!;
    expect(first.grantedR).toBe(10); // within 5% of 400
    // Exact takes use up the minute; a lease ask then gets no more than half of what is left.
    for (let i = 0; i < 400 - 10 - 6; i++) expect(desk.take([ID], 0, now).ok).toBe(true);
    const late = desk.renew('b', { id: ID, spentR: 0, spentT: 0, wantR: 10, wantT: 0 }, now)!;
    expect(late.grantedR).toBe(0); // a holds 10 of the 16 left: more than half is already held
    const back = desk.renew('a', { id: ID, spentR: 10, spentT: 0, wantR: 10, wantT: 0 }, now)!;
    expect(back.grantedR - 10).toBe(3); // a spent its 10; of the 6 left, half
  });

  it('a lease held at a minute boundary is counted again in the next minute, where it is spent', () => {
    // Where the random search rarely looks: renewed 5 s before the minute ends, spent after it.
    run(
      [
        { kind: 'time', ms: 50_000 },
        { kind: 'sync', h: 0, wantR: 3, inFlightSpends: 0 },
        { kind: 'spend', h: 0, n: 3 },
        { kind: 'sync', h: 0, wantR: 3, inFlightSpends: 0 },
        { kind: 'nextMinute', ms: 100 },
        { kind: 'sync', h: 0, wantR: 3, inFlightSpends: 0 },
        { kind: 'spend', h: 0, n: 10 },
        { kind: 'take', h: 1, n: 30 },
        { kind: 'take', h: 1, n: 30 },
      ],
      1,
    );
  });

  it('holds with the isolate side as it is (LeaseBook: its pace sizes the asks, it caps at send, applies answers)', () => {
    type BookOp =
      | { kind: 'pick'; h: number; n: number }
      | { kind: 'sync'; h: number; inFlightPicks: number; overtaken: boolean }
      | { kind: 'take'; n: number }
      | { kind: 'time'; ms: number }
      | { kind: 'nextMinute'; ms: number }
      | { kind: 'lateInMinute'; ms: number }
      | { kind: 'restart' };
    const bookOp: fc.Arbitrary<BookOp> = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('pick' as const), h: fc.integer({ min: 0, max: 2 }), n: fc.integer({ min: 1, max: 30 }) }) },
      {
        weight: 4,
        arbitrary: fc.record({ kind: fc.constant('sync' as const), h: fc.integer({ min: 0, max: 2 }), inFlightPicks: fc.integer({ min: 0, max: 15 }), overtaken: fc.boolean() }),
      },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('take' as const), n: fc.integer({ min: 1, max: 30 }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('time' as const), ms: fc.oneof(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 0, max: 40_000 })) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('nextMinute' as const), ms: fc.integer({ min: 0, max: 1_000 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('lateInMinute' as const), ms: fc.integer({ min: 100, max: 4_000 }) }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
    );
    const candidate = { id: ID, rpm: RPM, tpm: TPM };
    fc.assert(
      fc.property(fc.array(bookOp, { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 80 }), (ops, est) => {
        let ledger = new Ledger();
        const newDesk = () => {
          const d = new LeaseDesk(ledger, () => {});
          d.learn({ [ID]: { rpm: RPM, tpm: TPM } });
          return d;
        };
        let desk = newDesk();
        let now = Math.floor(Date.UTC(2026, 10, 29, 6) / 60_000) * 60_000 + 5_000;
        const books = [new LeaseBook(), new LeaseBook(), new LeaseBook()];
        const used = new Map<number, { r: number; t: number }>();
        const count = () => {
          const m = used.get(minuteOf(now)) ?? { r: 0, t: 0 };
          m.r += 1;
          m.t += est;
          used.set(minuteOf(now), m);
          expect(m.r, 'requests this minute').toBeLessThanOrEqual(RPM);
          expect(m.t, 'tokens this minute').toBeLessThanOrEqual(TPM);
        };
        const pick = (b: LeaseBook, n: number) => {
          for (let i = 0; i < n && b.hasRoom(candidate, est, now); i++) {
            b.spend(ID, est);
            b.picked(ID, est, now);
            count();
          }
        };
        const sync = (i: number, inFlightPicks: number, overtaken = false) => {
          const b = books[i];
          const a = b.ask(ID, now);
          if (overtaken) {
            // A later window's sync without asks (carrying spends made since) reaches the object first.
            pick(b, inFlightPicks);
            desk.book(`h${i}`, b.spent(ID)!, now);
          }
          const g = desk.renew(`h${i}`, a, now);
          pick(b, inFlightPicks); // while the answer travels
          if (g) b.apply(g, now);
        };
        for (const b of books) b.expect(ID, est, now);
        for (const o of ops) {
          desk.sweep(now);
          if (o.kind === 'time' || o.kind === 'nextMinute' || o.kind === 'lateInMinute') {
            for (let i = 0; i < books.length; i++) sync(i, 0); // spends reach the object within a window
            const toBoundary = 60_000 - (now % 60_000);
            now += o.kind === 'time' ? o.ms : o.kind === 'nextMinute' ? toBoundary + o.ms : Math.max(0, toBoundary - o.ms);
          } else if (o.kind === 'restart') {
            const kept = new Ledger();
            kept.load(JSON.parse(JSON.stringify(Object.fromEntries(ledger.stats))));
            ledger = kept;
            desk = newDesk();
          } else if (o.kind === 'take') {
            for (let i = 0; i < o.n && desk.take([ID], est, now).ok; i++) count();
          } else if (o.kind === 'pick') pick(books[o.h], o.n);
          else sync(o.h, o.inFlightPicks, o.overtaken);
          const held = desk.heldTotal(ID, now);
          expect(held.r).toBeLessThanOrEqual(Math.floor(RPM * LEASE_SHARE));
          expect(held.t).toBeLessThanOrEqual(Math.floor(TPM * LEASE_SHARE));
          // The object never counts less than was spent this minute (what an over-grant needs first).
          const s = ledger.stats.get(ID);
          const m = used.get(minuteOf(now));
          if (s && m) {
            expect(s.rpm, 'requests counted by the object').toBeGreaterThanOrEqual(m.r);
            expect(s.tpm, 'tokens counted by the object').toBeGreaterThanOrEqual(m.t);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
