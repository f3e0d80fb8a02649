// The HTTP surface: OpenAI-compatible routes over the Router, LiteLLM's health probes, master-key auth.
import type { Context } from 'hono';
import { Hono } from 'hono/tiny';
import type { Env } from './env';
import type { Gateway, GatewayOptions } from './gateway';
import { gatewayFor } from './gateway';
import { callerScope } from './cache/key';
import { presentedKey } from './http/auth';
import { callId, callTiming, headerTags, litellmHeaders } from './http/headers';
import { proxyInfoRoutes } from './http/proxy-info';
import { tokenCounterRoutes } from './http/token-counter';
import { SPEND_ROUTES, spendForward } from './spend/forward';
import { ADMIN_ROUTES } from './keys/admin-routes';
import { adminForward } from './keys/admin-forward';
import { modelRoutes } from './models/routes';
import type { KeyedEnv } from './keys/auth';
import { admitKey, authenticate, fallbackModels, visibleModels } from './keys/auth';
import { aliasedModel } from './keys/aliases';
import type { Admission } from './keys/service';
import { NO_KEY } from './keys/service';
import type { BodyVars } from './http/body';
import { bounded, jsonBody, readBody } from './http/body';
import { readUpload, UPLOADS } from './http/upload';
import { namedModel, PASS_THROUGH, passThrough } from './http/pass-through';
import { ENDPOINTS } from './providers/openai';
import { dashboardPage, observabilityRoutes } from './observability/routes';
import { RouterError } from './router/errors';
import type { ApiResult, CallOptions } from './router/router';
import { estimateTokens } from './router/request';
import { anthropicErrorResponse } from './api/messages/errors';
import { SSE_HEADERS } from './stream/sse';
import { logLine } from './security/scrub';
import { MAX_NAME_LENGTH } from './schema/common';
import { tooLong } from './schema/issues';
import type { TraceContext } from './observability/events';
import { traceFrom, traceparentOf } from './observability/otel/traceparent';

const JSON_TYPE = { 'content-type': 'application/json' } as const;

type AppEnv = {
  Bindings: Env;
  Variables: KeyedEnv['Variables'] & BodyVars & { requestId: string; startedAt: number; trace?: TraceContext };
};

