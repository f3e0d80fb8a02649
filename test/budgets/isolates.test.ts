// A provider budget across isolates: four gateways (each its own SpendCaps and leases, as separate isolates
// are) share the provider's object and drive it past its budget concurrently. What the upstream receives is
// the truth: the provider's deployments stop exactly at the limit (every call here costs what it is
// estimated at once the budget has seen one), and the budget is not left mostly unspent.
import { describe, expect, it } from 'vitest';
import { budgetConfig, budgetGateway, CALL_COST } from './helpers';

describe('a provider budget across 4 isolates', () => {
  it('stops its deployments exactly at the limit', async () => {
    const stateNamespace = `${crypto.randomUUID()}:`;
    const config = budgetConfig('  provider_budget_config: { openai: { budget_limit: 0.04, time_period: 1d } }');
    const all = Array.from({ length: 4 }, () => budgetGateway(config, { stateNamespace }));
    // One call first, so the budget knows what a call costs ($0.0002: 200 of them fill it).
    expect((await all[0].call('solo')).status).toBe(200);
    const statuses: number[] = [];
    await Promise.all(
      all.map((gw) =>
        Promise.all(
          Array.from({ length: 4 }, async () => {
            for (let i = 0; i < 20; i++) {
              const res = await gw.call('solo');
              statuses.push(res.status);
              await res.arrayBuffer();
            }
          }),
        ),
      ),
    );
    await Promise.all(all.map((gw) => gw.settle()));
    const calls = all.reduce((n, gw) => n + gw.upstream.calls.length, 0);
    expect(calls).toBe(statuses.filter((s) => s === 200).length + 1);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    // Exactly at the limit: 200 calls of $0.0002, never one more; at least 95% of it spent.
    expect(calls).toBeLessThanOrEqual(200);
    expect(calls).toBeGreaterThanOrEqual(190);
    const spend = (await (await all[1].admin('/provider/budgets')).json<any>()).providers.openai.spend;
    expect(spend).toBeCloseTo(calls * CALL_COST, 9);
    expect(spend).toBeLessThanOrEqual(0.04 + 1e-12);
  });
});
