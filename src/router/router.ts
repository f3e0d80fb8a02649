// The Router: LiteLLM's Router as a library. Construct it from the same keys as router.config.yaml
// (`new Router({ model_list, routing_strategy, num_retries, fallbacks, ... })`) and call
// `completion()` or `embedding()` (and `messages()`, `responses()` for Anthropic's and OpenAI's newer APIs).
// The Hono app is a thin HTTP layer over it.
import type { ApiContext, InboundApi, InboundRequest } from '../api/inbound';
import { estimateMessages, messagesApi } from '../api/messages';
import type { MessagesBody } from '../api/messages/request';
import { responsesApi } from '../api/responses';
import type { ConversationStore } from '../api/responses/store';
import { MemoryConversations } from '../api/responses/store';
import type { CachedCall, CacheTicket, ResponseCache } from '../cache/response-cache';
import type { CachedAnswer } from '../cache/store';
import { cachedChat, keepChat } from '../cache/response-cache';
import { responseCacheFor } from '../cache/settings';
import { ConfigError, validateRouterOptions } from '../config/load';
import type { RouterOptions } from '../config/types';
import type { CallerTag, RequestLog, RouterCallback } from '../observability/events';
import type { ChatCompletion, ChatRequest, EmbeddingRequest, EmbeddingResponse, Usage } from '../providers/openai-types';
import { costOf } from '../pricing';
import { MemoryStateStore } from '../state/memory';
import type { Defer, StateStore } from '../state/store';
import type { StreamDialect } from '../stream/dialect';
import { chatDialect, relayStream } from '../stream/relay';
import type { Deadline } from '../utils/deadline';
import type { Deployment } from './deployment';
import { toDeployments } from './deployment';
import { affinityKey } from './affinity';
import { asRouterError, RouterError } from './errors';
import { isPattern, ModelGroups } from './groups';
import { HealthChecker } from './health';
import type { Booker, Job, ResponseMeta } from './loop';
import { RequestLoop } from './loop';
import type { GuardStages, KeyGuardrails } from './guarding';
import { Guarding } from './guarding';
import { Guardrails } from '../guardrails/engine';
import { applyParamPolicy } from './params';
import { streamTimeoutMs, timeoutMs } from './policy';
import type { GatewayControls } from './request';
import { CHARS_PER_TOKEN, CHAT_PARAMS, checkMockControls, EMBEDDING_PARAMS, estimateTokens, parseChatRequest, parseEmbeddingRequest, takeControls } from './request';
import { countTokensBody } from '../schema/messages';
import { anthropicIssueError, parseBody } from '../schema/issues';
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
  /** Responses kept for previous_response_id (Workers KV in the Worker); by default in memory. */
  conversations?: ConversationStore;
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
  /** Client headers meant for a passed-through upstream (anthropic-version, anthropic-beta). */
  upstreamHeaders?: Record<string, string>;
  /** A session named by a header (x-litellm-session-id, Claude Code's, Codex's), for affinity. */
  session?: string;
  /** The virtual key's and its team's guardrails. */
  key?: KeyGuardrails;
}

export type { ResponseMeta } from './loop';

export type CompletionResult =
  | { kind: 'json'; body: ChatCompletion; meta: ResponseMeta; text?: string }
  | { kind: 'stream'; stream: ReadableStream<Uint8Array>; meta: ResponseMeta };

/** An answer of an inbound API (Messages, Responses): a passed-through JSON answer keeps its bytes in `text`. */
export type ApiResult =
  | { kind: 'json'; body: unknown; text: string; meta: ResponseMeta }
  | { kind: 'stream'; stream: ReadableStream<Uint8Array>; meta: ResponseMeta };