export function createApp(options: GatewayOptions = {}) {
  // hono/tiny (PatternRouter), not Hono's default RegExpRouter, here and in every sub-app: the default compiles
  // every route into one expression on an isolate's first request (about 5 ms of each cold start here), matches
  // no faster for a few dozen routes, and weighs ~3 KiB gzip more.
  const app = new Hono<AppEnv>();

  app.onError(errorResponse);
  app.notFound((c) => {
    const err = new RouterError('NotFoundError', `Unknown route: ${c.req.method} ${new URL(c.req.url).pathname}`, { code: 'unknown_route' });
    return isMessagesRoute(c.req.path) ? anthropicErrorResponse(err) : err.toResponse();
  });

  // Liveness says the isolate runs, whatever the config; readiness says it can serve.
  app.get('/health/liveliness', (c) => c.json("I'm alive!"));
  app.get('/health/liveness', (c) => c.json("I'm alive!"));

  // One middleware for every other route (each one Hono composes costs a turn per request): the call's timing
  // and id, the isolate's gateway, then the master key or a virtual key (src/keys/), except on the open routes,
  // then the body, read and bounded once before any route parses it (src/http/body.ts).
  const auth = authenticate<AppEnv>();
  app.use('*', (c, next) =>
    callTiming(c, async () => {
      try {
        c.set('requestId', callId((name) => c.req.header(name)));
        // A promise only for an isolate's first requests (the price table is read first).
        let gateway = gatewayFor(c.env ?? {}, options, (p) => c.executionCtx.waitUntil(p));
        if (gateway instanceof Promise) gateway = await gateway;
        if (!gateway.ok) throw gateway.error;
        c.set('gateway', gateway);
        if (gateway.observability.tracing) c.set('trace', traceFrom(c.req.header('traceparent')));
        // next() never throws (Hono answers a route's error with onError); this catches the config's and auth's.
        await (OPEN_ROUTES.has(c.req.path) ? next() : auth(c, async () => {
          if (!readsOwnBody(c.req.path)) await readBody(c);
          routeModel(c);
          await next();
        }));
      } catch (err) {
        c.res = errorResponse(err, c);
      }
      const trace = c.get('trace');
      if (trace) c.res.headers.set('traceparent', traceparentOf(trace));
    }),
  );

  app.get('/health/readiness', (c) => c.json({ status: 'healthy', models: c.get('gateway').router.groups.names().length }));
  // The page shell is open (a browser cannot send a key on navigation); its data needs the key.
  app.get('/dashboard', dashboardPage);

  const chat = async (c: Context<AppEnv>) => {
    const { router } = c.get('gateway');
    const body = jsonBody(c);
    const key = await admitKey(c, admitted(body), () => estimateTokens(fields(body).messages), 'chat', fields(body).max_completion_tokens ?? fields(body).max_tokens);
    const result = await key.run(async () => router.completion(body as Record<string, unknown>, await callOptions(c, key)));
    // One headers object, built once (no spreads): LiteLLM's, the key's, the body's type.
    const headers = Object.assign(litellmHeaders(result.meta, c.get('requestId'), c.get('startedAt')), key.headers);
    if (result.kind === 'stream') return new Response(result.stream, { headers: Object.assign(headers, SSE_HEADERS) });
    // The upstream's own bytes when the answer passed through unchanged: not serialised again.
    if (result.text !== undefined) return new Response(result.text, { headers: Object.assign(headers, JSON_TYPE) });
    return c.json(result.body, 200, headers);
  };
  app.post('/v1/chat/completions', chat);
  app.post('/chat/completions', chat);

  const embeddings = async (c: Context<AppEnv>) => {
    const body = jsonBody(c);
    const key = await admitKey(c, admitted(body), () => estimateTokens(fields(body).input), 'embeddings');
    const result = await key.run(async () => c.get('gateway').router.embedding(body as Record<string, unknown>, await callOptions(c, key)));
    return c.json(result.body, 200, { ...litellmHeaders(result.meta, c.get('requestId'), c.get('startedAt')), ...key.headers });
  };
  app.post('/v1/embeddings', embeddings);
  app.post('/embeddings', embeddings);

  // Anthropic's Messages API and OpenAI's Responses API, through the same Router (src/api/).
  const messages = async (c: Context<AppEnv>) => {
    const body = jsonBody(c);
    const key = await admitKey(c, admitted(body), () => estimateTokens(fields(body).messages), 'messages', fields(body).max_tokens);
    const result = await key.run(async () => c.get('gateway').router.messages(body, await callOptions(c, key, anthropicHeaders(c))));
    return apiResponse(result, { ...litellmHeaders(result.meta, c.get('requestId'), c.get('startedAt')), ...key.headers });
  };
  app.post('/v1/messages', messages);
  app.post('/messages', messages);

  const countTokens = async (c: Context<AppEnv>) => {
    const body = jsonBody(c);
    // Not routed and free upstream, but a virtual key must still be allowed the model.
    const key = await admitKey(c, admitted(body), () => 0, 'messages');
    const count = await key.run(async () => c.get('gateway').router.countTokens(body, await callOptions(c, key, anthropicHeaders(c))));
    // Nothing upstream is billed for it: what the admission reserved (a budget's estimate, a parallel slot) goes back.
    key.free();
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-litellm-model-group': count.group, ...key.headers };
    if (count.deploymentId) headers['x-litellm-model-id'] = count.deploymentId;
    if (count.estimated) headers['x-litellm-token-count'] = 'estimated';
    return new Response(count.text, { headers });
  };
  app.post('/v1/messages/count_tokens', countTokens);
  app.post('/messages/count_tokens', countTokens);

  const responses = async (c: Context<AppEnv>) => {
    const body = jsonBody(c);
    const key = await admitKey(c, admitted(body), () => estimateTokens(fields(body).input), 'responses', fields(body).max_output_tokens);
    const result = await key.run(async () => c.get('gateway').router.responses(body, await callOptions(c, key)));
    return apiResponse(result, { ...litellmHeaders(result.meta, c.get('requestId'), c.get('startedAt')), ...key.headers });
  };
  app.post('/v1/responses', responses);
  app.post('/responses', responses);

  // Each route at /v1/<path> and /<path>, as OpenAI's clients and LiteLLM's proxy take them.
  const post = (path: string, route: (c: Context<AppEnv>) => Promise<Response>) => app.post(`/v1/${path}`, route).post(`/${path}`, route);

  const completions = async (c: Context<AppEnv>) => {
    const body = jsonBody(c);
    const key = await admitKey(c, admitted(body), () => estimateTokens(fields(body).prompt), 'completions');
    const result = await key.run(async () => c.get('gateway').router.textCompletion(body, await callOptions(c, key)));
    return apiResponse(result, { ...litellmHeaders(result.meta, c.get('requestId'), c.get('startedAt')), ...key.headers });
  };
  post('completions', completions);
  // Azure OpenAI clients (`api-key` header; `?api-version=` is not needed here): the path's deployment is the model.
  for (const [path, route] of [['chat/completions', chat], ['embeddings', embeddings], ['completions', completions]] as const) app.post(`/openai/deployments/:d/${path}`, route);

  // Rerank, moderations, images and audio: passed through to deployments that serve them (src/router/router.ts forward).
  for (const endpoint of ENDPOINTS) {
    post(endpoint, async (c) => {
      const field = UPLOADS[endpoint];
      const body = field ? await readUpload(c.req.raw, field) : admitted(jsonBody(c));
      const key = await admitKey(c, body instanceof FormData ? { model: body.get('model') } : body, () => 0, endpoint);
      const { body: answer, type, meta } = await key.run(async () => c.get('gateway').router.forward(endpoint, body, await callOptions(c, key)));
      return new Response(answer, { headers: { ...litellmHeaders(meta, c.get('requestId'), c.get('startedAt')), ...key.headers, 'content-type': type } });
    });
  }

  // Realtime: authenticated (a header, or the browser's `openai-insecure-api-key.` subprotocol) before any dialling.
  const realtime = async (c: Context<AppEnv>) => {
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') throw new RouterError('BadRequestError', 'GET /v1/realtime takes a WebSocket upgrade', { status: 426, code: 'upgrade_required' });
    const model = c.req.query('model');
    const key = await admitKey(c, { model }, () => 0, 'realtime');
    const { socket, meta } = await key.run(async () => c.get('gateway').router.realtime(model, await callOptions(c, key)));
    const headers = new Headers(litellmHeaders(meta, c.get('requestId'), c.get('startedAt')));
    // The protocol the client offered beside its key, never the key's own.
    if (/(^|[\s,])realtime([\s,]|$)/.test(c.req.header('sec-websocket-protocol') ?? '')) headers.set('sec-websocket-protocol', 'realtime');
    return new Response(null, { status: 101, webSocket: socket, headers });
  };
  app.get('/v1/realtime', realtime).get('/realtime', realtime);

  // Provider pass-through (src/http/pass-through.ts). /openai/deployments/* is left to the Azure-style routes.
  const passThroughRoute = async (c: Context<AppEnv>, next: () => Promise<void>) => {
    if (c.req.path.startsWith('/openai/deployments/')) return next();
    // The body within the gateway's limit, as sent; a virtual key is held to its models and budget where the
    // request names a model, and the answer's usage is booked (its spend, callbacks, metrics) when it ends.
    const bytes = c.req.raw.body ? await bounded(c.req.raw).arrayBuffer() : undefined;
    const model = namedModel(c.req.path, bytes);
    const key = await admitKey(c, { model }, () => 0);
    const { router } = c.get('gateway');
    const opts = await callOptions(c, key);
    return key.run(() =>
      passThrough(c, router.deployments.values(), router.fetcher, bytes, model, (status, spent) => {
        const error = status < 400 ? undefined : new RouterError(status >= 500 ? 'InternalServerError' : 'BadRequestError', `Pass-through answered ${status}`, { status });
        router.refused('pass_through', model ?? c.req.path, error, opts, spent);
      }),
    );
  };
  for (const p of PASS_THROUGH.source.match(/\w+/g)!) app.all(`/${p}/*`, passThroughRoute);

  const models = (c: Context<AppEnv>) => c.json(visibleModels(c, c.get('gateway').router.listModels(c.req.query('only_model_access_groups') === 'true')));
  app.get('/v1/models', models);
  app.get('/models', models);

  app.get('/v1/router/state', async (c) => c.json(await c.get('gateway').router.stateReport()));
  app.get('/provider/budgets', async (c) => c.json(await c.get('gateway').router.providerBudgets()));
  app.route('/', observabilityRoutes);
  app.route('/', proxyInfoRoutes);
  app.route('/', tokenCounterRoutes);
  // Answered by the companion Worker, the caller authenticated here (src/http/companion.ts).
  app.on('GET', SPEND_ROUTES, spendForward);
  app.on(['GET', 'POST'], ADMIN_ROUTES, adminForward);
  app.route('/', modelRoutes);

  return app;
}

