// The Router: LiteLLM's Router as a library. Construct it from the same keys as router.config.yaml
// (`new Router({ model_list, routing_strategy, num_retries, fallbacks, ... })`) and call
// `completion()` or `embedding()` (and `messages()`, `responses()` for Anthropic's and OpenAI's newer APIs).
// The Hono app is a thin HTTP layer over it.
import type { ApiContext, InboundApi, InboundRequest } from '../api/inbound';
import { completionsApi } from '../api/completions';
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
import type { Booking, CallerTag, RequestLog, RouterCallback, TraceContext } from '../observability/events';
import type { ChatCompletion, ChatRequest, EmbeddingRequest, EmbeddingResponse, Usage } from '../providers/openai-types';
import { costOf } from '../pricing';
import type { Endpoint } from '../providers/provider';
import { scrub } from '../security/scrub';
import { MemoryStateStore } from '../state/memory';
import type { Defer, StateStore } from '../state/store';
import type { Continuation, Splicer } from '../stream/continuation';
import { addUsage, chatSplicer } from '../stream/continuation';
import type { StreamDialect } from '../stream/dialect';
import { chatDialect, relayStream } from '../stream/relay';
import type { Deadline } from '../utils/deadline';
import type { Deployment } from './deployment';
import { toDeployments } from './deployment';
import { affinityKey } from './affinity';
import { prefilled, takesPrefill } from './continuation';
import { asRouterError, RouterError } from './errors';
import { isPattern, ModelGroups } from './groups';
import { HealthChecker } from './health';
import type { Booker, Job, ResponseMeta } from './loop';
import { RequestLoop } from './loop';
import type { RequestGuard } from '../guardrails/engine';
import { Guardrails } from '../guardrails/engine';
import type { GuardStage } from '../stream/guard';
import { applyParamPolicy } from './params';
import { streamTimeoutMs, timeoutMs } from './policy';
import type { GatewayControls } from './request';
import { CHARS_PER_TOKEN, CHAT_PARAMS, checkMockControls, EMBEDDING_PARAMS, estimateTokens, parseChatRequest, parseEmbeddingRequest, requireModel, takeControls } from './request';
import { countTokensBody } from '../schema/messages';
import { anthropicIssueError, parseBody } from '../schema/issues';
import { deferrer, RequestLogger } from './request-log';
import { endpointCost, endpointUsage } from './endpoint-cost';
import type { Route } from './modes';
import { servesMode } from './modes';
import { stateReport } from './state-report';
import type { ProviderBudget } from './spend-caps';
import { providerBudgets, SpendCaps } from './spend-caps';
import type { AccountStubs } from '../keys/store-object';
import { bridge } from './realtime';

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
  /** Where provider and deployment budgets are counted (the KEYS objects): without it, the config may set none. */
  accounts?: AccountStubs;
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
  /** The request's W3C trace (OpenTelemetry on). */
  trace?: TraceContext;
  /** What books the request's cost on the budgets that admitted it, from its record at its end. */
  admission?: Booking;
  /** Client headers meant for a passed-through upstream (anthropic-version, anthropic-beta). */
  upstreamHeaders?: Record<string, string>;
  /** A session named by a header (x-litellm-session-id, Claude Code's, Codex's), for affinity. */
  session?: string;
  /** The virtual key's and its team's guardrails; false: none run (the gateway's own call for openai_moderation). */
  guardrails?: string[] | false;
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

