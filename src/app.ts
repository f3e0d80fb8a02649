// The HTTP surface: OpenAI-compatible routes over the Router, LiteLLM's health probes, master-key auth.
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Env } from './env';
import type { Gateway, GatewayOptions } from './gateway';
import { gatewayFor } from './gateway';
import { callerScope } from './cache/key';
import { presentedKey, requireMasterKey } from './http/auth';
import { readJsonBody } from './http/body';
import { litellmHeaders } from './http/headers';
import { dashboardPage, observabilityRoutes } from './observability/routes';
import { RouterError } from './router/errors';
import type { CallOptions } from './router/router';
import { SSE_HEADERS } from './stream/sse';
import { scrub } from './providers/http';

type AppEnv = { Bindings: Env; Variables: { gateway: Extract<Gateway, { ok: true }>; requestId: string } };

export function createApp(options: GatewayOptions = {}) {
  const app = new Hono<AppEnv>();

  app.onError((err, c) => {
    if (err instanceof RouterError) return err.toResponse();
    console.error(JSON.stringify({ level: 'error', msg: 'unhandled', error: err instanceof Error ? scrub(`${err.name}: ${err.message}`) : 'unknown' }));
    return new RouterError('InternalServerError', 'Internal error in the gateway').toResponse();
  });
  app.notFound((c) =>
    new RouterError('NotFoundError', `Unknown route: ${c.req.method} ${new URL(c.req.url).pathname}`, { code: 'unknown_route' }).toResponse(),
  );

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

  const models = (c: Context<AppEnv>) => c.json(c.var.gateway.router.listModels());
  app.get('/v1/models', models);
  app.get('/models', models);

  app.get('/v1/router/state', async (c) => c.json(await c.var.gateway.router.stateReport()));
  app.route('/', observabilityRoutes);

  return app;
}

// Any JSON value: the router checks its shape.
const readJson = (c: Context<AppEnv>) => readJsonBody(c.req.raw) as Promise<Record<string, unknown>>;

async function callOptions(c: Context<AppEnv>): Promise<CallOptions> {
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
  };
}


