import type { RoutingStrategy } from '../../config/types';
import { costBased } from './cost-based';
import { latencyBased } from './latency-based';
import { leastBusy } from './least-busy';
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

export type { Candidate, Strategy, StrategyArgs } from './types';
