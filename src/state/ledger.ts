// The per-deployment bookkeeping of one model group: usage this minute, latency, in-flight, failures, cooldown.
// Pure and synchronous, so the same code runs inside the Durable Object (the shared truth) and in memory
// (the library's default, and each isolate's local view).
import type { RoutingStrategy } from '../config/types';
import type { Candidate, StrategyArgs } from '../router/strategies';
import { strategyFor } from '../router/strategies';

export interface DeploymentStats {
  /** The epoch minute that rpm/tpm/fails count. */
  minute: number;
  rpm: number;
  tpm: number;
  /** Requests in flight: the number of `holds` not yet expired. */
  inFlight: number;
  /**
   * One deadline (epoch ms, ascending) per request in flight: its timeout plus a margin. A request whose
   * isolate died never reports; past its deadline it no longer counts, so least-busy comes back to the deployment.
   */
  holds?: number[];
  /** Legacy (stats stored before holds): when a request last started or ended here. */
  activeAt?: number;
  /** EWMA of whole-request latency, ms. */
  latencyMs?: number;
  /** EWMA of time to first token for streams, ms. */
  ttftMs?: number;
  /** When latency was last measured (epoch ms), for routing_strategy_args.ttl. */
  latencyAt?: number;
  fails: number;
  /** Successful calls this minute: with fails, the failure rate of LiteLLM's default cooldown rule (C02). */
  successes?: number;
  /** Failures counted against allowed_fails (C04), and until when that count holds. */
  strikes?: number;
  strikesUntil?: number;
  cooldownUntil: number;
  lastError?: string;
  lastErrorAt?: number;
}

export interface AcquireRequest {
  strategy: RoutingStrategy;
  candidates: Candidate[];
  /** Estimated prompt tokens, counted against tpm now and corrected by the report. */
  estTokens: number;
  stream: boolean;
  args: StrategyArgs;
  /** Deployments that already failed this request: used only when nothing else is left. */
  exclude?: string[];
  now: number;
  /** A number in [0,1) per pick; the Durable Object draws its own when absent. */
  seed?: number;
  /** Prompt-cache or session affinity (router/affinity.ts): picks by rendezvous hashing instead of the strategy. */
  affinity?: number;
  /** A deployment to pick whenever it is in the pool (responses_api_deployment_check), before affinity or strategy. */
  pin?: string;
}

/** The group's summed rpm/tpm limits and this minute's use, for LiteLLM's x-ratelimit-* headers (RT06). */
export interface GroupUsage {
  rpmLimit?: number;
  rpmUsed: number;
  tpmLimit?: number;
  tpmUsed: number;
}

export type AcquireResult =
  /** `hold`: the deadline of this request's in-flight entry, handed back in its report. */
  | { ok: true; id: string; hold?: number; usage?: GroupUsage }
  | { ok: false; reason: 'cooldown' | 'rate_limited'; retryAfterMs: number };

/**
 * How a failure may cool a deployment (C01, C02): `at_once` (401, 404), `rate_limit` (429: at once in a group
 * of more than one), `unhealthy` (408, 5xx: by the failure rate). Other failures never cool.
 */
export type CooldownClass = 'at_once' | 'rate_limit' | 'unhealthy';

/** Thresholds of LiteLLM's default rule (C02): > 50% failing with >= 5 calls this minute, or all of >= 1000. */
const FAILURE_RATE = 0.5;
const FAILURE_RATE_MIN_CALLS = 5;
const ALL_FAILING_MIN_CALLS = 1000;

export interface CooldownPolicy {
  /** Set: cool after more than this many failures within counterTtl (C04). Unset: LiteLLM's default rule (C02). */
  allowedFails?: number;
  /** Seconds out of rotation (the deployment's, the upstream's Retry-After, the router's); 0: none. */
  cooldownTime: number;
  /** Seconds a failure counts against allowedFails (the router's cooldown_time, as LiteLLM keeps it). */
  counterTtl: number;
  disabled: boolean;
  /** Deployments in the group: LiteLLM never cools a lone deployment for a 429 or a failure rate. */
  groupSize: number;
}

