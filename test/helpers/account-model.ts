// A simulated account (a key's, a team's, or a budget below the key) and several isolates that follow the
// client's protocol (src/keys/account-client.ts: spend from leases with no round trip, exact takes when no lease
// covers a request, batches of spends, asks and finished requests, slots back into their own lease), with time
// passing across minutes and lease lifetimes, and the object restarting from what it stored. After every step it
// checks the truth against the limits: requests in a minute against rpm, in flight against parallel, spend
// against the budget plus the stated bound (one request's estimate: requests here never cost more than it), and
// that the object never counts less budget than was spent. Used by test/keys/account.test.ts and
// test/budgets/model.test.ts.
import fc from 'fast-check';
import { expect } from 'vitest';
import { AccountState, BUDGET, leaseLimits, micros, PARALLEL, RATE } from '../../src/keys/account';
import { LEASE_TTL_MS, minuteOf } from '../../src/state/lease';
import { LeaseBook } from '../../src/state/lease-book';
import type { Held, Tally } from '../../src/state/lease-desk';
import { pack } from '../../src/keys/settled';
import type { AccountRecord, AccountSync, Counted, Need } from '../../src/keys/types';

export interface Model {
  record: (now: number) => AccountRecord;
  budgetUsd: number;
  estMicros: number;
  estTokens: number;
  rpm?: number;
  parallel?: number;
  /** Whether a request holds a parallel slot. */
  slot: boolean;
}

export type Op =
  | { kind: 'admit'; h: number; n: number }
  | { kind: 'finish'; h: number; n: number; costShare: number }
  | { kind: 'sync'; h: number }
  | { kind: 'time'; ms: number }
  | { kind: 'restart' };

export const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('admit' as const), h: fc.integer({ min: 0, max: 3 }), n: fc.integer({ min: 1, max: 12 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('finish' as const), h: fc.integer({ min: 0, max: 3 }), n: fc.integer({ min: 1, max: 12 }), costShare: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('sync' as const), h: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('time' as const), ms: fc.oneof(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 20_000 })) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
);

interface Holder {
  name: string;
  book: LeaseBook;
  seq: number;
  settled: number[];
  inFlight: Counted[];
  lastAt: number;
}

export function runModel(ops: Op[], m: Model) {
  const { record, rpm = Infinity, parallel = Infinity, budgetUsd, estMicros: EST_MICROS, estTokens: EST_TOKENS } = m;
  let now = Math.floor(Date.UTC(2026, 10, 29, 6) / 60_000) * 60_000 + 5_000;
  let state = new AccountState();
  state.set(record(now), now);
  const limits = leaseLimits(record(now));
  const holders: Holder[] = Array.from({ length: 4 }, (_, i) => ({ name: `h${i}`, book: new LeaseBook(), seq: 0, settled: [], inFlight: [], lastAt: -Infinity }));
  const need: Need = { model: undefined, group: undefined, estTokens: EST_TOKENS, estMicros: EST_MICROS };
  const amount = (id: string) => (id === RATE ? EST_TOKENS : id === BUDGET ? EST_MICROS : 0);
  /** The truth: requests per minute, requests in flight, what was really spent. */
  const perMinute = new Map<number, number>();
  let inFlight = 0;
  let spent = 0;

  const send = (h: Holder, asking: boolean, take?: Need) => {
    const ids = Object.keys(limits);
    const seq = asking ? ++h.seq : h.seq;
    const msg: AccountSync = {
      holder: h.name,
      seq,
      now,
      asks: asking ? ids.map((id) => h.book.ask(id, now, id === PARALLEL ? 2 : undefined)) : [],
      spent: asking ? [] : ids.flatMap((id) => h.book.spent(id) ?? []),
      settled: h.settled.splice(0),
      ...(take ? { take } : {}),
    };
    const answer = JSON.parse(JSON.stringify(state.sync(msg, now)));
    if (asking) for (const g of answer.grants) h.book.apply(g, now);
    return answer;
  };
  const admitted = () => {
    const m = (perMinute.get(minuteOf(now)) ?? 0) + 1;
    perMinute.set(minuteOf(now), m);
    inFlight++;
    expect(m, 'requests this minute').toBeLessThanOrEqual(rpm);
    expect(inFlight, 'requests in flight').toBeLessThanOrEqual(parallel);
  };
  const admit = (h: Holder) => {
    const busy = now - h.lastAt < LEASE_TTL_MS;
    h.lastAt = now;
    const counted: Counted = { minute: minuteOf(now), estTokens: EST_TOKENS, estMicros: EST_MICROS, slot: m.slot };
    if (Object.entries(limits).every(([id, l]) => h.book.hasRoom({ id, rpm: l.rpm, tpm: l.tpm }, amount(id), now))) {
      for (const id of Object.keys(limits)) {
        h.book.spend(id, amount(id));
        h.book.picked(id, amount(id), now);
      }
    } else {
      for (const id of Object.keys(limits)) h.book.picked(id, amount(id), now);
      const answer = send(h, busy, need);
      if (!answer.taken.ok) return;
      for (const id of answer.taken.fromLease) h.book.spend(id, amount(id));
    }
    admitted();
    h.inFlight.push(counted);
  };
  const finish = (h: Holder, costShare: number) => {
    const counted = h.inFlight.pop();
    if (!counted) return;
    const cost = (EST_MICROS * costShare) / 1e6;
    spent += cost;
    inFlight--;
    if (m.slot) h.book.release(PARALLEL, now);
    pack(h.settled, { cost, tokens: EST_TOKENS, counted });
  };

  for (const o of ops) {
    if (o.kind === 'admit') for (let i = 0; i < o.n; i++) admit(holders[o.h]);
    else if (o.kind === 'finish') for (let i = 0; i < o.n; i++) finish(holders[o.h], o.costShare);
    else if (o.kind === 'sync') send(holders[o.h], true);
    else if (o.kind === 'time') {
      // A live isolate sends its batch within a window (20 ms), long before any of these steps.
      for (const h of holders) send(h, false);
      now += o.ms;
    } else {
      // What SQLite kept as of the last call: the record, the tallies, the lease records.
      const kept = JSON.parse(JSON.stringify({ record: state.record, tallies: Object.fromEntries(state.tallies.stats), cost: state.costPerRequest }));
      const leases: Array<{ id: string; holder: string; rec: Held }> = [];
      for (const id of Object.keys(limits)) for (const h of holders) { const rec = state.desk.record(id, h.name); if (rec) leases.push({ id, holder: h.name, rec: JSON.parse(JSON.stringify(rec)) }); }
      state = new AccountState();
      state.restore(kept.record, kept.tallies as Record<string, Tally>, leases, kept.cost);
    }
    // Spend: never more than the budget and one request's estimate (the last exact admission may pass it).
    expect(spent, 'spent').toBeLessThanOrEqual(budgetUsd + EST_MICROS / 1e6 + 1e-12);
    // The object never counts less budget than was spent plus what is in flight and unsettled.
    const b = state.tallies.stats.get(BUDGET);
    if (b) expect(b.tpm + 1e-6, 'budget counted').toBeGreaterThanOrEqual(micros(spent));
  }
  // Everything finishes and is booked: the object's spend is the truth.
  for (const h of holders) while (h.inFlight.length > 0) finish(h, 1);
  for (const h of holders) send(h, false);
  expect(state.record!.spend).toBeCloseTo(spent, 9);
  return { state, now, holders };
}

