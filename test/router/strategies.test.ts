// Each strategy's choice, deterministic: the clock and the random source are injected.
import { describe, expect, it } from 'vitest';
import type { AcquireRequest } from '../../src/state/ledger';
import { Ledger } from '../../src/state/ledger';
import type { Candidate } from '../../src/router/strategies';

const NOW = 1_700_000_000_000;
const seq = (...xs: number[]) => {
  let i = 0;
  return () => xs[i++ % xs.length];
};

function pick(ledger: Ledger, strategy: AcquireRequest['strategy'], candidates: Candidate[], random: () => number, extra: Partial<AcquireRequest> = {}) {
  const r = ledger.acquire({ strategy, candidates, estTokens: 10, stream: false, args: {}, now: NOW, ...extra }, random);
  return r.ok ? r.id : r;
}

const report = (ledger: Ledger, id: string, fields: Record<string, unknown>) =>
  ledger.report({
    id,
    acquired: false,
    estTokens: 0,
    ok: true,
    cooldown: { cooldownTime: 5, counterTtl: 5, disabled: false, groupSize: 3 },
    now: NOW,
    ...fields,
  });

describe('simple-shuffle', () => {
  it('weights by weight, else rpm, else tpm, else uniformly', () => {
    const l = new Ledger();
    const byWeight = [{ id: 'a', weight: 1, rpm: 1000 }, { id: 'b', weight: 3, rpm: 1 }];
    expect(pick(l, 'simple-shuffle', byWeight, seq(0.2))).toBe('a'); // 0.2 * 4 = 0.8 < 1
    expect(pick(l, 'simple-shuffle', byWeight, seq(0.3))).toBe('b');
    const byRpm = [{ id: 'a', rpm: 900 }, { id: 'b', rpm: 100 }];
    expect(pick(l, 'simple-shuffle', byRpm, seq(0.85))).toBe('a');
    expect(pick(l, 'simple-shuffle', byRpm, seq(0.95))).toBe('b');
    const byTpm = [{ id: 'a', tpm: 1000 }, { id: 'b', tpm: 3000 }];
    expect(pick(l, 'simple-shuffle', byTpm, seq(0.2))).toBe('a');
    expect(pick(l, 'simple-shuffle', byTpm, seq(0.3))).toBe('b');
    const plain = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    expect([0.1, 0.5, 0.9].map((r) => pick(l, 'simple-shuffle', plain, seq(r)))).toEqual(['a', 'b', 'c']);
  });

  it('matches the weights over many picks', () => {
    const l = new Ledger();
    let x = 0.5;
    const rnd = () => (x = (x * 9301 + 0.49297) % 1); // deterministic, well spread
    const counts: Record<string, number> = { a: 0, b: 0 };
    for (let i = 0; i < 2000; i++) counts[pick(l, 'simple-shuffle', [{ id: 'a', weight: 1 }, { id: 'b', weight: 3 }], rnd) as string]++;
    expect(counts.b / 2000).toBeGreaterThan(0.7);
    expect(counts.b / 2000).toBeLessThan(0.8);
  });
});

describe('limits and cooldowns apply to every strategy', () => {
  it('skips a deployment at its rpm and answers rate_limited with the minute remainder when all are full', () => {
    const l = new Ledger();
    const cs = [{ id: 'a', rpm: 1 }, { id: 'b', rpm: 1 }];
    const first = pick(l, 'simple-shuffle', cs, seq(0.1));
    const second = pick(l, 'simple-shuffle', cs, seq(0.1));
    expect(new Set([first, second])).toEqual(new Set(['a', 'b']));
    expect(pick(l, 'simple-shuffle', cs, seq(0.1))).toEqual({ ok: false, reason: 'rate_limited', retryAfterMs: 60_000 - (NOW % 60_000) });
  });

  it('counts estimated tokens against tpm and corrects them with the real usage', () => {
    const l = new Ledger();
    const cs = [{ id: 'a', tpm: 25 }];
    expect(pick(l, 'usage-based-routing', cs, seq(0.1))).toBe('a'); // 10 estimated
    expect(pick(l, 'usage-based-routing', cs, seq(0.1))).toBe('a'); // 20
    expect(pick(l, 'usage-based-routing', cs, seq(0.1))).toMatchObject({ reason: 'rate_limited' });
    report(l, 'a', { acquired: true, estTokens: 10, tokens: 2 }); // the real call used 2
    expect(pick(l, 'usage-based-routing', cs, seq(0.1))).toBe('a');
  });

  it('skips a cooling deployment, and reports when the first comes back', () => {
    const l = new Ledger();
    report(l, 'a', { ok: false, cooldownClass: 'rate_limit', errorClass: 'RateLimitError' });
    expect(pick(l, 'least-busy', [{ id: 'a' }, { id: 'b' }], seq(0))).toBe('b');
    report(l, 'b', { ok: false, cooldownClass: 'rate_limit', errorClass: 'RateLimitError' });
    expect(pick(l, 'least-busy', [{ id: 'a' }, { id: 'b' }], seq(0))).toEqual({ ok: false, reason: 'cooldown', retryAfterMs: 5000 });
  });

  it('C02: a lone deployment is not cooled by a 429, but is by a 401', () => {
    const l = new Ledger();
    const lone = { cooldownTime: 5, counterTtl: 5, disabled: false, groupSize: 1 };
    report(l, 'a', { ok: false, cooldownClass: 'rate_limit', cooldown: lone });
    expect(pick(l, 'simple-shuffle', [{ id: 'a' }], seq(0))).toBe('a');
    report(l, 'a', { ok: false, cooldownClass: 'at_once', cooldown: lone });
    expect(pick(l, 'simple-shuffle', [{ id: 'a' }], seq(0))).toMatchObject({ ok: false, reason: 'cooldown' });
  });

  it('RT02: order keeps to the lowest order still available, under any strategy', () => {
    const cs = [{ id: 'a', order: 2 }, { id: 'b', order: 1 }, { id: 'c' }];
    for (const strategy of ['simple-shuffle', 'least-busy', 'usage-based-routing', 'latency-based-routing', 'cost-based-routing'] as const) {
      const l = new Ledger();
      for (let i = 0; i < 5; i++) expect(pick(l, strategy, cs, seq(i / 5))).toBe('b');
      report(l, 'b', { ok: false, cooldownClass: 'at_once', errorClass: 'AuthenticationError' });
      expect(pick(l, strategy, cs, seq(0))).toBe('a');
    }
  });
});