/** A forwarded route's answer: the body to send (JSON, text or audio) and its content type. */
export interface ForwardResult {
  body: BodyInit | null;
  type: string;
  meta: ResponseMeta;
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
  /** The upstream fetch, for the gateway's pass-through routes. */
  get fetcher(): typeof fetch {
    return this.fetch;
  }
  private readonly state: StateStore;
  private readonly now: () => number;
  private readonly cache?: ResponseCache;
  private readonly conversations: ConversationStore;
  private readonly logger: RequestLogger;
  private readonly loop: RequestLoop;
  private readonly healthChecker: HealthChecker;
  private readonly caps?: SpendCaps;
  private readonly accounts?: AccountStubs;
  private readonly guardrails: Guardrails;

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
    this.accounts = runtime.accounts;
    this.caps = SpendCaps.from(deployments, this.options, this.accounts, this.now);
    this.loop = new RequestLoop({
      caps: this.caps,
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
    // openai_moderation is a call of this gateway's moderations route (its own guardrails not run on it).
    const moderate = async (model: string, input: string[], signal?: AbortSignal) => JSON.parse((await this.forward('moderations', { model, input }, { signal, guardrails: false })).body as string);
    this.guardrails = new Guardrails(this.options.guardrails ?? [], { companion: runtime.env?.COMPANION as Fetcher | undefined, moderate }, this.now);
  }

  /** router.completion({ model, messages, stream }): the OpenAI-shaped answer, or its SSE byte stream. */
  async completion(body: ChatRequest | Record<string, unknown>, opts: CallOptions = {}): Promise<CompletionResult> {
    const { request, controls } = parseChatRequest(body);
    controls.tags ??= opts.tags;
    checkMockControls(controls, this.groups, request.model);
    const stream = request.stream === true;
    const log = this.logger.open('chat', request.model, stream, opts, request.messages);
    this.logger.tag(log, opts, controls.tags, request);
    const defer = deferrer(opts.waitUntil);
    const guard = await this.guard(controls, opts, log, defer, request);
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
      route: 'chat',
      serves: (d) => servesMode(d, 'chat'),
      contentFiltered: (v) => v.kind === 'json' && v.body.choices?.[0]?.finish_reason === 'content_filter',
      attempt: async (d, signal, abort, book, params, deadline) => {
        const upstreamBody = applyParamPolicy({ ...request, ...params, model: d.upstreamModel }, d, CHAT_PARAMS, this.options.drop_params);
        const startedAt = this.now();
        const result = await d.provider.chat({ deployment: d, body: upstreamBody, signal, fetch: this.fetch, controls });
        if (result.kind === 'json') {
          return { value: { kind: 'json', body: result.body, text: result.text, meta: undefined as never }, usage: result.body.usage };
        }
        const relayed = await this.relay(result.stream, d, job, startedAt, abort, book, deadline, result.dialect, ...this.guardedOr(guard, () => this.chatContinuation(request, d, job, params)));
        return { value: { kind: 'stream', stream: relayed, meta: undefined as never }, settled: true };
      },
    };
    const { value, meta, usage } = await this.loop.run(job);
    value.meta = meta;
    if (guard && (await guard.output(value, chatDialect.errorEvent)) && value.kind === 'json') value.text = undefined;
    if (value.kind === 'json') {
      meta.cost = this.cost(meta.deploymentId, usage);
      this.logger.finish(log, undefined, { usage, cost: meta.cost, response: guard?.forLogs(value.body) ?? value.body }, defer);
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

  /** router.textCompletion({ model, prompt }): OpenAI's legacy text completions, translated to chat where not served. */
  textCompletion(body: unknown, opts: CallOptions = {}): Promise<ApiResult> {
    return this.inbound(completionsApi, body, opts);
  }

  /**
   * One of OpenAI's other routes (rerank, moderations, images, audio), passed through to a deployment whose
   * provider serves it: the JSON body, or the multipart form, with only `model` replaced; the answer as it came
   * (JSON and text scrubbed, audio streamed back untouched). Routed, limited, retried and booked as chat is.
   */
  async forward(endpoint: Endpoint, body: Record<string, unknown> | FormData, opts: CallOptions = {}): Promise<ForwardResult> {
    const form = body instanceof FormData ? body : undefined;
    const { rest: json, controls } = form ? { rest: {} as Record<string, unknown>, controls: {} as GatewayControls } : takeControls(body as Record<string, unknown>);
    // Moderations name no model by default: the first group of that mode answers.
    json.model ??= endpoint === 'moderations' ? this.groups.names().find((g) => this.groups.deployments(g).some((d) => d.info.mode === 'moderation')) : undefined;
    const model = form ? form.get('model') : json.model;
    requireModel({ model });
    controls.tags ??= opts.tags;
    const input = json.input ?? json.prompt ?? json.query;
    const log = this.logger.open(endpoint, model as string, false, opts, input);
    this.logger.tag(log, opts, controls.tags, json);
    const defer = deferrer(opts.waitUntil);
    // Text flows in a moderation's input and a transcript (JSON): guarded as chat is.
    const guard = endpoint === 'moderations' || endpoint.startsWith('audio/t') ? await this.guard(controls, opts, log, defer, json) : undefined;
    const { value, meta, usage } = await this.loop.run<Omit<ForwardResult, 'meta'> & { answer?: Record<string, any> }>({
      model: model as string,
      stream: false,
      estTokens: estimateTokens([input ?? '', json.documents ?? '']),
      controls,
      signal: opts.signal,
      defer,
      log,
      route: endpoint,
      serves: (d) => servesMode(d, endpoint) && (d.wildcard || d.provider.endpoints?.has(endpoint) === true),
      attempt: async (d, signal) => {
        // Only a `*` deployment's model, known per request, can name a provider that does not serve the route.
        if (!d.provider.endpoints?.has(endpoint)) throw doesNotServe(d, endpoint);
        let upstreamBody: Record<string, unknown> | FormData = { ...json, model: d.upstreamModel };
        if (form) {
          upstreamBody = new FormData();
          for (const [k, v] of form) upstreamBody.append(k, k === 'model' ? d.upstreamModel : v);
        }
        const res = await d.provider.forward!(endpoint, { deployment: d, body: upstreamBody, signal, fetch: this.fetch });
        const type = res.headers.get('content-type') ?? '';
        // Speech: the audio, streamed back as it comes.
        if (!/json|text/.test(type)) return { value: { body: res.body, type } };
        const text = scrub(await res.text(), d);
        if (!type.includes('json')) return { value: { body: text, type } };
        let answer: Record<string, any>;
        try {
          answer = JSON.parse(text);
        } catch {
          throw new RouterError('InternalServerError', `${d.provider.name} answered deployment ${d.id} with a body that is not JSON`);
        }
        // Voyage's rerank answers its results as `data`: LiteLLM's shape is Cohere's.
        if (endpoint === 'rerank' && !answer.results && answer.data) ({ data: answer.results, ...answer } = answer);
        return { value: { body: JSON.stringify(answer), type: 'application/json', answer }, usage: endpointUsage(answer) };
      },
    });
    if (guard && value.answer && (await guard.output({ kind: 'json', body: value.answer }))) value.body = JSON.stringify(value.answer);
    const d = this.deployments.get(meta.deploymentId);
    meta.cost = endpointCost(d?.info, d?.upstreamModel ?? '', endpoint, json, value.answer, usage);
    this.logger.finish(log, undefined, { usage, cost: meta.cost }, defer);
    return { body: value.body, type: value.type, meta };
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
    const log = this.logger.open(api.call, request.model, stream, opts, api.content(request));
    this.logger.tag(log, opts, controls.tags, request);
    const guard = await this.guard(controls, opts, log, defer, request);
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
      route: api.call,
      serves: (d) => servesMode(d, api.call),
      signal: opts.signal,
      defer,
      log,
      attempt: async (d, signal, abort, book, _params, deadline) => {
        const startedAt = this.now();
        const native = d.provider.passthrough?.[api.native];
        if (native && (api.nativeFor?.(d) ?? true)) {
          const res = await native({ deployment: d, body: { ...request, model: d.upstreamModel }, signal, fetch: this.fetch, headers: opts.upstreamHeaders ?? {} });
          if (stream) {
            const relayed = await this.relay(res.body ?? new ReadableStream(), d, job, startedAt, abort, book, deadline, api.dialect(request), ...this.guardedOr(guard, () => this.apiContinuation(api, request, d, job, ctx, opts)));
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
        const result = await d.provider.chat({ deployment: d, body: capped(applyParamPolicy({ ...chat, model: d.upstreamModel }, d, CHAT_PARAMS, this.options.drop_params), d), signal, fetch: this.fetch, controls });
        if (result.kind === 'json') {
          const answer = api.fromChat(result.body, request);
          api.remember?.(request, answer, ctx);
          return { value: { kind: 'json', body: answer, text: JSON.stringify(answer), meta: undefined as never }, usage: result.body.usage };
        }
        const relayed = await this.relay(result.stream, d, job, startedAt, abort, book, deadline, result.dialect, ...this.guardedOr(guard, () => this.chatContinuation(chat!, d, job, undefined, true)));
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
    if (guard && (await guard.output(value, (e) => api.dialect(request).errorEvent(e))) && value.kind === 'json') value.text = JSON.stringify(value.body);
    if (value.kind === 'json') {
      meta.cost = this.cost(meta.deploymentId, usage);
      this.logger.finish(log, undefined, { usage, cost: meta.cost, response: guard?.forLogs(value.body) ?? value.body }, defer);
      cache?.keep(value.body as CachedAnswer['body'], meta);
    }
    return value;
  }

  /** A realtime session with a deployment of `model`: dialled through the request loop, bridged to the client's socket. */
  async realtime(model: string | undefined, opts: CallOptions = {}): Promise<{ socket: WebSocket; meta: ResponseMeta }> {
    requireModel({ model });
    const log = this.logger.open('realtime', model!, true, opts, undefined);
    this.logger.tag(log, opts, opts.tags, {});
    const defer = deferrer(opts.waitUntil);
    const { value, meta } = await this.loop.run<WebSocket>({
      model: model!,
      stream: true,
      estTokens: 0,
      controls: { tags: opts.tags },
      signal: opts.signal,
      defer,
      log,
      route: 'realtime',
      serves: (d) => servesMode(d, 'realtime') && (d.wildcard || d.provider.realtime !== undefined),
      attempt: async (d, signal, _abort, book, _params, deadline) => {
        if (!d.provider.realtime) throw doesNotServe(d, 'realtime');
        const startedAt = this.now();
        const upstream = await d.provider.realtime({ deployment: d, signal, fetch: this.fetch });
        deadline.stop();
        const socket = bridge(upstream, d, (usage, ok) => {
          const error = ok ? undefined : new RouterError('APIConnectionError', `Deployment ${d.id} closed the realtime session`);
          book({ ok, error, usage, latencyMs: this.now() - startedAt });
          this.logger.finish(log, error, { usage, cost: this.cost(d.id, usage) }, defer);
        });
        return { value: socket, settled: true };
      },
    });
    return { socket: value, meta };
  }

  /** router.embedding({ model, input }). */
  async embedding(body: EmbeddingRequest | Record<string, unknown>, opts: CallOptions = {}): Promise<EmbeddingResult> {
    const { request, controls } = parseEmbeddingRequest(body);
    controls.tags ??= opts.tags;
    checkMockControls(controls, this.groups, request.model);
    const log = this.logger.open('embeddings', request.model, false, opts, request.input);
    this.logger.tag(log, opts, controls.tags, request);
    const defer = deferrer(opts.waitUntil);
    const guard = await this.guard(controls, opts, log, defer, request);
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
      route: 'embeddings',
      serves: (d) => servesMode(d, 'embeddings') && (d.wildcard || d.provider.embeddings !== undefined),
      attempt: async (d, signal, _abort, _book, params) => {
        if (!d.provider.embeddings) throw doesNotServe(d, 'embeddings');
        const upstreamBody = applyParamPolicy({ ...request, ...params, model: d.upstreamModel }, d, EMBEDDING_PARAMS, this.options.drop_params);
        const res = await d.provider.embeddings({ deployment: d, body: upstreamBody, signal, fetch: this.fetch, controls });
        const u = res.usage;
        return { value: res, usage: u && { prompt_tokens: u.prompt_tokens, completion_tokens: 0, total_tokens: u.total_tokens } };
      },
    });
    await guard?.output({ kind: 'json', body: value });
    meta.cost = this.cost(meta.deploymentId, usage);
    this.logger.finish(log, undefined, { usage, cost: meta.cost }, defer);
    cache?.keep(value, meta);
    return { body: value, meta };
  }

  /**
   * A request refused before routing (a virtual key's model, limit or budget): callbacks hear of it as a failure.
   * Without an error: a call made outside routing (a provider pass-through), heard of as a success, with what it spent.
   */
  refused(call: RequestLog['call'], model: string, error: RouterError | undefined, opts: CallOptions = {}, spent: Partial<RequestLog> = {}) {
    const log = this.logger.open(call, model, false, opts, undefined);
    this.logger.tag(log, opts, opts.tags, {});
    this.logger.finish(log, error, spent, deferrer(opts.waitUntil));
  }

  /** /v1/models: the model groups and the aliases not marked hidden. */
  /** /v1/models: the model groups, or with `accessGroups` the model access groups (?only_model_access_groups=true). */
  listModels(accessGroups?: boolean) {
    const created = 1700000000;
    return {
      object: 'list' as const,
      data: (accessGroups ? [...this.groups.access.keys()] : this.groups.visible()).map((id) => ({ id, object: 'model' as const, created, owned_by: 'edge-llm-router' })),
    };
  }

  /** GET /health: one small call to each deployment (of one model group with `model`), shared for a few seconds. */
  health(model?: string) {
    const group = model === undefined ? undefined : this.groups.resolve(model);
    const deployments = group === undefined ? [...this.deployments.values()] : this.groups.deployments(group);
    return this.healthChecker.check(group ?? '', deployments);
  }

  /** GET /provider/budgets: each provider_budget_config entry with its spend this period. */
  async providerBudgets(): Promise<{ providers: Record<string, ProviderBudget> }> {
    return { providers: await providerBudgets(this.options, this.accounts!, this.now()) };
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
   * stream_failure: continue, for an attempt streaming from `d`: what the relay needs to continue its answer
   * elsewhere if it is cut (undefined: today's error event), in the stream's format (`splicer`), the rest asked of
   * each next deployment by `rest`. A continuation is not continued in turn.
   */
  private continuation(d: Deployment, job: Continued, s: Splicer, rest: Rest): Continuation {
    return { transcript: s.transcript, resume: (cut) => this.resume(s, rest, d, job, cut) };
  }

  private continues(job: Continued): boolean {
    return this.options.stream_failure === 'continue' && !job.after;
  }

  /** A chat stream's continuation (not for n > 1); `cap`: the request was translated from Messages or Responses. */
  private chatContinuation(request: ChatRequest, d: Deployment, job: Continued, params?: Record<string, unknown>, cap = false) {
    if (!this.continues(job)) return undefined;
    const base = params ? { ...request, ...params } : request;
    if ((base.n ?? 1) > 1) return undefined;
    return this.continuation(d, job, chatSplicer(), (next, prefill, a) => this.chatRest(prefilled(base, prefill).body, next, a, cap));
  }

  /**
   * A passed-through Messages or Responses stream's continuation: the rest passed through to a deployment that
   * speaks the API (asked to go on from the prefill), else translated from its chat chunks; spliced in the API's events.
   */
  private apiContinuation<B extends InboundRequest>(api: InboundApi<B>, request: B, d: Deployment, job: Continued, ctx: ApiContext, opts: CallOptions) {
    if (!api.splicer || !this.continues(job)) return undefined;
    const splicer = api.splicer(request, (answer) => api.remember?.(request, answer, ctx));
    return this.continuation(d, job, splicer, async (next, prefill, a) => {
      const native = next.provider.passthrough?.[api.native];
      if (!native || !(api.nativeFor?.(next) ?? true)) {
        const chunks = await this.chatRest(prefilled(api.toChat(request), prefill).body, next, a, true);
        return chunks.pipeThrough(api.fromChatStream(request, a.job.estTokens, () => {}));
      }
      const startedAt = this.now();
      const body = { ...api.prefilled!(request, prefill), model: next.upstreamModel };
      const res = await native({ deployment: next, body, signal: a.signal, fetch: this.fetch, headers: opts.upstreamHeaders ?? {} });
      return this.relay(res.body ?? new ReadableStream(), next, a.job, startedAt, a.abort, a.book, a.deadline, api.dialect(request));
    });
  }

  /**
   * The rest of a cut answer: the request loop again from the cut deployment's group (the cut counts as its failed
   * attempt: a retry elsewhere, then fallbacks), among deployments that take a prefill, asked to go on from the text
   * so far; its events spliced in as the same answer. Undefined when none could start (the request is then logged
   * as failed with the cut's error, and the client gets the error event).
   */
  private async resume(s: Splicer, rest: Rest, cutOn: Deployment, job: Continued, cut: RouterError): Promise<ReadableStream<Uint8Array> | undefined> {
    const log = job.log;
    const t = s.transcript;
    if (t.finished && s.end) {
      this.logger.finish(log, undefined, {}, job.defer);
      return s.end();
    }
    const prior = log.usage;
    // Anthropic refuses a prefill ending in whitespace; the client has it, so the splice does not send it twice.
    const prefill = t.text.trimEnd();
    const next: Job<ReadableStream<Uint8Array>> = {
      model: isPattern(cutOn.group) ? job.model : cutOn.group,
      stream: true,
      estTokens: job.estTokens + estimateTokens(t.text),
      controls: job.controls,
      affinity: job.affinity,
      signal: job.signal,
      defer: job.defer,
      log,
      after: { group: cutOn.group, deploymentId: cutOn.id, error: cut },
      accepts: takesPrefill,
      attempt: async (d, signal, abort, book, params, deadline) => ({ value: await rest(d, prefill, { job: next, signal, abort, book, params, deadline }), settled: true }),
    };
    try {
      const { value } = await this.loop.run(next);
      return value.pipeThrough(s.splice(prior, prefill.length < t.text.length));
    } catch {
      return undefined;
    }
  }

  /** A continuation's chat stream from `d`, relayed; `cap`: max_tokens within the deployment's max_output_tokens. */
  private async chatRest(body: ChatRequest, d: Deployment, a: RestAttempt, cap = false): Promise<ReadableStream<Uint8Array>> {
    const upstreamBody = applyParamPolicy({ ...body, ...a.params, model: d.upstreamModel }, d, CHAT_PARAMS, this.options.drop_params);
    const startedAt = this.now();
    const controls = a.job.controls;
    const result = await d.provider.chat({ deployment: d, body: cap ? capped(upstreamBody, d) : upstreamBody, signal: a.signal, fetch: this.fetch, controls });
    if (result.kind !== 'stream') throw new RouterError('InternalServerError', `${d.provider.name} answered a streamed request with JSON`);
    return this.relay(result.stream, d, a.job, startedAt, a.abort, a.book, a.deadline, result.dialect);
  }

  /**
   * Relays an attempt's stream (OpenAI chunks unless a dialect says otherwise): the attempt succeeds once the
   * first chunk is in; its outcome is booked, and the request logged, when the stream ends.
   */
  private relay(
    stream: ReadableStream<Uint8Array>,
    d: Deployment,
    job: Pick<Job<unknown>, 'estTokens' | 'log' | 'defer' | 'signal' | 'after'>,
    startedAt: number,
    abort: (r: RouterError) => void,
    book: Booker,
    deadline: Deadline,
    dialect?: StreamDialect,
    continuation?: Continuation,
    stage?: GuardStage,
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
      continuation,
      stages: stage && [stage],
      onEnd: (o) => {
        const usage = o.usage ?? estimatedUsage(job.estTokens, o.contentChars);
        // A client that left says nothing about the deployment: only its usage is booked; nor does a guardrail's block.
        const ok = o.ok || o.error?.final === true;
        book(o.cancelled ? { ok: false, usage, latencyMs: o.latencyMs } : { ok, error: ok ? undefined : o.error, usage, latencyMs: o.latencyMs, ttftMs: o.ttftMs });
        const cost = this.cost(d.id, usage);
        const log = job.log;
        if (o.continuing) {
          // The answer goes on elsewhere: its continuation's end logs the request, with both calls' usage and cost.
          Object.assign(log, { usage, cost, ttftMs: o.ttftMs, continuedFrom: d.id });
          return;
        }
        const error = o.ok || o.cancelled ? undefined : o.error;
        // A stream's cost is known when it ends, abandoned or not: callbacks (and key spend) book it then.
        if (!job.after) return this.logger.finish(log, error, { usage, ttftMs: o.ttftMs, cost }, job.defer);
        const total = log.cost === undefined && cost === undefined ? undefined : (log.cost ?? 0) + (cost ?? 0);
        this.logger.finish(log, error, { usage: addUsage(log.usage, usage), cost: total }, job.defer);
      },
    });
  }

  /** A stream's guard stage, or (none needed) its continuation: a continued stream's rest would pass its guardrails unchecked. */
  private guardedOr(guard: RequestGuard | undefined, continuation: () => Continuation | undefined): [Continuation | undefined, GuardStage | undefined] {
    const stage = guard?.stage();
    return [stage ? undefined : continuation(), stage];
  }

  /** The request's guardrails (src/guardrails/), their pre_call run on its body, their refusal completing its record. */
  private async guard(controls: GatewayControls, opts: CallOptions, log: RequestLog, defer: Defer, body: object): Promise<RequestGuard | undefined> {
    const guard = this.guardrails.open(controls.guardrails, opts.guardrails, log, (e) => this.logger.finish(log, e, {}, defer));
    await guard?.input(body, opts.signal);
    return guard;
  }

  private cost(deploymentId: string, usage?: Usage): number | undefined {
    return costOf(this.deployments.get(deploymentId)?.info, usage);
  }
}

/** What a continuation takes over from the request it continues. */
type Continued = Pick<Job<unknown>, 'model' | 'estTokens' | 'controls' | 'affinity' | 'signal' | 'defer' | 'log' | 'after'>;
const doesNotServe = (d: Deployment, route: Route) => new RouterError('BadRequestError', `Deployment ${d.id} (${d.provider.name}) does not serve ${route}`);

/** One attempt of a continuation, as the loop gives it. */
interface RestAttempt {
  job: Job<ReadableStream<Uint8Array>>;
  signal: AbortSignal;
  abort: (r: RouterError) => void;
  book: Booker;
  params: Record<string, unknown> | undefined;
  deadline: Deadline;
}

/** The rest of a cut answer from deployment `d`, asked to go on from `prefill`: its stream in the client's format. */
type Rest = (d: Deployment, prefill: string, a: RestAttempt) => Promise<ReadableStream<Uint8Array>>;

/**
 * Clients of Messages and Responses ask for as many tokens as their usual model allows (Claude Code: 32000); a
 * deployment whose model_info says it gives fewer is asked for what it gives, not refused.
 */
function capped(body: ChatRequest, d: Deployment): ChatRequest {
  const cap = d.info.max_output_tokens;
  if (cap !== undefined && typeof body.max_tokens === 'number' && body.max_tokens > cap) body.max_tokens = cap;
  return body;
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
