// The Router: LiteLLM's Router as a library. Construct it from the same keys as router.config.yaml
// (`new Router({ model_list, routing_strategy, num_retries, fallbacks, ... })`) and call
// `completion()` or `embedding()`. The Hono app is a thin HTTP layer over it.
import type { CachedCall, CacheTicket, ResponseCache } from '../cache/response-cache';
import { cachedChat, keepChat } from '../cache/response-cache';
import { responseCacheFor } from '../cache/settings';
import { ConfigError, validateRouterOptions } from '../config/load';
import type { RouterOptions } from '../config/types';
import type { RequestLog, RouterCallback } from '../observability/events';
import type { ChatCompletion, ChatRequest, EmbeddingRequest, EmbeddingResponse, Usage } from '../providers/openai-types';
import type { DeploymentStats } from '../state/ledger';
import { MemoryStateStore } from '../state/memory';
import type { Defer, StateStore } from '../state/store';
import { relayStream } from '../stream/relay';
import type { Deployment } from './deployment';
import { toDeployments } from './deployment';
import { asRouterError, RouterError } from './errors';
import { ModelGroups } from './groups';
import {
  backoffMs,
  coolsDownAtOnce,
  countsTowardCooldown,
  DEFAULT_ALLOWED_FAILS,
  DEFAULT_COOLDOWN_S,
  DEFAULT_MAX_FALLBACKS,
  DEFAULT_TIMEOUT_S,
  fallbacksFor,
  fallsBack,
  hasFallbacks,
  MAX_ATTEMPTS,
  retriesFor,
} from './policy';
import type { GatewayControls } from './request';
import { CHAT_PARAMS, EMBEDDING_PARAMS, estimateTokens, parseChatRequest, parseEmbeddingRequest } from './request';
import type { Candidate } from './strategies';
import { applyParamPolicy } from './params';

/** What the Router needs from its surroundings; every part has a default, tests inject their own. */
export interface RouterRuntime {
  /** The upstream fetch (tests pass a fake upstream). */
  fetch?: typeof fetch;
  /** Routing state: in memory by default, a Durable Object in the Worker. */
  state?: StateStore;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Resolves os.environ/NAME in the object form. */
  env?: Record<string, unknown>;
  callbacks?: RouterCallback[];
  /** The response cache (Workers KV in the Worker); by default built from cache_responses, in memory. */
  cache?: ResponseCache;
}

export interface CallOptions {
  /** Aborts the upstream call when the client goes away. */
  signal?: AbortSignal;
  /** Bookkeeping that must outlive the response (ctx.waitUntil in a Worker). */
  waitUntil?: (work: Promise<unknown>) => void;
  requestId?: string;
  /** The request's Cache-Control header (no-cache, no-store, max-age). */
  cacheControl?: string;
  /** An opaque id of the caller (a hash, never a key): cache entries are never shared between callers. */
  callerScope?: string;
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

export type CompletionResult =
  | { kind: 'json'; body: ChatCompletion; meta: ResponseMeta }
  | { kind: 'stream'; stream: ReadableStream<Uint8Array>; meta: ResponseMeta };

export interface EmbeddingResult {
  body: EmbeddingResponse;
  meta: ResponseMeta;
}

/** One upstream attempt's result; `settled` means the attempt books its own outcome later (streams). */
interface Attempted<T> {
  value: T;
  usage?: Usage;
  settled?: boolean;
}

interface Job<T> {
  call: RequestLog['call'];
  model: string;
  stream: boolean;
  estTokens: number;
  controls: GatewayControls;
  opts: CallOptions;
  log: RequestLog;
  attempt: (d: Deployment, signal: AbortSignal, abort: (r: RouterError) => void, book: Booker) => Promise<Attempted<T>>;
}

/** Books an attempt's outcome in the state store (deferred, never awaited on the response path). */
type Booker = (outcome: { ok: boolean; error?: RouterError; usage?: Usage; latencyMs: number; ttftMs?: number }) => void;

let requestCounter = 0;

export class Router {
  readonly options: RouterOptions;
  readonly groups: ModelGroups;
  readonly deployments: ReadonlyMap<string, Deployment>;
  readonly warnings: string[];
  private readonly fetch: typeof fetch;
  private readonly state: StateStore;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly callbacks: RouterCallback[];
  private readonly cache?: ResponseCache;

