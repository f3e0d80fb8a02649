// The request loop: the requested group, then its fallbacks in order; inside each group, pick a
// deployment, call it under its timeout, and retry per policy (preferring another healthy deployment).
import type { RouterOptions } from '../config/types';
import type { RequestLog } from '../observability/events';
import type { Usage } from '../providers/openai-types';
import type { Defer, StateStore } from '../state/store';
import type { Deployment } from './deployment';
import { asRouterError, RouterError } from './errors';
import type { ModelGroups } from './groups';
import {
  backoffMs,
  cooldownPolicy,
  coolsDownAtOnce,
  countsTowardCooldown,
  DEFAULT_MAX_FALLBACKS,
  fallbacksFor,
  fallsBack,
  MAX_ATTEMPTS,
  retriesFor,
  streamTimeoutMs,
  timeoutMs,
} from './policy';
import type { GatewayControls } from './request';
import type { RequestLogger } from './request-log';
import type { Candidate } from './strategies';

/** Books an attempt's outcome in the state store (deferred, never awaited on the response path). */
export type Booker = (outcome: { ok: boolean; error?: RouterError; usage?: Usage; latencyMs: number; ttftMs?: number }) => void;

/** One upstream attempt's result; `settled` means the attempt books its own outcome later (streams). */
export interface Attempted<T> {
  value: T;
  usage?: Usage;
  settled?: boolean;
}

/** One client request, as the loop sees it: what to route, and how to make one attempt. */
export interface Job<T> {
  model: string;
  stream: boolean;
  estTokens: number;
  controls: GatewayControls;
  signal?: AbortSignal;
  defer: Defer;
  log: RequestLog;
  attempt: (d: Deployment, signal: AbortSignal, abort: (r: RouterError) => void, book: Booker) => Promise<Attempted<T>>;
}

/** What the HTTP layer turns into LiteLLM's x-litellm-* headers. */
export interface ResponseMeta {
  group: string;
  deploymentId: string;
  apiBase: string;
  attemptedRetries: number;
  attemptedFallbacks: number;
  cacheKey?: string;
  cost?: number;
}

export interface LoopDeps {
  options: RouterOptions;
  groups: ModelGroups;
  deployments: ReadonlyMap<string, Deployment>;
  state: StateStore;
  logger: RequestLogger;
  now: () => number;
  random: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

interface Counts {
  attempts: number;
  retries: number;
  fallbacks: number;
}

export class RequestLoop {
  constructor(private readonly deps: LoopDeps) {}

  async run<T>(job: Job<T>): Promise<{ value: T; meta: ResponseMeta; usage?: Usage }> {
    const { options, groups } = this.deps;
    const counts: Counts = { attempts: 0, retries: 0, fallbacks: 0 };
    try {
      const first = groups.resolve(job.model);
      const queue = [first];
      const seen = new Set(queue);
      // When the fallbacks fail too, the client hears the group it asked for (as LiteLLM raises the original error).
      let firstError: RouterError | undefined;
      for (let gi = 0; gi < queue.length; gi++) {
        const group = queue[gi];
        if (gi > 0) counts.fallbacks++;
        try {
          const r = await this.tryGroup(group, job, counts);
          const d = this.deps.deployments.get(r.deploymentId)!;
          const meta: ResponseMeta = {
            group,
            deploymentId: d.id,
            apiBase: d.apiBase,
            attemptedRetries: counts.retries,
            attemptedFallbacks: counts.fallbacks,
          };
          Object.assign(job.log, counts);
          return { value: r.value, meta, usage: r.usage };
        } catch (e) {
          const err = asRouterError(e);
          firstError ??= err;
          if (job.signal?.aborted || !fallsBack(err) || counts.attempts >= MAX_ATTEMPTS) throw firstError;
          // Fallbacks are those of the group the client asked for, tried in order, each once.
          if (gi === 0) {
            for (const next of job.controls.fallbacks ?? fallbacksFor(options, first, err)) {
              if (!seen.has(next) && groups.has(next)) {
                seen.add(next);
                queue.push(next);
              }
            }
            queue.splice(1 + (options.max_fallbacks ?? DEFAULT_MAX_FALLBACKS));
          }
        }
      }
      throw firstError!;
    } catch (e) {
      const err = asRouterError(e);
      Object.assign(job.log, counts);
      this.deps.logger.finish(job.log, err, {}, job.defer);
      throw err;
    }
  }

