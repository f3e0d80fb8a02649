// What a routing strategy sees: the healthy candidates that have capacity, their live stats, a clock and dice.
import type { DeploymentStats } from '../../state/ledger';

/** The routing-relevant facts of a deployment: small enough to send to the Durable Object on each pick. */
export interface Candidate {
  id: string;
  rpm?: number;
  tpm?: number;
  weight?: number;
  /** Cost per token, input plus output (cost-based-routing). */
  cost?: number;
  /** How long a request's in-flight entry counts at most, ms: its timeout plus a margin (a dead isolate never reports). */
  holdMs?: number;
}

export interface StrategyArgs {
  /** Seconds a latency measurement stays valid (latency-based-routing). */
  ttl?: number;
  /** Pick at random among deployments within (1 + buffer) x the lowest latency. */
  lowest_latency_buffer?: number;
}

export interface PickContext {
  now: number;
  random: () => number;
  stream: boolean;
  args: StrategyArgs;
  stats: (id: string) => DeploymentStats;
}

/** Chooses one of a non-empty list. */
export type Strategy = (candidates: Candidate[], ctx: PickContext) => Candidate;