  /** Validates like the YAML loader: a fault anywhere throws a ConfigError naming its key path. */
  constructor(options: RouterOptions, runtime: RouterRuntime = {}) {
    const checked = validateRouterOptions(options, runtime.env);
    if (!checked.ok) throw new ConfigError(checked.errors);
    this.options = checked.value;
    this.warnings = checked.warnings;
    let deployments: Deployment[];
    try {
      deployments = toDeployments(this.options.model_list);
    } catch (e) {
      throw new ConfigError([(e as Error).message]);
    }
    this.deployments = new Map(deployments.map((d) => [d.id, d]));
    this.groups = new ModelGroups(deployments, this.options.model_group_alias);
    this.fetch = runtime.fetch ?? ((input, init) => fetch(input, init));
    this.state = runtime.state ?? new MemoryStateStore();
    this.now = runtime.now ?? Date.now;
    this.random = runtime.random ?? Math.random;
    this.sleep = runtime.sleep ?? sleep;
    this.callbacks = runtime.callbacks ?? [];
    this.cache = runtime.cache ?? responseCacheFor(this.options, { now: this.now });
  }

  /** router.completion({ model, messages, stream }): the OpenAI-shaped answer, or its SSE byte stream. */
  async completion(body: ChatRequest | Record<string, unknown>, opts: CallOptions = {}): Promise<CompletionResult> {
    const { request, controls } = parseChatRequest(body);
    const stream = request.stream === true;
    const log = this.newLog('chat', request.model, stream, opts, request.messages);
    const cache = await this.openCache('chat', request, controls, opts);
    if (cache?.hit) return cachedChat(cache.hit, request, this.cacheHit(cache, log, opts));
    const job: Job<CompletionResult> = {
      call: 'chat',
      model: request.model,
      stream,
      estTokens: estimateTokens(request.messages) + (request.tools ? estimateTokens(request.tools) : 0),
      controls,
      opts,
      log,
      attempt: async (d, signal, abort, book) => {
        const upstreamBody = applyParamPolicy({ ...request, model: d.upstreamModel }, d, CHAT_PARAMS, this.options.drop_params);
        const startedAt = this.now();
        const result = await d.provider.chat({ deployment: d, body: upstreamBody, signal, fetch: this.fetch, controls });
        if (result.kind === 'json') {
          return { value: { kind: 'json', body: result.body, meta: undefined as never }, usage: result.body.usage };
        }
        const relayed = await relayStream(result.stream, {
          startedAt,
          now: this.now,
          idleTimeoutMs: this.streamTimeoutMs(d),
          abort,
          onEnd: (o) => {
            const usage = o.usage ?? estimatedUsage(job.estTokens, o.contentChars);
            // A client that left says nothing about the deployment: only its usage is booked.
            book(o.cancelled ? { ok: false, usage, latencyMs: o.latencyMs } : { ok: o.ok, error: o.error, usage, latencyMs: o.latencyMs, ttftMs: o.ttftMs });
            this.finish(log, o.ok || o.cancelled ? undefined : o.error, { usage, ttftMs: o.ttftMs }, opts);
          },
        });
        return { value: { kind: 'stream', stream: relayed, meta: undefined as never }, settled: true };
      },
    };
    const { value, meta, usage } = await this.run(job);
    value.meta = meta;
    if (value.kind === 'json') {
      meta.cost = this.cost(meta.deploymentId, usage);
      this.finish(log, undefined, { usage, cost: meta.cost, response: value.body }, opts);
    }
    return keepChat(cache, value, (chars) => estimatedUsage(job.estTokens, chars));
  }

