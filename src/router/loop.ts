// The request loop: the requested group, then its fallbacks as LiteLLM resolves them; inside each group, pick a
// deployment, call it under its timeout, and retry per policy (preferring another healthy deployment).
import type { RouterOptions } from '../config/types';
import type { RequestLog } from '../observability/events';
import type { Usage } from '../providers/openai-types';
import type { GroupUsage } from '../state/ledger';
import type { Defer, StateStore } from '../state/store';
import type { Deployment } from './deployment';
import { concreteFor } from './deployment';
import { asRouterError, GatewayFault, isGatewayFault, RouterError } from './errors';
import { logLine } from '../security/scrub';
import type { ModelGroups } from './groups';
import {
  backoffMs,
  cooldownClass,
  cooldownPolicy,
  DEFAULT_MAX_FALLBACKS,
  fallbackHops,
  fallsBack,
  MAX_ATTEMPTS,
  raisesContentFilter,
  retriesFor,
  streamTimeoutMs,
  timeoutMs,
} from './policy';
import type { GatewayControls } from './request';
import type { RequestLogger } from './request-log';
import type { Candidate } from './strategies';
import { Deadline } from '../utils/deadline';
import { costOf } from '../pricing';
import type { SpendCaps } from './spend-caps';
import type { Route } from './modes';
import { wrongRoute } from './modes';

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
  /** Prompt-cache or session affinity (affinity.ts): the same key, the same deployment while it can serve. */
  affinity?: number;
  /** The deployment this request must go back to while it can serve (a managed previous_response_id). */
  pin?: string;
  signal?: AbortSignal;
  defer: Defer;
  log: RequestLog;
  /** `params`: a per-request fallback's parameters, which replace the request's for that hop (F08). */
  attempt: (
    d: Deployment,
    signal: AbortSignal,
    abort: (r: RouterError) => void,
    book: Booker,
    params: Record<string, unknown> | undefined,
    /** The attempt's timer, running; a stream's relay takes it over. */
    deadline: Deadline,
  ) => Promise<Attempted<T>>;
  /**
   * A continuation (stream_failure: continue): the stream cut on `deploymentId` counts as its group's failed
   * attempt, so the loop goes on from there by the usual rules: a retry on another deployment, then fallbacks.
   */
  after?: { group: string; deploymentId: string; error: RouterError };
  /** Only deployments this accepts are picked (a continuation needs one that takes an assistant prefill). */
  accepts?: (d: Deployment) => boolean;
  /** The route: deployments not serving it (model_info.mode, the provider) are left out, and a group with none is refused. */
  route?: Route;
  serves?: (d: Deployment) => boolean;
  /** A successful answer the provider refused to give (finish_reason content_filter): raised when a fallback exists (F07). */
  contentFiltered?: (value: T) => boolean;
}

/** What the HTTP layer turns into LiteLLM's x-litellm-* headers. */
export interface ResponseMeta {
  group: string;
  deploymentId: string;
  apiBase: string;
  /** Retries in the group that answered (R06, F01). */
  attemptedRetries: number;
  /** The num_retries that applied, when a retry happened (R06). */
  maxRetries?: number;
  attemptedFallbacks: number;
  cacheKey?: string;
  cost?: number;
  /** Milliseconds spent waiting on upstream calls and backoff: the rest of the request's time is the gateway's own. */
  upstreamMs?: number;
  /** The answering group's rpm/tpm limits and use this minute (x-ratelimit-*). */
  usage?: GroupUsage;
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
  /** Provider and deployment budgets; undefined when the config sets none. */
  caps?: SpendCaps;
}

interface Counts {
  attempts: number;
  retries: number;
  fallbacks: number;
  upstreamMs: number;
}

interface GroupResult<T> extends Attempted<T> {
  deploymentId: string;
  group: string;
  depth: number;
  retries: number;
  maxRetries?: number;
  usage?: Usage;
  groupUsage?: GroupUsage;
}