/** count_tokens' answer: Anthropic's bytes, or the gateway's estimate ({"input_tokens": n, "estimated": true}). */
export interface TokenCount {
  text: string;
  estimated: boolean;
  group: string;
  deploymentId?: string;
}

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
  private readonly conversations: ConversationStore;
  private readonly logger: RequestLogger;
  private readonly loop: RequestLoop;
  private readonly healthChecker: HealthChecker;
  private readonly guarding: Guarding;

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
    this.conversations = runtime.conversations ?? new MemoryConversations();
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
    const group = (name: string) => {
      if (!this.groups.known(name)) return undefined;
      const d = this.groups.deployments(this.groups.resolve(name)).find((x) => x.provider.name === 'openai' || x.provider.name === 'azure');
      return d && { apiBase: d.apiBase, apiKey: typeof d.params.api_key === 'string' ? d.params.api_key : undefined, model: d.upstreamModel };
    };
    this.guarding = new Guarding(new Guardrails(this.options.guardrails ?? [], { fetch: this.fetch, env: runtime.env ?? {}, group }), this.logger, this.now);
  }

  /** router.completion({ model, messages, stream }): the OpenAI-shaped answer, or its SSE byte stream. */
  async completion(body: ChatRequest | Record<string, unknown>, opts: CallOptions = {}): Promise<CompletionResult> {
    const { request, controls } = parseChatRequest(body);
    controls.tags ??= opts.tags;
    checkMockControls(controls, this.groups, request.model);
    const stream = request.stream === true;
    const guard = this.guarding.open(controls, opts.key);
    const log = this.logger.open('chat', request.model, stream, opts.requestId, request.messages);
    log.caller = opts.caller;
    const defer = deferrer(opts.waitUntil);
    const during = await this.guarding.input(guard, 'chat', request, log, defer, opts.signal);
    const cache = await this.openCache('chat', request, controls, opts);
    if (cache?.hit) return cachedChat(cache.hit, request, this.cacheHit(cache, log, defer));
    const estTokens = estimateTokens(request.messages) + (request.tools ? estimateTokens(request.tools) : 0);
    const job: Job<CompletionResult> = {
      model: request.model,
      stream,
      estTokens,
      controls,
      affinity: this.affinity(request, controls, opts, estTokens),
      signal: opts.signal,
      defer,
      log,
      contentFiltered: (v) => v.kind === 'json' && v.body.choices?.[0]?.finish_reason === 'content_filter',
      attempt: async (d, signal, abort, book, params, deadline) => {
        const upstreamBody = applyParamPolicy({ ...request, ...params, model: d.upstreamModel }, d, CHAT_PARAMS, this.options.drop_params);
        const startedAt = this.now();
        const result = await d.provider.chat({ deployment: d, body: upstreamBody, signal, fetch: this.fetch, controls });
        if (result.kind === 'json') {
          return { value: { kind: 'json', body: result.body, text: result.text, meta: undefined as never }, usage: result.body.usage };
        }
        const relayed = await this.relay(result.stream, d, job, startedAt, abort, book, deadline, result.dialect, this.guarding.stages(guard, 'chat'));
        return { value: { kind: 'stream', stream: relayed, meta: undefined as never }, settled: true };
      },
    };
    const { value, meta, usage } = await this.loop.run(job);
    value.meta = meta;
    if ((await this.guarding.output(guard, during, 'chat', value, log, defer, chatDialect.errorEvent)) && value.kind === 'json') value.text = undefined;
    if (value.kind === 'json') {
      meta.cost = this.cost(meta.deploymentId, usage);
      this.logger.finish(log, undefined, { usage, cost: meta.cost, response: guard ? guard.forLogs(value.body) : value.body }, defer);
    }
    return keepChat(cache, value, (chars) => estimatedUsage(job.estTokens, chars));
  }

  /** router.messages({ model, max_tokens, messages }): Anthropic's Messages API over the same routing as chat. */
  messages(body: unknown, opts: CallOptions = {}): Promise<ApiResult> {
    return this.inbound(messagesApi, body, opts);
  }

  /** router.responses({ model, input }): OpenAI's Responses API over the same routing as chat. */
  responses(body: unknown, opts: CallOptions = {}): Promise<ApiResult> {
    return this.inbound(responsesApi, body, opts);
  }

  /**
   * Anthropic's count_tokens: exact from the group's first Anthropic deployment that answers, else the router's
   * own estimate, marked `estimated`. Not routed (it costs nothing upstream and books no usage).
   */
  async countTokens(body: unknown, opts: CallOptions = {}): Promise<TokenCount> {
    parseBody(countTokensBody, body, anthropicIssueError);
    const { rest } = takeControls(body as Record<string, unknown>);
    const group = this.groups.resolve(rest.model as string);
    for (const d of this.groups.deployments(group)) {
      const native = d.provider.passthrough?.count_tokens;
      if (!native) continue;
      try {
        const timeout = AbortSignal.timeout(timeoutMs(this.options, d));
        const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
        const res = await native({ deployment: d, body: { ...rest, model: d.upstreamModel }, signal, fetch: this.fetch, headers: opts.upstreamHeaders ?? {} });
        return { text: await res.text(), estimated: false, group, deploymentId: d.id };
      } catch (e) {
        const err = asRouterError(e);
        // The request's own fault is the client's to hear; an unwell deployment leaves the next one, or the estimate.
        if (err.errorClass === 'BadRequestError' || opts.signal?.aborted) throw err;
      }
    }
    const input_tokens = estimateMessages(rest as MessagesBody);
    return { text: JSON.stringify({ input_tokens, estimated: true }), estimated: true, group };
  }

  /**
   * An inbound API through the request loop: per attempt, passed through untouched to a deployment that speaks
   * it (only `model` replaced, the answer's bytes as they came), else translated to chat and back. A fallback
   * from one kind of deployment to the other works mid-request. Only non-stream answers are cached.
   */
  private async inbound<B extends InboundRequest>(api: InboundApi<B>, body: unknown, opts: CallOptions): Promise<ApiResult> {
    const parsed = api.parse(body);
    const { controls } = parsed;
    const defer = deferrer(opts.waitUntil);
    const ctx: ApiContext = { conversations: this.conversations, callerScope: opts.callerScope, defer };
    // A managed id always gives the upstream its own id back; only responses_api_deployment_check pins and manages.
    const pinned = api.pinned?.(parsed.request);
    const managed = this.options.optional_pre_call_checks?.includes('responses_api_deployment_check') === true;
    const request = api.restore ? await api.restore(pinned?.request ?? parsed.request, ctx) : (pinned?.request ?? parsed.request);
    controls.tags ??= opts.tags;
    const stream = request.stream === true;
    const guard = this.guarding.open(controls, opts.key);
    const log = this.logger.open(api.call, request.model, stream, opts.requestId, api.content(request));
    log.caller = opts.caller;
    const during = await this.guarding.input(guard, api.call, request, log, defer, opts.signal);
    const cache = stream ? undefined : await this.openCache(api.call, request, controls, opts);
    if (cache?.hit) {
      const hit = cache.hit.body;
      return { kind: 'json', body: hit, text: JSON.stringify(hit), meta: this.cacheHit(cache, log, defer, api.usage(hit)) };
    }
    let chat: ChatRequest | undefined;
    const estTokens = api.estimate(request);
    const job: Job<ApiResult> = {
      model: request.model,
      stream,
      estTokens,
      controls,
      affinity: this.affinity(request, controls, opts, estTokens),
      pin: managed ? pinned?.deploymentId : undefined,
      signal: opts.signal,
      defer,
      log,
      attempt: async (d, signal, abort, book, _params, deadline) => {
        const startedAt = this.now();
        const native = d.provider.passthrough?.[api.native];
        if (native) {
          const res = await native({ deployment: d, body: { ...request, model: d.upstreamModel }, signal, fetch: this.fetch, headers: opts.upstreamHeaders ?? {} });
          if (stream) {
            const relayed = await this.relay(res.body ?? new ReadableStream(), d, job, startedAt, abort, book, deadline, api.dialect(), this.guarding.stages(guard, api.call));
            return { value: { kind: 'stream', stream: relayed, meta: undefined as never }, settled: true };
          }
          const text = await res.text();
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            throw new RouterError('InternalServerError', `${d.provider.name} answered deployment ${d.id} with a body that is not JSON`);
          }
          return { value: { kind: 'json', body: parsed, text, meta: undefined as never }, usage: api.usage(parsed) };
        }
        chat ??= api.toChat(request);
        const upstreamBody = applyParamPolicy({ ...chat, model: d.upstreamModel }, d, CHAT_PARAMS, this.options.drop_params);
        // Clients of these APIs ask for as many tokens as their usual model allows (Claude Code: 32000); a
        // deployment whose model_info says it gives fewer is asked for what it gives, not refused.
        const cap = d.info.max_output_tokens;
        if (cap !== undefined && typeof upstreamBody.max_tokens === 'number' && upstreamBody.max_tokens > cap) upstreamBody.max_tokens = cap;
        const result = await d.provider.chat({ deployment: d, body: upstreamBody, signal, fetch: this.fetch, controls });
        if (result.kind === 'json') {
          const answer = api.fromChat(result.body, request);
          api.remember?.(request, answer, ctx);
          return { value: { kind: 'json', body: answer, text: JSON.stringify(answer), meta: undefined as never }, usage: result.body.usage };
        }
        const relayed = await this.relay(result.stream, d, job, startedAt, abort, book, deadline, result.dialect, this.guarding.stages(guard, 'chat'));
        return { value: { kind: 'stream', stream: relayed.pipeThrough(api.fromChatStream(request, job.estTokens, (answer) => api.remember?.(request, answer, ctx))), meta: undefined as never }, settled: true };
      },
    };
    const { value, meta, usage } = await this.loop.run(job);
    value.meta = meta;
    if (managed && api.manageIds && api.manageStream) {
      const provider = this.deployments.get(meta.deploymentId)!.provider.name;
      if (value.kind === 'stream') value.stream = value.stream.pipeThrough(api.manageStream(provider, meta.deploymentId));
      else {
        value.text = api.manageIds(value.text, provider, meta.deploymentId);
        value.body = JSON.parse(value.text);
      }
    }
    if (await this.guarding.output(guard, during, api.call, value, log, defer, (e) => api.dialect().errorEvent(e)) && value.kind === 'json') value.text = JSON.stringify(value.body);
    if (value.kind === 'json') {
      meta.cost = this.cost(meta.deploymentId, usage);
      this.logger.finish(log, undefined, { usage, cost: meta.cost, response: guard ? guard.forLogs(value.body) : value.body }, defer);
      cache?.keep(value.body as CachedAnswer['body'], meta);
    }
    return value;
  }

  /** router.embedding({ model, input }). */
  async embedding(body: EmbeddingRequest | Record<string, unknown>, opts: CallOptions = {}): Promise<EmbeddingResult> {
    const { request, controls } = parseEmbeddingRequest(body);
    controls.tags ??= opts.tags;
    checkMockControls(controls, this.groups, request.model);
    const guard = this.guarding.open(controls, opts.key);
    const log = this.logger.open('embeddings', request.model, false, opts.requestId, request.input);
    log.caller = opts.caller;
    const defer = deferrer(opts.waitUntil);
    const during = await this.guarding.input(guard, 'embeddings', request, log, defer, opts.signal);
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
    await this.guarding.output(guard, during, 'embeddings', { kind: 'json', body: value }, log, defer);
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

  private affinity(body: object, controls: GatewayControls, opts: CallOptions, estTokens: number): number | undefined {
    const checks = this.options.optional_pre_call_checks;
    if (!checks) return undefined;
    const session = controls.litellm_session_id ?? opts.session;
    return affinityKey(checks, { session, caller: opts.callerScope, body: body as Record<string, unknown>, estTokens });
  }

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
  private cacheHit(ticket: CacheTicket, log: RequestLog, defer: Defer, usage?: Usage): ResponseMeta {
    const { group, deploymentId, apiBase, body } = ticket.hit!;
    Object.assign(log, { group, deploymentId, apiBase, provider: this.deployments.get(deploymentId)?.provider.name, cacheHit: true });
    const stored = (body as { usage?: Partial<Usage> }).usage;
    usage ??= stored && ({ completion_tokens: 0, ...stored } as Usage);
    this.logger.finish(log, undefined, { usage, cost: 0, response: log.call === 'embeddings' ? undefined : body }, defer);
    return { group, deploymentId, apiBase, attemptedRetries: 0, attemptedFallbacks: 0, cacheKey: ticket.key, cost: 0 };
  }

  /**
   * Relays an attempt's stream (OpenAI chunks unless a dialect says otherwise): the attempt succeeds once the
   * first chunk is in; its outcome is booked, and the request logged, when the stream ends.
   */
  private relay(
    stream: ReadableStream<Uint8Array>,
    d: Deployment,
    job: Pick<Job<unknown>, 'estTokens' | 'log' | 'defer' | 'signal'>,
    startedAt: number,
    abort: (r: RouterError) => void,
    book: Booker,
    deadline: Deadline,
    dialect?: StreamDialect,
    guarded?: GuardStages,
  ): Promise<ReadableStream<Uint8Array>> {
    return relayStream(stream, {
      startedAt,
      now: this.now,
      idleTimeoutMs: streamTimeoutMs(this.options, d),
      deadline,
      abort,
      deployment: d,
      signal: job.signal,
      dialect,
      stages: guarded?.stages,
      onEnd: (o) => {
        const usage = o.usage ?? estimatedUsage(job.estTokens, o.contentChars);
        guarded?.settle(o.error);
        // A client that left says nothing about the deployment: only its usage is booked; nor does a guardrail's block.
        const ok = o.ok || o.error?.final === true;
        book(o.cancelled ? { ok: false, usage, latencyMs: o.latencyMs } : { ok, error: ok ? undefined : o.error, usage, latencyMs: o.latencyMs, ttftMs: o.ttftMs });
        // A stream's cost is known when it ends, abandoned or not: callbacks (and key spend) book it then.
        this.logger.finish(job.log, o.ok || o.cancelled ? undefined : o.error, { usage, ttftMs: o.ttftMs, cost: this.cost(d.id, usage) }, job.defer);
      },
    });
  }

  private cost(deploymentId: string, usage?: Usage): number | undefined {
    return costOf(this.deployments.get(deploymentId)?.info, usage);
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