  /** router.embedding({ model, input }). */
  async embedding(body: EmbeddingRequest | Record<string, unknown>, opts: CallOptions = {}): Promise<EmbeddingResult> {
    const { request, controls } = parseEmbeddingRequest(body);
    const log = this.newLog('embeddings', request.model, false, opts, request.input);
    const cache = await this.openCache('embeddings', request, controls, opts);
    if (cache?.hit) return { body: cache.hit.body as EmbeddingResponse, meta: this.cacheHit(cache, log, opts) };
    const { value, meta, usage } = await this.run<EmbeddingResponse>({
      call: 'embeddings',
      model: request.model,
      stream: false,
      estTokens: estimateTokens(request.input),
      controls,
      opts,
      log,
      attempt: async (d, signal) => {
        if (!d.provider.embeddings) {
          throw new RouterError('BadRequestError', `Deployment ${d.id} (${d.provider.name}) does not serve embeddings`);
        }
        const upstreamBody = applyParamPolicy({ ...request, model: d.upstreamModel }, d, EMBEDDING_PARAMS, this.options.drop_params);
        const res = await d.provider.embeddings({ deployment: d, body: upstreamBody, signal, fetch: this.fetch, controls });
        const u = res.usage;
        return { value: res, usage: u && { prompt_tokens: u.prompt_tokens, completion_tokens: 0, total_tokens: u.total_tokens } };
      },
    });
    meta.cost = this.cost(meta.deploymentId, usage);
    this.finish(log, undefined, { usage, cost: meta.cost }, opts);
    cache?.keep(value, meta);
    return { body: value, meta };
  }

  /** /v1/models: the model groups and the aliases not marked hidden. */
  listModels() {
    const created = 1700000000;
    return {
      object: 'list' as const,
      data: this.groups.visible().map((id) => ({ id, object: 'model' as const, created, owned_by: 'edge-llm-router' })),
    };
  }

  /** Per group and deployment: usage against limits, latency, in-flight, cooldown. */
  async stateReport() {
    const now = this.now();
    const groups: Record<string, unknown> = {};
    await Promise.all(
      this.groups.names().map(async (group) => {
        const stats = await this.state.snapshot(group, now);
        groups[group] = {
          routing_strategy: this.strategy(),
          deployments: this.groups.deployments(group).map((d) => describeDeployment(d, stats[d.id], now)),
        };
      }),
    );
    return { now: new Date(now).toISOString(), groups };
  }

  // ---- the request loop: groups in fallback order, deployments with retries inside each ----

  private async run<T>(job: Job<T>): Promise<{ value: T; meta: ResponseMeta; usage?: Usage }> {
    let attempts = 0;
    let fallbacks = 0;
    let retries = 0;
    try {
      const first = this.groups.resolve(job.model);
      const queue = [first];
      const seen = new Set(queue);
      // When the fallbacks fail too, the client hears the group it asked for (as LiteLLM raises the original error).
      let firstError: RouterError | undefined;
      for (let gi = 0; gi < queue.length; gi++) {
        const group = queue[gi];
        if (gi > 0) fallbacks++;
        try {
          const r = await this.tryGroup(group, job, () => attempts++, () => retries++);
          const d = this.deployments.get(r.deploymentId)!;
          const meta: ResponseMeta = {
            group,
            deploymentId: d.id,
            apiBase: d.apiBase,
            attemptedRetries: retries,
            attemptedFallbacks: fallbacks,
          };
          Object.assign(job.log, { group, deploymentId: d.id, apiBase: d.apiBase, provider: d.provider.name, attempts, retries, fallbacks });
          return { value: r.value, meta, usage: r.usage };
        } catch (e) {
          const err = asRouterError(e);
          firstError ??= err;
          if (job.opts.signal?.aborted || !fallsBack(err) || attempts >= MAX_ATTEMPTS) throw firstError;
          // Fallbacks are those of the group the client asked for, tried in order, each once.
          if (gi === 0) {
            for (const next of fallbacksFor(this.options, first, err)) {
              if (!seen.has(next) && this.groups.has(next)) {
                seen.add(next);
                queue.push(next);
              }
            }
            queue.splice(1 + (this.options.max_fallbacks ?? DEFAULT_MAX_FALLBACKS));
          }
        }
      }
      throw firstError!;
    } catch (e) {
      const err = asRouterError(e);
      Object.assign(job.log, { attempts, retries, fallbacks });
      this.finish(job.log, err, {}, job.opts);
      throw err;
    }
  }

