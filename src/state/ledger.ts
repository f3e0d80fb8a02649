// The per-deployment bookkeeping of one model group: usage this minute, latency, in-flight, failures, cooldown.
// Pure and synchronous, so the same code runs inside the Durable Object (the shared truth) and in memory
// (the library's default, and each isolate's local view).
import type { RoutingStrategy } from '../config/types';
import type { Candidate, StrategyArgs } from '../router/strategies';
import { STRATEGIES } from '../router/strategies';

export interface DeploymentStats {
  /** The epoch minute that rpm/tpm/fails count. */
  minute: number;
  rpm: number;
  tpm: number;
  /** Requests in flight: the number of `leases` not yet expired. */
  inFlight: number;
  /**
   * One deadline (epoch ms, ascending) per request in flight: its timeout plus a margin. A request whose
   * isolate died never reports; past its deadline it no longer counts, so least-busy comes back to the deployment.
   */
  leases?: number[];
  /** Legacy (stats stored before leases): when a request last started or ended here. */
  activeAt?: number;
  /** EWMA of whole-request latency, ms. */
  latencyMs?: number;
  /** EWMA of time to first token for streams, ms. */
  ttftMs?: number;
  /** When latency was last measured (epoch ms), for routing_strategy_args.ttl. */
  latencyAt?: number;
  fails: number;
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
}

export type AcquireResult =
  /** `lease`: the deadline of this request's in-flight entry, handed back in its report. */
  | { ok: true; id: string; lease: number }
  | { ok: false; reason: 'cooldown' | 'rate_limited'; retryAfterMs: number };

export interface CooldownPolicy {
  allowedFails: number;
  /** Seconds. */
  cooldownTime: number;
  disabled: boolean;
  /** Keep the group's last healthy deployment in rotation (true unless the group has fallbacks). */
  protectLastHealthy: boolean;
}

export interface Report {
  id: string;
  /** Every deployment id of the group, to keep the last healthy one out of cooldown. */
  groupIds: string[];
  /** Whether acquire() already counted this request (rpm, tpm estimate, in-flight). */
  acquired: boolean;
  /** The in-flight entry acquire() handed out (its deadline); without it, the earliest entry is released. */
  lease?: number;
  estTokens: number;
  /** Real tokens (prompt + completion) once known. */
  tokens?: number;
  latencyMs?: number;
  ttftMs?: number;
  ok: boolean;
  /** Whether the failure counts toward cooldown (429, 5xx, timeouts, 401/404 of the deployment). */
  countsFailure?: boolean;
  /** Cool down at once rather than after allowed_fails (429, 401, 404, as LiteLLM does). */
  immediateCooldown?: boolean;
  errorClass?: string;
  retryAfterSec?: number;
  cooldown: CooldownPolicy;
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
    }
    expireLeases(s, now);
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
    const pool = fresh.length > 0 ? fresh : withCapacity;
    const chosen = STRATEGIES[req.strategy](pool, {
      now,
      random,
      stream: req.stream,
      args: req.args,
      stats: (id) => this.get(id, now),
    });
    const s = this.get(chosen.id, now);
    s.rpm += 1;
    s.tpm += req.estTokens;
    const lease = now + (chosen.holdMs ?? DEFAULT_HOLD_MS);
    const leases = (s.leases ??= []);
    let at = leases.length;
    while (at > 0 && leases[at - 1] > lease) at--;
    leases.splice(at, 0, lease);
    s.inFlight = leases.length;
    this.onChange?.(chosen.id, s);
    return { ok: true, id: chosen.id, lease };
  }

  /** Books the outcome of a call: usage corrected, latency measured, failures counted toward cooldown. */
  report(r: Report): void {
    const s = this.get(r.id, r.now);
    if (r.acquired) {
      releaseLease(s, r.lease);
      if (r.tokens !== undefined) s.tpm = Math.max(0, s.tpm + r.tokens - r.estTokens);
    } else {
      s.rpm += 1;
      s.tpm += r.tokens ?? r.estTokens;
    }
    if (r.ok) {
      if (r.latencyMs !== undefined) s.latencyMs = ewma(s.latencyMs, r.latencyMs);
      if (r.ttftMs !== undefined) s.ttftMs = ewma(s.ttftMs, r.ttftMs);
      if (r.latencyMs !== undefined || r.ttftMs !== undefined) s.latencyAt = r.now;
    } else if (r.countsFailure) {
      s.fails += 1;
      s.lastError = r.errorClass;
      s.lastErrorAt = r.now;
      // A slow failure says something about latency too: rank a deployment that times out behind the rest.
      if (r.errorClass === 'Timeout' && r.latencyMs !== undefined) {
        s.latencyMs = ewma(s.latencyMs, r.latencyMs);
        s.latencyAt = r.now;
      }
      if (!r.cooldown.disabled && (r.immediateCooldown || s.fails > r.cooldown.allowedFails) && (!r.cooldown.protectLastHealthy || this.othersHealthy(r))) {
        const seconds = Math.max(r.cooldown.cooldownTime, r.retryAfterSec ?? 0);
        s.cooldownUntil = Math.max(s.cooldownUntil, r.now + seconds * 1000);
      }
    }
    this.onChange?.(r.id, s);
  }

  /** Whether another deployment of the group is still in rotation. */
  private othersHealthy(r: Report): boolean {
    return r.groupIds.some((id) => id !== r.id && this.get(id, r.now).cooldownUntil <= r.now);
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
function expireLeases(s: DeploymentStats, now: number) {
  if (!s.leases) {
    if (!s.inFlight) return;
    s.leases = Array<number>(s.inFlight).fill((s.activeAt ?? now) + DEFAULT_HOLD_MS);
    delete s.activeAt;
  }
  let expired = 0;
  while (expired < s.leases.length && s.leases[expired] <= now) expired++;
  if (expired > 0) s.leases.splice(0, expired);
  s.inFlight = s.leases.length;
}

/** Ends a request's in-flight entry: its own lease (none if it already expired), else the earliest. */
function releaseLease(s: DeploymentStats, lease: number | undefined) {
  const leases = s.leases ?? [];
  const i = lease === undefined ? 0 : leases.indexOf(lease);
  if (i >= 0 && i < leases.length) leases.splice(i, 1);
  s.inFlight = leases.length;
}

const copy = (s: DeploymentStats): DeploymentStats => ({ ...s, leases: s.leases && [...s.leases] });

const ewma = (prev: number | undefined, sample: number) => (prev === undefined ? sample : prev + EWMA_ALPHA * (sample - prev));
