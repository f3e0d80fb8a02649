import type { RoutingStrategy } from '../../config/types';
import { costBased } from './cost-based';
import { latencyBased } from './latency-based';
import { leastBusy } from './least-busy';
import { rendezvous } from './rendezvous';
import { simpleShuffle } from './simple-shuffle';
import type { Strategy } from './types';
import { usageBased } from './usage-based';

export const STRATEGIES: Record<RoutingStrategy, Strategy> = {
  'simple-shuffle': simpleShuffle,
  'usage-based-routing': usageBased,
  'usage-based-routing-v2': usageBased,
  'latency-based-routing': latencyBased,
  'least-busy': leastBusy,
  'cost-based-routing': costBased,
};

/**
 * How one pick chooses: the deployment it is pinned to when that one can serve, else by its affinity key when it
 * has one (router/affinity.ts), else by the group's strategy.
 */
export function strategyFor(req: { strategy: RoutingStrategy; affinity?: number; pin?: string }): Strategy {
  const base = req.affinity === undefined ? STRATEGIES[req.strategy] : rendezvous(req.affinity);
  const pin = req.pin;
  return pin === undefined ? base : (cs, ctx) => cs.find((c) => c.id === pin) ?? base(cs, ctx);
}

export type { Candidate, Strategy, StrategyArgs } from './types';
