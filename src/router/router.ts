// The Router: LiteLLM's Router as a library. Construct it from the same keys as router.config.yaml
// (`new Router({ model_list, routing_strategy, num_retries, fallbacks, ... })`) and call
// `completion()` or `embedding()`. The Hono app is a thin HTTP layer over it.
import type { CachedCall, CacheTicket, ResponseCache } from '../cache/response-cache';
import { cachedChat, keepChat } from '../cache/response-cache';
import { responseCacheFor } from '../cache/settings';
import { ConfigError, validateRouterOptions } from '../config/load';
import type { RouterOptions } from '../config/types';
import type { CallerTag, RequestLog, RouterCallback } from '../observability/events';
import type { ChatCompletion, ChatRequest, EmbeddingRequest, EmbeddingResponse, Usage } from '../providers/openai-types';
import { MemoryStateStore } from '../state/memory';
import type { Defer, StateStore } from '../state/store';
import { relayStream } from '../stream/relay';
import type { Deployment } from './deployment';
import { toDeployments } from './deployment';
import { RouterError } from './errors';
import { isPattern, ModelGroups } from './groups';
import { HealthChecker } from './health';
import type { Job, ResponseMeta } from './loop';
import { RequestLoop } from './loop';
import { applyParamPolicy } from './params';
import { streamTimeoutMs } from './policy';
import type { GatewayControls } from './request';
import { CHARS_PER_TOKEN, CHAT_PARAMS, checkMockControls, EMBEDDING_PARAMS, estimateTokens, parseChatRequest, parseEmbeddingRequest } from './request';
import { deferrer, RequestLogger } from './request-log';
import { stateReport } from './state-report';

/** What the Router needs from its surroundings; every part has a default, tests inject their own. */
export interface RouterRuntime {
  /** The upstream fetch (tests pass a fake upstream). */
  fetch?: typeof fetch;
  /** Routing state: in memory by default, a Durable Object in the Worker. */
  state?: StateStore;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Resolves os.environ/NAME in the object form; providers read their env defaults (AWS_*) from it. */
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
  /** Tags from the x-litellm-tags header, for tag routing when the body names none. */
  tags?: string[];
  /** The virtual key that made the request, for the callbacks (never the key itself). */
  caller?: CallerTag;
}

export type { ResponseMeta } from './loop';

export type CompletionResult =
  | { kind: 'json'; body: ChatCompletion; meta: ResponseMeta }
  | { kind: 'stream'; stream: ReadableStream<Uint8Array>; meta: ResponseMeta };

export interface EmbeddingResult {
  body: EmbeddingResponse;
  meta: ResponseMeta;
}