export class RequestLoop {
  /** Each group's candidate list, built once; a list filtered for one request (tags, context window) is not kept. */
  private readonly groupCandidates = new WeakMap<readonly Deployment[], Candidate[]>();

  constructor(private readonly deps: LoopDeps) {}

  private candidatesOf(list: readonly Deployment[], group: string): Candidate[] {
    if (list !== this.deps.groups.deployments(group)) return list.map((d) => toCandidate(d, this.deps.options));
    let cs = this.groupCandidates.get(list);
    if (!cs) this.groupCandidates.set(list, (cs = list.map((d) => toCandidate(d, this.deps.options))));
    return cs;
  }

  async run<T>(job: Job<T>): Promise<{ value: T; meta: ResponseMeta; usage?: Usage }> {
    const counts: Counts = { attempts: 0, retries: 0, fallbacks: 0, upstreamMs: 0 };
    try {
      const r = await this.withFallbacks(job, counts, job.model, undefined, 0, new Set());
      const d = this.deps.deployments.get(r.deploymentId)!;
      counts.fallbacks = r.depth;
      addCounts(job.log, counts);
      const meta: ResponseMeta = {
        group: r.group,
        deploymentId: d.id,
        apiBase: r.apiBase,
        attemptedRetries: r.retries,
        maxRetries: r.maxRetries,
        attemptedFallbacks: r.depth,
        upstreamMs: counts.upstreamMs,
        usage: r.groupUsage,
      };
      return { value: r.value, meta, usage: r.usage };
    } catch (e) {
      const err = asRouterError(e);
      addCounts(job.log, counts);
      this.deps.logger.finish(job.log, err, {}, job.defer);
      throw err;
    }
  }

  /**
   * One group, then where it falls back to (LiteLLM's async_function_with_fallbacks): each fallback is itself
   * a group with its own fallbacks, one level deeper. `depth` counts the fallbacks attempted so far and only
   * stops a new level at max_fallbacks (F09). If every fallback fails, the client gets this group's own first
   * error (F03). Unlike LiteLLM, no group is tried twice in one request: no loops.
   */
  private async withFallbacks<T>(
    job: Job<T>,
    counts: Counts,
    model: string,
    params: Record<string, unknown> | undefined,
    depth: number,
    seen: Set<string>,
  ): Promise<GroupResult<T> & { apiBase: string }> {
    const { options, groups } = this.deps;
    const { group, captures } = groups.match(model);
    seen.add(group);
    try {
      return { ...(await this.tryGroup(group, model, captures, job, counts, params)), depth };
    } catch (e) {
      const original = asRouterError(e);
      if (job.signal?.aborted || original.final || !fallsBack(original) || counts.attempts >= MAX_ATTEMPTS) throw original;
      const hops = fallbackHops(options, job.controls, [model, group], original);
      if (!hops?.length || depth >= (options.max_fallbacks ?? DEFAULT_MAX_FALLBACKS)) throw original;
      const failures: string[] = [];
      for (const hop of hops) {
        if (job.signal?.aborted || counts.attempts >= MAX_ATTEMPTS) break;
        if (!groups.known(hop.model)) {
          failures.push(`You passed in model=${hop.model}. There is no 'model_name' with this string`);
          continue;
        }
        if (seen.has(groups.resolve(hop.model))) continue;
        depth++;
        try {
          return await this.withFallbacks(job, counts, hop.model, hop.params ? { ...params, ...hop.params } : params, depth, seen);
        } catch (e2) {
          if (e2 instanceof GatewayFault) throw e2;
          failures.push(asRouterError(e2).message);
        }
      }
      if (failures.length > 0) {
        original.message += `. Received Model Group=${group}\nAvailable Model Group Fallbacks=${JSON.stringify(hops.map((h) => h.model))}\nError doing the fallback: ${failures.join('; ')}`;
      }
      throw original;
    }
  }

