// The HTTP surface: OpenAI-compatible routes over the Router, LiteLLM's health probes, master-key auth.
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Env } from './env';
import type { Gateway, GatewayOptions } from './gateway';
import { gatewayFor } from './gateway';
import { callerScope } from './cache/key';
import { presentedKey, requireMasterKey } from './http/auth';
import { litellmHeaders } from './http/headers';
import { dashboardPage, observabilityRoutes } from './observability/routes';
import { badRequest, RouterError } from './router/errors';
import type { ApiResult, CallOptions } from './router/router';
import { anthropicErrorResponse } from './api/messages/errors';
import { SSE_HEADERS } from './stream/sse';
import { logLine } from './security/scrub';

type AppEnv = { Bindings: Env; Variables: { gateway: Extract<Gateway, { ok: true }>; requestId: string } };

export function createApp(options: GatewayOptions = {}) {
  const app = new Hono<AppEnv>();

  app.onError((err, c) => {
    // Anthropic's clients read errors in Anthropic's shape, from the gateway itself too (auth, JSON, unknown model).
    const render = (e: RouterError) => (isMessagesRoute(c.req.path) ? anthropicErrorResponse(e) : e.toResponse());
    if (err instanceof RouterError) return render(err);
    logLine('error', { msg: 'unhandled', error: err instanceof Error ? `${err.name}: ${err.message}` : 'unknown' });
    return render(new RouterError('InternalServerError', 'Internal error in the gateway'));
  });
  app.notFound((c) => {
    const err = new RouterError('NotFoundError', `Unknown route: ${c.req.method} ${new URL(c.req.url).pathname}`, { code: 'unknown_route' });
    return isMessagesRoute(c.req.path) ? anthropicErrorResponse(err) : err.toResponse();
  });

  // Liveness says the isolate runs, whatever the config; readiness says it can serve.
  app.get('/health/liveliness', (c) => c.json("I'm alive!"));

  app.use('*', async (c, next) => {
    const gateway = gatewayFor(c.env ?? {}, options);
    if (!gateway.ok) throw gateway.error;
    c.set('gateway', gateway);
    c.set('requestId', c.req.header('x-request-id') ?? crypto.randomUUID());
    await next();
  });

  app.get('/health/readiness', (c) => c.json({ status: 'healthy', models: c.var.gateway.router.groups.names().length }));
  // The page shell is open (a browser cannot send a key on navigation); its data needs the key.
  app.get('/dashboard', dashboardPage);

  app.use('*', requireMasterKey<AppEnv>((c) => c.var.gateway.masterKey));

  const chat = async (c: Context<AppEnv>) => {
    const { router } = c.var.gateway;
    const result = await router.completion(await readJson(c), await callOptions(c));
    const headers = litellmHeaders(result.meta, c.var.requestId);
    if (result.kind === 'stream') return new Response(result.stream, { headers: { ...SSE_HEADERS, ...headers } });
    return c.json(result.body, 200, headers);
  };
  app.post('/v1/chat/completions', chat);
  app.post('/chat/completions', chat);

  const embeddings = async (c: Context<AppEnv>) => {
    const result = await c.var.gateway.router.embedding(await readJson(c), await callOptions(c));
    return c.json(result.body, 200, litellmHeaders(result.meta, c.var.requestId));
  };
  app.post('/v1/embeddings', embeddings);
  app.post('/embeddings', embeddings);

  // Anthropic's Messages API and OpenAI's Responses API, through the same Router (src/api/).
  const messages = async (c: Context<AppEnv>) => {
    const result = await c.var.gateway.router.messages(await readJson(c), await callOptions(c, anthropicHeaders(c)));
    return apiResponse(result, litellmHeaders(result.meta, c.var.requestId));
  };
  app.post('/v1/messages', messages);
  app.post('/messages', messages);

  const countTokens = async (c: Context<AppEnv>) => {
    const count = await c.var.gateway.router.countTokens(await readJson(c), await callOptions(c, anthropicHeaders(c)));
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-litellm-model-group': count.group };
    if (count.deploymentId) headers['x-litellm-model-id'] = count.deploymentId;
    if (count.estimated) headers['x-litellm-token-count'] = 'estimated';
    return new Response(count.text, { headers });
  };
  app.post('/v1/messages/count_tokens', countTokens);
  app.post('/messages/count_tokens', countTokens);

  const responses = async (c: Context<AppEnv>) => {
    const result = await c.var.gateway.router.responses(await readJson(c), await callOptions(c));
    return apiResponse(result, litellmHeaders(result.meta, c.var.requestId));
  };
  app.post('/v1/responses', responses);
  app.post('/responses', responses);

  const models = (c: Context<AppEnv>) => c.json(c.var.gateway.router.listModels());
  app.get('/v1/models', models);
  app.get('/models', models);

  app.get('/v1/router/state', async (c) => c.json(await c.var.gateway.router.stateReport()));
  app.route('/', observabilityRoutes);

  return app;
}

async function readJson(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  try {
    return await c.req.json();
  } catch {
    throw badRequest('We could not parse the JSON body of your request. Send a JSON object with Content-Type: application/json.', null, 'invalid_json');
  }
}

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

async function callOptions(c: Context<AppEnv>, upstreamHeaders?: Record<string, string>): Promise<CallOptions> {
  let waitUntil: CallOptions['waitUntil'];
  try {
    const ctx = c.executionCtx;
    waitUntil = (p) => ctx.waitUntil(p);
  } catch {
    // No execution context (plain app.request in a unit test): bookkeeping runs unawaited.
  }
  // The caller is whoever holds the key that passed auth; with no master key, anyone (one shared scope).
  const key = c.var.gateway.masterKey ? presentedKey((name) => c.req.header(name)) : undefined;
  return {
    signal: c.req.raw.signal,
    waitUntil,
    requestId: c.var.requestId,
    cacheControl: c.req.header('cache-control'),
    callerScope: key === undefined ? undefined : await callerScope(key),
    upstreamHeaders,
  };
}