/**
 * The model a body names as it is routed: an Azure-style path's deployment (it wins over the body's, as in
 * LiteLLM), then the calling virtual key's aliases (its own `aliases`, then its team's `model_aliases`).
 */
function routeModel(c: Context<AppEnv>) {
  const body = c.var.body as Record<string, unknown> | undefined;
  if (typeof body !== 'object' || body === null) return;
  const deployment = /^\/openai\/deployments\/([^/]+)\//.exec(c.req.path);
  if (deployment) body.model = decodeURIComponent(deployment[1]);
  const key = c.var.virtualKey;
  if (key && typeof body.model === 'string') body.model = aliasedModel(key.entry, body.model);
}

/** A body's fields before the router has checked it (any JSON value may arrive). */
const fields = (body: unknown) => (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;

/**
 * What a virtual key is checked against: the body's `model` and its own `fallbacks`, each name bounded before
 * anything resolves or logs it (a pattern group takes any name).
 */
function admitted(body: unknown): Record<string, unknown> {
  const f = fields(body);
  if (typeof f.model === 'string' && f.model.length > MAX_NAME_LENGTH) throw tooLong('model', f.model, MAX_NAME_LENGTH);
  if (Array.isArray(f.fallbacks)) {
    f.fallbacks.forEach((entry, i) => {
      const long = fallbackModels([entry]).find((name) => name.length > MAX_NAME_LENGTH);
      if (long) throw tooLong(`fallbacks[${i}]`, long, MAX_NAME_LENGTH);
    });
  }
  return f;
}

/** Any failure as the client's API reads it: Anthropic's shape on the Messages routes, OpenAI's elsewhere. */
function errorResponse(err: unknown, c: Context): Response {
  const render = (e: RouterError) => (isMessagesRoute(c.req.path) ? anthropicErrorResponse(e) : e.toResponse());
  if (err instanceof RouterError) return render(err);
  logLine('error', { msg: 'unhandled', error: err instanceof Error ? `${err.name}: ${err.message}` : 'unknown' });
  return render(new RouterError('InternalServerError', 'Internal error in the gateway'));
}

/** Routes that need a working config but no key. */
const OPEN_ROUTES = new Set(['/health/readiness', '/dashboard']);

/** Routes that read their own body, within their own limits: multipart uploads, and pass-through's bytes as sent. */
const OWN_BODY = new RegExp(`^(/v1)?/(${Object.keys(UPLOADS).join('|')})$|${PASS_THROUGH.source}`);
const readsOwnBody = (path: string) => OWN_BODY.test(path) && !path.startsWith('/openai/deployments/');

const isMessagesRoute = (path: string) => /^(\/v1)?\/messages(\/|$)/.test(path);

/** What a passed-through Anthropic call takes from the client: its API version and beta flags. */
function anthropicHeaders(c: Context<AppEnv>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['anthropic-version', 'anthropic-beta']) {
    const value = c.req.header(name);
    if (value) out[name] = value;
  }
  return out;
}