  private async tryGroup<T>(group: string, model: string, captures: readonly string[], job: Job<T>, counts: Counts, params?: Record<string, unknown>) {
    const { options, state, now, random } = this.deps;
    const own = this.deps.groups.deployments(group);
    // Most groups serve the route whole: their list is used as it is (and its candidates kept).
    const serving = job.serves && !own.every(job.serves) ? own.filter(job.serves) : own;
    if (serving.length === 0) throw wrongRoute(group, job.route ?? 'chat', own);
    const tagged = tagFiltered(serving, options.enable_tag_filtering === true, job.controls.tags, model);
    const all = job.accepts ? tagged.filter(job.accepts) : tagged;
    const cut = job.after?.group === group ? job.after : undefined;
    if (all.length === 0 && tagged.length > 0) {
      throw cut?.error ?? new RouterError('ServiceUnavailableError', `No deployment of ${group} can continue a cut stream (none takes an assistant prefill)`);
    }
    // Known context windows are checked before any call (context_window_fallbacks then apply), unless
    // enable_pre_call_checks is turned off.
    const precheck = options.enable_pre_call_checks !== false;
    const fits = (d: Deployment) => d.info.max_input_tokens === undefined || job.estTokens <= d.info.max_input_tokens;
    // The common case (every deployment fits, no tag filter) reuses the group's candidate list as it is.
    const list = precheck && !all.every(fits) ? all.filter(fits) : all;
    const candidates = this.candidatesOf(list, group);
    if (candidates.length === 0) {
      throw new RouterError('ContextWindowExceededError', `The request (~${job.estTokens} tokens) exceeds the context window of every deployment of ${group}`, {
        code: 'context_length_exceeded',
      });
    }
    const groupSize = this.deps.groups.deployments(group).length;
    // Deployments over their budget, or their provider's, are skipped as those at their rpm limit are.
    const { caps } = this.deps;
    const overBudget = new Map<string, string>();
    for (const c of caps ? candidates : []) {
      const why = await caps!.spent(c.id, now());
      if (why) overBudget.set(c.id, why);
    }
    const exclude: string[] = [];
    let retriesHere = 0;
    let maxRetries: number | undefined;
    // The group's first upstream error is what the client hears when it gives up (R05).
    let firstError: RouterError | undefined;
    if (cut) {
      // The cut was this group's failed attempt: go on as after any failure (no backoff: the client is mid-answer).
      const failed = this.deps.deployments.get(cut.deploymentId);
      firstError = cut.error;
      exclude.push(cut.deploymentId);
      const otherFree = candidates.some((c) => c.id !== cut.deploymentId);
      const allowed = retriesFor(options, group, cut.error, otherFree, job.controls.num_retries ?? failed?.params.num_retries ?? failed?.params.max_retries);
      if (allowed < 1) throw cut.error;
      retriesHere = 1;
      counts.retries++;
      maxRetries = allowed;
    }
    for (;;) {
      const open = overBudget.size ? candidates.filter((c) => !overBudget.has(c.id)) : candidates;
      // LiteLLM's words when budgets leave no deployment (router_strategy/budget_limiter.py), a 429 at its proxy.
      if (open.length === 0) throw firstError ?? new RouterError('RateLimitError', `No deployments available - crossed budget: ${[...overBudget.values()].join('; ')}`, { code: 'budget_exceeded' });
      const picked = await state.acquire(
        group,
        {
          strategy: options.routing_strategy ?? 'simple-shuffle',
          candidates: open,
          estTokens: job.estTokens,
          stream: job.stream,
          args: options.routing_strategy_args ?? {},
          exclude,
          now: now(),
          seed: random(),
          affinity: job.affinity,
          pin: job.pin,
        },
        job.defer,
      );
      if (!picked.ok) throw firstError ?? noCapacity(model, picked.reason, picked.retryAfterMs, precheck, open);
      let d = this.deps.deployments.get(picked.id)!;
      const counted = caps ? await caps.count(d, job.estTokens, now(), job.defer) : [];
      if (!counted) {
        // Its budget was spent meanwhile (elsewhere): the pick is given back and the next one tried.
        job.defer(state.report(group, { id: d.id, acquired: true, hold: picked.hold, shared: picked.shared, estTokens: job.estTokens, ok: false, now: now() }));
        overBudget.set(d.id, `Exceeded budget for deployment ${d.id}`);
        continue;
      }
      counts.attempts++;
      // The record names the deployment last tried, so a failure is attributed too.
      const log = job.log;
      log.group = group;
      log.deploymentId = d.id;
      log.apiBase = d.apiBase;
      log.provider = d.provider.name;
      const controller = new AbortController();
      const abort = (reason: RouterError) => controller.abort(reason);
      const onClientGone = () => abort(new RouterError('Timeout', 'Client disconnected', { code: 'client_disconnected' }));
      job.signal?.addEventListener('abort', onClientGone, { once: true });
      const limitMs = job.stream ? streamTimeoutMs(options, d) : timeoutMs(options, d);
      // The attempt's one timer: a stream's relay takes it over for its idle timeout (utils/deadline.ts).
      const deadline = new Deadline(limitMs, () => {
        const e = new RouterError('Timeout', `Deployment ${d.id} did not answer within ${limitMs / 1000}s`, { code: 'timeout' });
        abort(e);
        return e;
      });
      let handedOver = false;
      const startedAt = now();
      const stored = d;
      const book: Booker = (o) => {
        job.signal?.removeEventListener('abort', onClientGone);
        if (o.ok) job.log.apiLatencyMs = o.latencyMs;
        job.log.tries.push({
          group,
          deploymentId: stored.id,
          startedAt,
          latencyMs: o.latencyMs,
          ok: o.ok,
          errorClass: o.error?.errorClass,
          status: o.error?.status,
          ttftMs: o.ttftMs,
        });
        if (counted.length) caps!.settle(counted, costOf(stored.info, o.usage) ?? 0, job.defer);
        const kind = o.error && cooldownClass(o.error);
        job.defer(
          state.report(group, {
            id: stored.id,
            acquired: true,
            hold: picked.hold,
            shared: picked.shared,
            estTokens: job.estTokens,
            tokens: o.usage?.total_tokens,
            latencyMs: o.latencyMs,
            ttftMs: o.ttftMs,
            ok: o.ok,
            cooldownClass: kind,
            errorClass: o.error?.errorClass,
            cooldown: kind ? cooldownPolicy(options, stored, o.error!, groupSize) : undefined,
            now: now(),
          }),
        );
      };
      let blocked: RouterError | undefined;
      try {
        d = concreteFor(d, captures, model);
        const r = await job.attempt(d, controller.signal, abort, book, params, deadline);
        // A stream that began is the relay's to time from here.
        handedOver = r.settled === true;
        counts.upstreamMs += now() - startedAt;
        if (!r.settled) book({ ok: true, usage: r.usage, latencyMs: now() - startedAt });
        if (job.contentFiltered?.(r.value) && raisesContentFilter(options, job.controls, [model, group])) {
          blocked = new RouterError('ContentPolicyViolationError', 'Response output was blocked.', { code: 'content_filter' });
        } else {
          return { ...r, deploymentId: d.id, apiBase: d.apiBase, group, retries: retriesHere, maxRetries, groupUsage: picked.usage };
        }
      } catch (e) {
        counts.upstreamMs += now() - startedAt;
        const ours = controller.signal.aborted && controller.signal.reason instanceof RouterError ? controller.signal.reason : undefined;
        const err = ours ?? asRouterError(e);
        // A client that left says nothing about the deployment; nor does a fault of the gateway's own code.
        const clientGone = job.signal?.aborted ?? false;
        const internal = !ours && isGatewayFault(e);
        // A guardrail's verdict on the answer says nothing about the deployment either: booked as a success, not retried.
        book({ ok: err.final, error: clientGone || internal || err.final ? undefined : err, latencyMs: now() - startedAt });
        if (clientGone || err.final) throw err;
        if (internal) {
          logLine('error', { msg: 'gateway fault', group, deployment: d.id, error: e instanceof Error ? `${e.name}: ${e.message}` : 'unknown' });
          // Metrics and logs blame no deployment for it either.
          log.deploymentId = log.apiBase = log.provider = undefined;
          throw new GatewayFault();
        }
        firstError ??= err;
        if (!exclude.includes(d.id)) exclude.push(d.id);
        const otherFree = candidates.some((c) => !exclude.includes(c.id));
        const allowed = retriesFor(options, group, err, otherFree, job.controls.num_retries ?? d.params.num_retries ?? d.params.max_retries);
        if (retriesHere >= allowed) throw firstError;
        retriesHere++;
        counts.retries++;
        maxRetries = allowed;
        const waitStart = now();
        await this.deps.sleep(backoffMs(options, retriesHere, err, candidates.length, random), job.signal);
        counts.upstreamMs += now() - waitStart;
      } finally {
        if (!handedOver) deadline.stop();
      }
      // Raised, not retried (LiteLLM does not retry a content-policy error when it has somewhere to go).
      if (blocked) throw blocked;
    }
  }
}