export class Router {
  readonly options: RouterOptions;
  readonly groups: ModelGroups;
  readonly deployments: ReadonlyMap<string, Deployment>;
  readonly warnings: string[];
  readonly callbacks: RouterCallback[];
  private readonly fetch: typeof fetch;
  private readonly state: StateStore;
  private readonly now: () => number;
  private readonly cache?: ResponseCache;
  private readonly logger: RequestLogger;
  private readonly loop: RequestLoop;
  private readonly healthChecker: HealthChecker;

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
    this.callbacks = runtime.callbacks ?? [];
    this.cache = runtime.cache ?? responseCacheFor(this.options, { now: this.now });
    this.logger = new RequestLogger(this.callbacks, this.now);
    this.loop = new RequestLoop({
      options: this.options,
      groups: this.groups,
      deployments: this.deployments,
      state: this.state,
      logger: this.logger,
      now: this.now,
      random: runtime.random ?? Math.random,
      sleep: runtime.sleep ?? sleep,
    });
    this.healthChecker = new HealthChecker(this.options, this.fetch, this.now);
  }

  /** router.completion({ model, messages, stream }): the OpenAI-shaped answer, or its SSE byte stream. */
  async completion(body: ChatRequest | Record<string, unknown>, opts: CallOptions = {}): Promise<CompletionResult> {
    const { request, controls } = parseChatRequest(body);
    controls.tags ??= opts.tags;
    checkMockControls(controls, this.groups, request.model);
    const stream = request.stream === true;
    const log = this.logger.open('chat', request.model, stream, opts.requestId, request.messages);
    log.caller = opts.caller;
    const defer = deferrer(opts.waitUntil);
    const cache = await this.openCache('chat', request, controls, opts);
    if (cache?.hit) return cachedChat(cache.hit, request, this.cacheHit(cache, log, defer));
    const job: Job<CompletionResult> = {
      model: request.model,
      stream,
      estTokens: estimateTokens(request.messages) + (request.tools ? estimateTokens(request.tools) : 0),
      controls,
      signal: opts.signal,
      defer,
      log,
      contentFiltered: (v) => v.kind === 'json' && v.body.choices?.[0]?.finish_reason === 'content_filter',
      attempt: async (d, signal, abort, book, params) => {
        const upstreamBody = applyParamPolicy({ ...request, ...params, model: d.upstreamModel }, d, CHAT_PARAMS, this.options.drop_params);
        const startedAt = this.now();
        const result = await d.provider.chat({ deployment: d, body: upstreamBody, signal, fetch: this.fetch, controls });
        if (result.kind === 'json') {
          return { value: { kind: 'json', body: result.body, meta: undefined as never }, usage: result.body.usage };
        }
        const relayed = await relayStream(result.stream, {
          startedAt,
          now: this.now,
          idleTimeoutMs: streamTimeoutMs(this.options, d),
          abort,
          deployment: d,
          signal: opts.signal,
          onEnd: (o) => {
            const usage = o.usage ?? estimatedUsage(job.estTokens, o.contentChars);
            // A client that left says nothing about the deployment: only its usage is booked.
            book(o.cancelled ? { ok: false, usage, latencyMs: o.latencyMs } : { ok: o.ok, error: o.error, usage, latencyMs: o.latencyMs, ttftMs: o.ttftMs });
            // A stream's cost is known when it ends, abandoned or not: callbacks (and key spend) book it then.
            this.logger.finish(log, o.ok || o.cancelled ? undefined : o.error, { usage, ttftMs: o.ttftMs, cost: this.cost(d.id, usage) }, defer);
          },
        });
        return { value: { kind: 'stream', stream: relayed, meta: undefined as never }, settled: true };
      },
    };
    const { value, meta, usage } = await this.loop.run(job);
    value.meta = meta;
    if (value.kind === 'json') {
      meta.cost = this.cost(meta.deploymentId, usage);
      this.logger.finish(log, undefined, { usage, cost: meta.cost, response: value.body }, defer);
    }
    return keepChat(cache, value, (chars) => estimatedUsage(job.estTokens, chars));
  }

  /** router.embedding({ model, input }). */
  async embedding(body: EmbeddingRequest | Record<string, unknown>, opts: CallOptions = {}): Promise<EmbeddingResult> {
    const { request, controls } = parseEmbeddingRequest(body);
    controls.tags ??= opts.tags;
    checkMockControls(controls, this.groups, request.model);
    const log = this.logger.open('embeddings', request.model, false, opts.requestId, request.input);
    log.caller = opts.caller;
    const defer = deferrer(opts.waitUntil);
    const cache = await this.openCache('embeddings', request, controls, opts);
    if (cache?.hit) return { body: cache.hit.body as EmbeddingResponse, meta: this.cacheHit(cache, log, defer) };
    const { value, meta, usage } = await this.loop.run<EmbeddingResponse>({
      model: request.model,
      stream: false,
      estTokens: estimateTokens(request.input),
      controls,
      signal: opts.signal,
      defer,
      log,
      attempt: async (d, signal, _abort, _book, params) => {
        if (!d.provider.embeddings) {
          throw new RouterError('BadRequestError', `Deployment ${d.id} (${d.provider.name}) does not serve embeddings`);
        }
        const upstreamBody = applyParamPolicy({ ...request, ...params, model: d.upstreamModel }, d, EMBEDDING_PARAMS, this.options.drop_params);
        const res = await d.provider.embeddings({ deployment: d, body: upstreamBody, signal, fetch: this.fetch, controls });
        const u = res.usage;
        return { value: res, usage: u && { prompt_tokens: u.prompt_tokens, completion_tokens: 0, total_tokens: u.total_tokens } };
      },
    });
    meta.cost = this.cost(meta.deploymentId, usage);
    this.logger.finish(log, undefined, { usage, cost: meta.cost }, defer);
    cache?.keep(value, meta);
    return { body: value, meta };
  }

  /** A request refused before routing (a virtual key's model, limit or budget): callbacks hear of it as a failure. */
  refused(call: RequestLog['call'], model: string, error: RouterError, opts: CallOptions = {}) {
    const log = this.logger.open(call, model, false, opts.requestId, undefined);
    log.caller = opts.caller;
    this.logger.finish(log, error, {}, deferrer(opts.waitUntil));
  }

  /** /v1/models: the model groups and the aliases not marked hidden. */
  listModels() {
    const created = 1700000000;
    return {
      object: 'list' as const,
      data: this.groups.visible().map((id) => ({ id, object: 'model' as const, created, owned_by: 'edge-llm-router' })),
    };
  }

  /** GET /health: one small call to each deployment (of one model group with `model`), shared for a few seconds. */
  health(model?: string) {
    const group = model === undefined ? undefined : this.groups.resolve(model);
    const deployments = group === undefined ? [...this.deployments.values()] : this.groups.deployments(group);
    return this.healthChecker.check(group ?? '', deployments);
  }

  /** Per group and deployment: usage against limits, latency, in-flight, cooldown. */
  stateReport() {
    return stateReport(this.groups, this.state, this.options.routing_strategy ?? 'simple-shuffle', this.now());
  }

  // ---- helpers ----

  private async openCache(call: CachedCall, request: { model: string }, controls: GatewayControls, opts: CallOptions) {
    if (!this.cache) return undefined;
    let group: string;
    try {
      group = this.groups.resolve(request.model);
      // A wildcard group serves many models: each is cached apart.
      if (isPattern(group)) group = request.model;
    } catch {
      return undefined; // an unknown model: run() answers it
    }
    return this.cache.open(call, group, request, controls, opts);
  }

  /** A cache hit never reaches routing state (no deployment's tpm is spent); callbacks still hear of it, at no cost. */
  private cacheHit(ticket: CacheTicket, log: RequestLog, defer: Defer): ResponseMeta {
    const { group, deploymentId, apiBase, body } = ticket.hit!;
    Object.assign(log, { group, deploymentId, apiBase, provider: this.deployments.get(deploymentId)?.provider.name, cacheHit: true });
    this.logger.finish(log, undefined, { usage: body.usage && { completion_tokens: 0, ...body.usage }, cost: 0, response: log.call === 'chat' ? body : undefined }, defer);
    return { group, deploymentId, apiBase, attemptedRetries: 0, attemptedFallbacks: 0, cacheKey: ticket.key, cost: 0 };
  }

  private cost(deploymentId: string, usage?: Usage): number | undefined {
    const info = this.deployments.get(deploymentId)?.info;
    if (!usage || !info || (info.input_cost_per_token === undefined && info.output_cost_per_token === undefined)) return undefined;
    return usage.prompt_tokens * (info.input_cost_per_token ?? 0) + usage.completion_tokens * (info.output_cost_per_token ?? 0);
  }
}

function estimatedUsage(prompt: number, contentChars: number): Usage {
  const completion = Math.ceil(contentChars / CHARS_PER_TOKEN);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}
