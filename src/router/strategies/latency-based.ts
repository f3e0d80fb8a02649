// latency-based-routing over an EWMA of latency (time to first token for streams).
//
// Always taking the fastest herds all traffic onto one deployment and leaves the rest unmeasured, so:
// - a deployment with no fresh measurement (none, or older than `ttl`) is explored first;
// - with `lowest_latency_buffer`, LiteLLM's rule: random among those within (1 + buffer) x the fastest;
// - otherwise power of two choices: two at random, the faster (weighted by its in-flight load) wins,
//   so the fastest gets most traffic while the others keep being measured.
import type { Candidate, Strategy } from './types';

const DEFAULT_TTL_S = 60 * 60;

export const latencyBased: Strategy = (candidates, ctx) => {
  const ttlMs = (ctx.args.ttl ?? DEFAULT_TTL_S) * 1000;
  const latencyOf = (c: Candidate): number | undefined => {
    const s = ctx.stats(c.id);
    if (s.latencyAt === undefined || ctx.now - s.latencyAt > ttlMs) return undefined;
    return ctx.stream && s.ttftMs !== undefined ? s.ttftMs : s.latencyMs;
  };
  const unmeasured = candidates.filter((c) => latencyOf(c) === undefined);
  if (unmeasured.length > 0) return unmeasured[Math.floor(ctx.random() * unmeasured.length)];

  const buffer = ctx.args.lowest_latency_buffer;
  if (buffer !== undefined && buffer > 0) {
    const min = Math.min(...candidates.map((c) => latencyOf(c)!));
    const near = candidates.filter((c) => latencyOf(c)! <= min * (1 + buffer));
    return near[Math.floor(ctx.random() * near.length)];
  }
  if (candidates.length === 1) return candidates[0];
  const i = Math.floor(ctx.random() * candidates.length);
  let j = Math.floor(ctx.random() * (candidates.length - 1));
  if (j >= i) j++;
  const score = (c: Candidate) => latencyOf(c)! * (1 + ctx.stats(c.id).inFlight);
  return score(candidates[j]) < score(candidates[i]) ? candidates[j] : candidates[i];
};

