// A budget below the key (here a provider's, as provider_budget_config defines it; tags', customers' and
// deployments' are the same account) in its object, with several simulated isolates driven as
// src/router/spend-caps.ts drives them (test/helpers/account-model.ts): fast-check searches for a sequence that
// spends more than the budget by more than the stated bound (one request's estimate), or that leaves the object
// counting less than was spent.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUDGET, leaseLimits } from '../../src/keys/account';
import { op, runModel, type Model } from '../helpers/account-model';
import { budgetRecord } from '../../src/keys/directory';

const BUDGET_USD = 0.05;
const EST_MICROS = 400; // $0.0004 a request at most
const EST_TOKENS = 10;

const record = (now: number) => budgetRecord('provider', 'openai', { max_budget: BUDGET_USD, budget_duration: '30d' }, now);
const MODEL: Model = { record, budgetUsd: BUDGET_USD, estMicros: EST_MICROS, estTokens: EST_TOKENS, slot: false };

describe('a budget below the key on leases (fast-check)', () => {
  it('spend within one estimate of the budget across holders, through restarts', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 250 }), (ops) => {
        const { state } = runModel(ops, MODEL);
        expect(Object.keys(leaseLimits(state.record!))).toEqual([BUDGET]);
      }),
      { numRuns: 300 },
    );
  });

  it('gives back what silent holders held', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 80 }), (ops) => {
        const { state, now } = runModel(ops, MODEL);
        const later = now + 16 * 60_000;
        state.desk.sweep(later);
        expect(state.desk.heldTotal(BUDGET, later)).toEqual({ r: 0, t: 0 });
      }),
      { numRuns: 100 },
    );
  });
});