export interface Report {
  id: string;
  /** Whether acquire() already counted this request (rpm, tpm estimate, in-flight). */
  acquired: boolean;
  /** The in-flight entry acquire() handed out (its deadline); without it, the earliest entry is released. */
  hold?: number;
  estTokens: number;
  /** Real tokens (prompt + completion) once known. */
  tokens?: number;
  latencyMs?: number;
  ttftMs?: number;
  ok: boolean;
  /** Whether and how the failure may cool the deployment; unset for failures that never do. */
  cooldownClass?: CooldownClass;
  errorClass?: string;
  /** Set with cooldownClass. */
  cooldown?: CooldownPolicy;
  now: number;
}

const EWMA_ALPHA = 0.3;
const MINUTE = 60_000;
/** How long an in-flight entry counts when its candidate says nothing (holdMs): the default timeout (600 s) plus a margin. */
export const DEFAULT_HOLD_MS = 11 * MINUTE;

export const emptyStats = (minute: number): DeploymentStats => ({
  minute,
  rpm: 0,
  tpm: 0,
  inFlight: 0,
  fails: 0,
  cooldownUntil: 0,
});

export class Ledger {
  readonly stats = new Map<string, DeploymentStats>();
  /** Called with each deployment whose stats changed (the Durable Object persists them). */
  onChange?: (id: string, s: DeploymentStats) => void;

  get(id: string, now: number): DeploymentStats {
    const minute = Math.floor(now / MINUTE);
    let s = this.stats.get(id);
    if (!s) {
      s = emptyStats(minute);
      this.stats.set(id, s);
    } else if (s.minute !== minute) {
      s.minute = minute;
      s.rpm = 0;
      s.tpm = 0;
      s.fails = 0;
      s.successes = 0;
    }
    expireHolds(s, now);
    return s;
  }

  /** Picks a deployment with the strategy among the healthy ones with capacity, and counts the request. */
  acquire(req: AcquireRequest, random: () => number): AcquireResult {
    const { now } = req;
    const healthy = req.candidates.filter((c) => this.get(c.id, now).cooldownUntil <= now);
    if (healthy.length === 0) {
      const first = Math.min(...req.candidates.map((c) => this.get(c.id, now).cooldownUntil));
      return { ok: false, reason: 'cooldown', retryAfterMs: Math.max(0, first - now) };
    }
    const withCapacity = healthy.filter((c) => {
      const s = this.get(c.id, now);
      return (c.rpm === undefined || s.rpm + 1 <= c.rpm) && (c.tpm === undefined || s.tpm + req.estTokens <= c.tpm);
    });
    if (withCapacity.length === 0) {
      return { ok: false, reason: 'rate_limited', retryAfterMs: MINUTE - (now % MINUTE) };
    }
    const excluded = new Set(req.exclude ?? []);
    const fresh = withCapacity.filter((c) => !excluded.has(c.id));
    // litellm_params.order: only the lowest order still available is used.
    const pool = lowestOrder(fresh.length > 0 ? fresh : withCapacity);
    const chosen = strategyFor(req)(pool, {
      now,
      random,
      stream: req.stream,
      args: req.args,
      stats: (id) => this.get(id, now),
    });
    const s = this.get(chosen.id, now);
    s.rpm += 1;
    s.tpm += req.estTokens;
    const hold = now + (chosen.holdMs ?? DEFAULT_HOLD_MS);
    const holds = (s.holds ??= []);
    let at = holds.length;
    while (at > 0 && holds[at - 1] > hold) at--;
    holds.splice(at, 0, hold);
    s.inFlight = holds.length;
    this.onChange?.(chosen.id, s);
    return { ok: true, id: chosen.id, hold, usage: this.groupUsage(req) };
  }

  private groupUsage({ candidates, now }: AcquireRequest): GroupUsage | undefined {
    let u: GroupUsage | undefined;
    for (const c of candidates) {
      if (c.rpm === undefined && c.tpm === undefined) continue;
      const s = this.get(c.id, now);
      u ??= { rpmUsed: 0, tpmUsed: 0 };
      if (c.rpm !== undefined) {
        u.rpmLimit = (u.rpmLimit ?? 0) + c.rpm;
        u.rpmUsed += s.rpm;
      }
      if (c.tpm !== undefined) {
        u.tpmLimit = (u.tpmLimit ?? 0) + c.tpm;
        u.tpmUsed += s.tpm;
      }
    }
    return u;
  }