describe('usage-based-routing', () => {
  it('picks the deployment with the most headroom against its limits', () => {
    const l = new Ledger();
    report(l, 'a', { tokens: 500 }); // a: 500 of 1000 tpm
    report(l, 'b', { tokens: 500 }); // b: 500 of 10000 tpm
    const cs = [{ id: 'a', tpm: 1000 }, { id: 'b', tpm: 10000 }];
    expect(pick(l, 'usage-based-routing', cs, seq(0))).toBe('b');
  });
});

describe('least-busy', () => {
  it('picks the fewest in flight', () => {
    const l = new Ledger();
    const cs = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    expect(pick(l, 'least-busy', cs, seq(0))).toBe('a');
    expect(pick(l, 'least-busy', cs, seq(0))).toBe('b');
    expect(pick(l, 'least-busy', cs, seq(0))).toBe('c');
    report(l, 'b', { acquired: true });
    expect(pick(l, 'least-busy', cs, seq(0))).toBe('b');
  });
});

describe('in-flight counts', () => {
  it('forgets requests that never reported (a dead isolate) once they are older than any request can be', () => {
    const l = new Ledger();
    const cs = [{ id: 'a' }, { id: 'b' }];
    expect(pick(l, 'least-busy', cs, seq(0))).toBe('a'); // a: 1 in flight, never reported
    expect(pick(l, 'least-busy', cs, seq(0))).toBe('b');
    report(l, 'b', { acquired: true });
    expect(l.get('a', NOW + 10 * 60_000).inFlight).toBe(1); // still possibly running at 10 min
    expect(l.get('a', NOW + 16 * 60_000).inFlight).toBe(0);
  });
});

describe('cost-based-routing', () => {
  it('picks the cheapest, unpriced last', () => {
    const l = new Ledger();
    const cs = [{ id: 'a', cost: 0.00009 }, { id: 'b', cost: 0.000075 }, { id: 'c' }];
    expect(pick(l, 'cost-based-routing', cs, seq(0.99))).toBe('b');
    report(l, 'b', { ok: false, cooldownClass: 'at_once' });
    expect(pick(l, 'cost-based-routing', cs, seq(0.99))).toBe('a');
  });
});

describe('latency-based-routing', () => {
  const measured = () => {
    const l = new Ledger();
    report(l, 'a', { latencyMs: 100 });
    report(l, 'b', { latencyMs: 300, ttftMs: 20 });
    report(l, 'c', { latencyMs: 900, ttftMs: 500 });
    return l;
  };
  const cs = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];

  it('explores a deployment with no measurement first', () => {
    const l = new Ledger();
    report(l, 'a', { latencyMs: 100 });
    expect(pick(l, 'latency-based-routing', cs, seq(0))).toBe('b');
    expect(pick(l, 'latency-based-routing', cs, seq(0.9))).toBe('c');
  });

  it('with power of two choices, the faster of two random ones wins, and a slow one still gets picked against slower', () => {
    const l = measured();
    expect(pick(l, 'latency-based-routing', cs, seq(0.0, 0.99))).toBe('a'); // a vs c
    expect(pick(l, 'latency-based-routing', cs, seq(0.5, 0.9))).toBe('b'); // b vs c: b is measured, not the fastest
  });

  it('ranks streams by time to first token', () => {
    const l = measured();
    expect(pick(l, 'latency-based-routing', cs, seq(0.0, 0.1), { stream: true })).toBe('b'); // a (100) vs b (ttft 20)
  });

  it('forgets measurements older than ttl', () => {
    const l = measured();
    const later = NOW + 61_000;
    const r = l.acquire({ strategy: 'latency-based-routing', candidates: cs, estTokens: 1, stream: false, args: { ttl: 60 }, now: later }, seq(0.7));
    expect(r).toMatchObject({ ok: true, id: 'c' }); // all stale: explored at random
  });

  it('with lowest_latency_buffer, picks at random among those within the buffer', () => {
    const l = measured();
    const args = { lowest_latency_buffer: 2 }; // within 3 x 100 ms: a and b
    const picks = [0.1, 0.9].map((r) => pick(l, 'latency-based-routing', cs, seq(r), { args }));
    expect(picks).toEqual(['a', 'b']);
  });
});