  private async tryGroup<T>(group: string, job: Job<T>, counts: Counts) {
    const { options, state, now, random } = this.deps;
    const all = this.deps.groups.deployments(group);
    // Known context windows are checked before any call (context_window_fallbacks then apply), unless
    // enable_pre_call_checks is turned off.
    const precheck = options.enable_pre_call_checks !== false;
    const fits = all.filter((d) => !precheck || d.info.max_input_tokens === undefined || job.estTokens <= d.info.max_input_tokens);
    if (fits.length === 0) {
      throw new RouterError('ContextWindowExceededError', `The request (~${job.estTokens} tokens) exceeds the context window of every deployment of ${group}`, {
        code: 'context_length_exceeded',
      });
    }
    const candidates = fits.map((d) => toCandidate(d, options));
    const groupIds = all.map((d) => d.id);
    const cooldown = cooldownPolicy(options, group);
    const exclude: string[] = [];
    let retriesHere = 0;
    for (;;) {
      const picked = await state.acquire(
        group,
        {
          strategy: options.routing_strategy ?? 'simple-shuffle',
          candidates,
          estTokens: job.estTokens,
          stream: job.stream,
          args: options.routing_strategy_args ?? {},
          exclude,
          now: now(),
          seed: random(),
        },
        job.defer,
      );
      if (!picked.ok) throw noCapacity(group, picked.reason, picked.retryAfterMs, candidates.length);
      const d = this.deps.deployments.get(picked.id)!;
      counts.attempts++;
      // The record names the deployment last tried, so a failure is attributed too.
      Object.assign(job.log, { group, deploymentId: d.id, apiBase: d.apiBase, provider: d.provider.name });
      const controller = new AbortController();
      const abort = (reason: RouterError) => controller.abort(reason);
      const onClientGone = () => abort(new RouterError('Timeout', 'Client disconnected', { code: 'client_disconnected' }));
      job.signal?.addEventListener('abort', onClientGone, { once: true });
      const limitMs = job.stream ? streamTimeoutMs(options, d) : timeoutMs(options, d);
      const timer = setTimeout(
        () => abort(new RouterError('Timeout', `Deployment ${d.id} did not answer within ${limitMs / 1000}s`, { code: 'timeout' })),
        limitMs,
      );
      const startedAt = now();
      const book: Booker = (o) => {
        job.signal?.removeEventListener('abort', onClientGone);
        if (o.ok) job.log.apiLatencyMs = o.latencyMs;
        job.defer(
          state.report(group, {
            id: d.id,
            groupIds,
            acquired: true,
            lease: picked.lease,
            shared: picked.shared,
            estTokens: job.estTokens,
            tokens: o.usage?.total_tokens,
            latencyMs: o.latencyMs,
            ttftMs: o.ttftMs,
            ok: o.ok,
            countsFailure: o.error ? countsTowardCooldown(o.error) : false,
            immediateCooldown: o.error ? coolsDownAtOnce(o.error) : false,
            errorClass: o.error?.errorClass,
            retryAfterSec: o.error?.retryAfter,
            cooldown,
            now: now(),
          }),
        );
      };
      try {
        const r = await job.attempt(d, controller.signal, abort, book);
        if (!r.settled) book({ ok: true, usage: r.usage, latencyMs: now() - startedAt });
        return { ...r, deploymentId: d.id };
      } catch (e) {
        const err = controller.signal.aborted && controller.signal.reason instanceof RouterError ? controller.signal.reason : asRouterError(e);
        // A client that left says nothing about the deployment.
        const clientGone = job.signal?.aborted ?? false;
        book({ ok: false, error: clientGone ? undefined : err, latencyMs: now() - startedAt });
        if (clientGone) throw err;
        if (!exclude.includes(d.id)) exclude.push(d.id);
        const otherFree = candidates.some((c) => !exclude.includes(c.id));
        if (retriesHere >= retriesFor(options, group, err, otherFree, job.controls.num_retries ?? d.params.max_retries)) throw err;
        retriesHere++;
        counts.retries++;
        await this.deps.sleep(backoffMs(options, retriesHere, err, otherFree, random), job.signal);
      } finally {
        clearTimeout(timer);
      }
    }
  }
}

/** How long past its timeout a request's in-flight entry still counts (backoff, a slow report). */
const IN_FLIGHT_MARGIN_MS = 60_000;

function toCandidate(d: Deployment, options: RouterOptions): Candidate {
  const { input_cost_per_token: i, output_cost_per_token: o } = d.info;
  const holdMs = Math.max(timeoutMs(options, d), streamTimeoutMs(options, d)) + IN_FLIGHT_MARGIN_MS;
  return { id: d.id, rpm: d.rpm, tpm: d.tpm, weight: d.weight, cost: i === undefined && o === undefined ? undefined : (i ?? 0) + (o ?? 0), holdMs };
}

function noCapacity(group: string, reason: 'cooldown' | 'rate_limited', retryAfterMs: number, n: number): RouterError {
  const message =
    reason === 'cooldown'
      ? `No deployments available for model group ${group}: all ${n} are cooling down after failures`
      : `Rate limit reached for model group ${group}: every deployment is at its rpm/tpm limit for this minute`;
  return new RouterError('RateLimitError', message, {
    code: reason === 'cooldown' ? 'all_deployments_cooling_down' : 'rate_limit_exceeded',
    retryAfter: Math.max(1, Math.ceil(retryAfterMs / 1000)),
  });
}