  /** Books the outcome of a call: usage corrected, latency measured, failures counted toward cooldown. */
  report(r: Report): void {
    const s = this.get(r.id, r.now);
    if (r.acquired) {
      releaseHold(s, r.hold);
      if (r.tokens !== undefined) s.tpm = Math.max(0, s.tpm + r.tokens - r.estTokens);
    } else {
      s.rpm += 1;
      s.tpm += r.tokens ?? r.estTokens;
    }
    if (r.ok) {
      s.successes = (s.successes ?? 0) + 1;
      if (r.latencyMs !== undefined) s.latencyMs = ewma(s.latencyMs, r.latencyMs);
      if (r.ttftMs !== undefined) s.ttftMs = ewma(s.ttftMs, r.ttftMs);
      if (r.latencyMs !== undefined || r.ttftMs !== undefined) s.latencyAt = r.now;
    } else if (r.cooldownClass) {
      s.fails += 1;
      s.lastError = r.errorClass;
      s.lastErrorAt = r.now;
      // A slow failure says something about latency too: rank a deployment that times out behind the rest.
      if (r.errorClass === 'Timeout' && r.latencyMs !== undefined) {
        s.latencyMs = ewma(s.latencyMs, r.latencyMs);
        s.latencyAt = r.now;
      }
      const c = r.cooldown;
      if (c && !c.disabled && c.cooldownTime > 0 && shouldCool(s, r.cooldownClass, c, r.now)) {
        s.cooldownUntil = Math.max(s.cooldownUntil, r.now + c.cooldownTime * 1000);
      }
    }
    this.onChange?.(r.id, s);
  }

  snapshot(now: number): Record<string, DeploymentStats> {
    const out: Record<string, DeploymentStats> = {};
    for (const id of this.stats.keys()) out[id] = copy(this.get(id, now));
    return out;
  }

  /** Replaces local stats with a fresher view from the shared state. */
  load(snapshot: Record<string, DeploymentStats>): void {
    for (const [id, s] of Object.entries(snapshot)) this.stats.set(id, copy(s));
  }
}

/** Drops in-flight entries past their deadline (and turns a legacy bare count into entries that expire). */
function expireHolds(s: DeploymentStats, now: number) {
  if (!s.holds) {
    if (!s.inFlight) return;
    s.holds = Array<number>(s.inFlight).fill((s.activeAt ?? now) + DEFAULT_HOLD_MS);
    delete s.activeAt;
  }
  let expired = 0;
  while (expired < s.holds.length && s.holds[expired] <= now) expired++;
  if (expired > 0) s.holds.splice(0, expired);
  s.inFlight = s.holds.length;
}

/** Ends a request's in-flight entry: its own hold (none if it already expired), else the earliest. */
function releaseHold(s: DeploymentStats, hold: number | undefined) {
  const holds = s.holds ?? [];
  const i = hold === undefined ? 0 : holds.indexOf(hold);
  if (i >= 0 && i < holds.length) holds.splice(i, 1);
  s.inFlight = holds.length;
}

const copy = (s: DeploymentStats): DeploymentStats => ({ ...s, holds: s.holds && [...s.holds] });

/** LiteLLM's _should_cooldown_deployment, for a failure already counted in `s`. */
function shouldCool(s: DeploymentStats, kind: CooldownClass, c: CooldownPolicy, now: number): boolean {
  if (c.allowedFails !== undefined) {
    // C04: more than allowed_fails failures, each keeping the count alive for counterTtl seconds.
    const strikes = (now < (s.strikesUntil ?? 0) ? (s.strikes ?? 0) : 0) + 1;
    if (strikes > c.allowedFails) return true;
    s.strikes = strikes;
    s.strikesUntil = now + c.counterTtl * 1000;
    return false;
  }
  const calls = s.fails + (s.successes ?? 0);
  const rate = s.fails / calls;
  if (rate === 1 && calls >= ALL_FAILING_MIN_CALLS) return true;
  if (rate > FAILURE_RATE && c.groupSize > 1 && calls >= FAILURE_RATE_MIN_CALLS) return true;
  if (kind === 'at_once') return true;
  return kind === 'rate_limit' && c.groupSize > 1;
}

/** litellm_params.order: only the candidates of the lowest order among these. */
export function lowestOrder(cs: Candidate[]): Candidate[] {
  let min = Infinity;
  for (const c of cs) if (c.order !== undefined && c.order < min) min = c.order;
  return min === Infinity ? cs : cs.filter((c) => (c.order ?? Infinity) === min);
}

const ewma = (prev: number | undefined, sample: number) => (prev === undefined ? sample : prev + EWMA_ALPHA * (sample - prev));