/** A continuation's counts add to those of the request it continues (one record, one log). */
function addCounts(log: RequestLog, counts: Counts) {
  log.attempts += counts.attempts;
  log.retries += counts.retries;
  log.fallbacks += counts.fallbacks;
}

/** How long past its timeout a request's in-flight entry still counts (backoff, a slow report). */
const IN_FLIGHT_MARGIN_MS = 60_000;

/**
 * Tag routing (LiteLLM's get_deployments_for_tag), with router_settings.enable_tag_filtering: a tagged request
 * goes to the deployments sharing any of its tags, else to those tagged `default`, else nowhere (401); an
 * untagged request to the `default` deployments if there are any, else to all.
 */
function tagFiltered(all: Deployment[], enabled: boolean, tags: string[] | undefined, model: string): Deployment[] {
  if (!enabled) return all;
  const defaults = all.filter((d) => d.tags?.includes('default'));
  if (tags && tags.length > 0) {
    const matched = all.filter((d) => d.tags?.some((t) => tags.includes(t)));
    if (matched.length > 0) return matched;
    if (defaults.length > 0) return defaults;
    throw new RouterError(
      'AuthenticationError',
      `Not allowed to access model due to tags configuration. Passed model=${model} and tags=${JSON.stringify(tags)}`,
      { code: 'no_deployment_for_tags' },
    );
  }
  return defaults.length > 0 ? defaults : all;
}