  private async tryGroup<T>(group: string, job: Job<T>, countAttempt: () => void, countRetry: () => void) {
    const all = this.groups.deployments(group);
    // Known context windows are checked before any call (context_window_fallbacks then apply).
    const fits = all.filter((d) => d.info.max_input_tokens === undefined || job.estTokens <= d.info.max_input_tokens);
    if (fits.length === 0) {
      throw new RouterError('ContextWindowExceededError', `The request (~${job.estTokens} tokens) exceeds the context window of every deployment of ${group}`, {
        code: 'context_length_exceeded',
      });
    }
    const candidates = fits.map(toCandidate);
    const groupIds = all.map((d) => d.id);
    // Cooling a group's last healthy deployment is an outage, unless the group has fallbacks to go to.
    const protectLastHealthy = !hasFallbacks(this.options, group);
    const defer = this.deferrer(job.opts);
    const exclude: string[] = [];
    let retriesHere = 0;
    for (;;) {
      const now = this.now();
      const picked = await this.state.acquire(
        group,
        {
          strategy: this.strategy(),
          candidates,
          estTokens: job.estTokens,
          stream: job.stream,
          args: this.options.routing_strategy_args ?? {},
          exclude,
          now,
          seed: this.random(),
        },
        defer,
      );
      if (!picked.ok) throw noCapacity(group, picked.reason, picked.retryAfterMs, candidates.length);
      const d = this.deployments.get(picked.id)!;
      countAttempt();
      const controller = new AbortController();
      const abort = (reason: RouterError) => controller.abort(reason);
      const onClientGone = () => abort(new RouterError('Timeout', 'Client disconnected', { code: 'client_disconnected' }));
      job.opts.signal?.addEventListener('abort', onClientGone, { once: true });
      const timeoutMs = job.stream ? this.streamTimeoutMs(d) : this.timeoutMs(d);
      const timer = setTimeout(
        () => abort(new RouterError('Timeout', `Deployment ${d.id} did not answer within ${timeoutMs / 1000}s`, { code: 'timeout' })),
        timeoutMs,
      );
      const startedAt = this.now();
      const book: Booker = (o) => {
        job.opts.signal?.removeEventListener('abort', onClientGone);
        if (o.ok) job.log.apiLatencyMs = o.latencyMs;
        defer(
          this.state.report(group, {
            id: d.id,
            groupIds,
            acquired: true,
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
            cooldown: {
              allowedFails: this.options.allowed_fails ?? DEFAULT_ALLOWED_FAILS,
              cooldownTime: this.options.cooldown_time ?? DEFAULT_COOLDOWN_S,
              disabled: this.options.disable_cooldowns ?? false,
              protectLastHealthy,
            },
            now: this.now(),
          }),
        );
      };
      try {
        const r = await job.attempt(d, controller.signal, abort, book);
        if (!r.settled) book({ ok: true, usage: r.usage, latencyMs: this.now() - startedAt });
        return { ...r, deploymentId: d.id };
      } catch (e) {
        const err = controller.signal.aborted && controller.signal.reason instanceof RouterError ? controller.signal.reason : asRouterError(e);
        const clientGone = job.opts.signal?.aborted ?? false;
        book({ ok: false, error: clientGone ? undefined : err, latencyMs: this.now() - startedAt });
        if (clientGone) throw err;
        if (!exclude.includes(d.id)) exclude.push(d.id);
        const otherFree = candidates.some((c) => !exclude.includes(c.id));
        if (retriesHere >= retriesFor(this.options, group, err, otherFree, job.controls.num_retries)) throw err;
        retriesHere++;
        countRetry();
        await this.sleep(backoffMs(this.options, retriesHere, err, otherFree, this.random), job.opts.signal);
      } finally {
        clearTimeout(timer);
      }
    }
  }

  // ---- helpers ----

  private async openCache(call: CachedCall, request: { model: string }, controls: GatewayControls, opts: CallOptions) {
    if (!this.cache) return undefined;
    let group: string;
    try {
      group = this.groups.resolve(request.model);
    } catch {
      return undefined; // an unknown model: run() answers it
    }
    return this.cache.open(call, group, request, controls, opts);
  }