function apiResponse(result: ApiResult, headers: Record<string, string>): Response {
  if (result.kind === 'stream') return new Response(result.stream, { headers: { ...SSE_HEADERS, ...headers } });
  return new Response(result.text, { headers: { 'content-type': 'application/json', ...headers } });
}

async function callOptions(c: Context<AppEnv>, key: Admission = NO_KEY, upstreamHeaders?: Record<string, string>): Promise<CallOptions> {
  let waitUntil: CallOptions['waitUntil'];
  try {
    const ctx = c.executionCtx;
    waitUntil = (p) => ctx.waitUntil(p);
  } catch {
    // No execution context (plain app.request in a unit test): bookkeeping runs unawaited.
  }
  // The caller is whoever holds the key that passed auth (a virtual key's scope is its hash, or its team);
  // with no master key, anyone (one shared scope).
  const presented = c.get('gateway').masterKey ? presentedKey((name) => c.req.header(name)) : undefined;
  return {
    signal: c.req.raw.signal,
    waitUntil,
    requestId: c.get('requestId'),
    cacheControl: c.req.header('cache-control'),
    callerScope: key.scope ?? (presented === undefined ? undefined : await callerScope(presented)),
    caller: key.tag,
    trace: c.get('trace'),
    admission: key === NO_KEY ? undefined : key,
    tags: headerTags(c.req.header('x-litellm-tags')),
    upstreamHeaders,
    session: sessionHeader(c),
    guardrails: key.guardrails,
  };
}

/** A session the client names in a header: LiteLLM's, Claude Code's, Codex CLI's (for affinity; a name's bound, as in the body). */
function sessionHeader(c: Context<AppEnv>): string | undefined {
  for (const name of SESSION_HEADERS) {
    const value = c.req.header(name);
    if (value) return value.length <= MAX_NAME_LENGTH ? value : undefined;
  }
  return undefined;
}

const SESSION_HEADERS = ['x-litellm-session-id', 'x-claude-code-session-id', 'session_id'] as const;