function toCandidate(d: Deployment, options: RouterOptions): Candidate {
  const { input_cost_per_token: i, output_cost_per_token: o } = d.info;
  return {
    id: d.id,
    rpm: d.rpm,
    tpm: d.tpm,
    weight: d.weight,
    order: d.order,
    cost: i === undefined && o === undefined ? undefined : (i ?? 0) + (o ?? 0),
    holdMs: Math.max(timeoutMs(options, d), streamTimeoutMs(options, d)) + IN_FLIGHT_MARGIN_MS,
  };
}

function noCapacity(model: string, reason: 'cooldown' | 'rate_limited', retryAfterMs: number, precheck: boolean, cs: Candidate[]): RouterError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  // LiteLLM's RouterRateLimitError text (C07), which its tooling greps for.
  const message =
    reason === 'cooldown'
      ? `No deployments available for selected model, Try again in ${seconds} seconds. Passed model=${model}. pre-call-checks=${precheck ? 'True' : 'False'}, cooldown_list=${JSON.stringify(cs.map((c) => c.id))}`
      : `No deployments available for selected model: every deployment of ${model} is at its rpm/tpm limit for this minute. Try again in ${seconds} seconds.`;
  return new RouterError('RateLimitError', message, {
    code: reason === 'cooldown' ? 'all_deployments_cooling_down' : 'rate_limit_exceeded',
    retryAfter: seconds,
  });
}