  /** A cache hit never reaches routing state (no deployment's tpm is spent); callbacks still hear of it, at no cost. */
  private cacheHit(ticket: CacheTicket, log: RequestLog, opts: CallOptions): ResponseMeta {
    const { group, deploymentId, apiBase, body } = ticket.hit!;
    Object.assign(log, { group, deploymentId, apiBase, provider: this.deployments.get(deploymentId)?.provider.name, cacheHit: true });
    this.finish(log, undefined, { usage: body.usage && { completion_tokens: 0, ...body.usage }, cost: 0, response: log.call === 'chat' ? body : undefined }, opts);
    return { group, deploymentId, apiBase, attemptedRetries: 0, attemptedFallbacks: 0, cacheKey: ticket.key, cost: 0 };
  }

  private strategy() {
    return this.options.routing_strategy ?? 'simple-shuffle';
  }

  private timeoutMs(d: Deployment): number {
    return 1000 * (d.params.timeout ?? this.options.timeout ?? this.options.request_timeout ?? DEFAULT_TIMEOUT_S);
  }

  private streamTimeoutMs(d: Deployment): number {
    return 1000 * (d.params.stream_timeout ?? this.options.stream_timeout ?? d.params.timeout ?? this.options.timeout ?? this.options.request_timeout ?? DEFAULT_TIMEOUT_S);
  }

  private cost(deploymentId: string, usage?: Usage): number | undefined {
    const info = this.deployments.get(deploymentId)?.info;
    if (!usage || !info || (info.input_cost_per_token === undefined && info.output_cost_per_token === undefined)) return undefined;
    return usage.prompt_tokens * (info.input_cost_per_token ?? 0) + usage.completion_tokens * (info.output_cost_per_token ?? 0);
  }

  private deferrer(opts: CallOptions): Defer {
    return (work) => {
      const safe = work.catch((e) => console.error(JSON.stringify({ level: 'error', msg: 'state report failed', error: String(e) })));
      if (opts.waitUntil) opts.waitUntil(safe);
    };
  }

  private newLog(call: RequestLog['call'], model: string, stream: boolean, opts: CallOptions, content: unknown): RequestLog {
    return {
      messages: this.callbacks.some((cb) => cb.wantsContent) ? content : undefined,
      requestId: opts.requestId ?? `req-${Date.now().toString(36)}-${(requestCounter++).toString(36)}`,
      call,
      model,
      stream,
      ok: false,
      status: 0,
      attempts: 0,
      retries: 0,
      fallbacks: 0,
      startedAt: this.now(),
      latencyMs: 0,
      cacheHit: false,
    };
  }

  /** Hands the finished request's record to every callback, through waitUntil. */
  private finish(log: RequestLog, error: RouterError | undefined, extra: Partial<RequestLog>, opts: CallOptions) {
    Object.assign(log, extra, {
      ok: !error,
      status: error ? error.status : 200,
      errorClass: error?.errorClass,
      errorMessage: error?.message,
      latencyMs: this.now() - log.startedAt,
    });
    if (this.callbacks.length === 0) return;
    const defer = this.deferrer(opts);
    for (const cb of this.callbacks) {
      const fn = error ? cb.onFailure : cb.onSuccess;
      if (fn) defer(Promise.resolve().then(() => fn.call(cb, log)));
    }
  }
}

function toCandidate(d: Deployment): Candidate {
  const { input_cost_per_token: i, output_cost_per_token: o } = d.info;
  return { id: d.id, rpm: d.rpm, tpm: d.tpm, weight: d.weight, cost: i === undefined && o === undefined ? undefined : (i ?? 0) + (o ?? 0) };
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

function estimatedUsage(prompt: number, contentChars: number): Usage {
  const completion = Math.ceil(contentChars / 4);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function describeDeployment(d: Deployment, s: DeploymentStats | undefined, now: number) {
  const fresh = s && s.minute === Math.floor(now / 60_000);
  return {
    id: d.id,
    model: d.params.model,
    api_base: d.apiBase,
    rpm: { used: fresh ? s.rpm : 0, limit: d.rpm ?? null },
    tpm: { used: fresh ? s.tpm : 0, limit: d.tpm ?? null },
    latency_ms: s?.latencyMs ?? null,
    ttft_ms: s?.ttftMs ?? null,
    in_flight: s?.inFlight ?? 0,
    fails_this_minute: fresh ? s.fails : 0,
    cooldown_until: s && s.cooldownUntil > now ? new Date(s.cooldownUntil).toISOString() : null,
    last_error: s?.lastError ?? null,
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}
