// A key's object and several simulated isolates (test/helpers/account-model.ts): fast-check searches for a
// sequence that puts more requests in a minute than rpm_limit, more in flight than max_parallel_requests, or
// spends more than max_budget by more than the stated bound (one request's estimate).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AccountState, PARALLEL, RATE } from '../../src/keys/account';
import { minuteOf } from '../../src/state/lease';
import { op, runModel, type Model } from '../helpers/account-model';
import { keyRecord, packed } from '../helpers/records';

const RPM = 100;
const PARALLEL_LIMIT = 20;
const BUDGET_USD = 0.05;
const EST_MICROS = 400; // $0.0004 a request at most
const EST_TOKENS = 10;

const record = (now: number) => keyRecord(now, { max_budget: BUDGET_USD, rpm_limit: RPM, max_parallel_requests: PARALLEL_LIMIT });
const MODEL: Model = { record, budgetUsd: BUDGET_USD, estMicros: EST_MICROS, estTokens: EST_TOKENS, rpm: RPM, parallel: PARALLEL_LIMIT, slot: true };

describe('a key\'s leases (fast-check)', () => {
  it('never over rpm or parallel across holders, spend within one estimate of the budget, through restarts', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 250 }), (ops) => {
        runModel(ops, MODEL);
      }),
      { numRuns: 300 },
    );
  });

  it('frees every slot and lease of holders that went silent', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 80 }), (ops) => {
        const { state, now } = runModel(ops, MODEL);
        const later = now + 16 * 60_000;
        state.desk.sweep(later);
        expect(state.tallies.get(PARALLEL, later).rpm).toBe(0);
        expect(state.desk.heldTotal(RATE, later)).toEqual({ r: 0, t: 0 });
      }),
      { numRuns: 100 },
    );
  });
});

describe("a request's budget estimate", () => {
  // Two deployments in one group at different prices, picked at random (simple-shuffle): an average would
  // reserve less than every request to the dearer one costs, and leased requests near the limit add that up.
  const CHEAP = 7.2e-6;
  const DEAR = 9.6e-6;
  const booking = (state: AccountState, cost: number, now: number) =>
    state.sync({ holder: 'h0', seq: 0, now, asks: [], spent: [], settled: packed({ cost, tokens: 21, counted: { minute: minuteOf(now), estTokens: 21, estMicros: 0, slot: false } }) }, now);

  it('covers what a request to the dearer of two deployments costs, after any run of cheap ones a random pick makes', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 20, maxLength: 400 }), (dear) => {
        const now = Date.UTC(2026, 10, 29, 6);
        const state = new AccountState();
        state.set(record(now), now);
        let seenDear = false;
        let cheapRun = 0;
        for (const d of dear) {
          const estimate = booking(state, d ? DEAR : CHEAP, now).costPerRequest!;
          seenDear ||= d;
          cheapRun = d ? 0 : cheapRun + 1;
          // Within 3% of the dearer cost through two cheap picks in a row, within 11% through ten (one
          // chance in a thousand); an average of the two prices would be 12% short after any one cheap pick.
          if (seenDear && cheapRun <= 2) expect(estimate).toBeGreaterThanOrEqual(DEAR * 0.97);
          if (seenDear && cheapRun <= 10) expect(estimate).toBeGreaterThanOrEqual(DEAR * 0.89);
          expect(estimate).toBeGreaterThanOrEqual(CHEAP - 1e-15);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('comes down to what requests cost once the dearer ones stop', () => {
    const now = Date.UTC(2026, 10, 29, 6);
    const state = new AccountState();
    state.set(record(now), now);
    booking(state, DEAR * 100, now);
    let estimate = 0;
    for (let i = 0; i < 200; i++) estimate = booking(state, CHEAP, now).costPerRequest!;
    expect(estimate).toBeLessThan(CHEAP * 1.03);
  });
});
