// Who is calling: the master key (everything), a virtual key (the model routes and its own /key/info), or,
// with no master key configured, anyone (as before virtual keys). Replaces the master-key-only guard.
import type { Context, MiddlewareHandler } from 'hono';
import type { Gateway } from '../gateway';
import { keyMatches, presentedKey } from '../http/auth';
import type { BodyVars } from '../http/body';
import { RouterError } from '../router/errors';
import type { Defer } from '../state/store';
import { deferrer } from '../router/request-log';
import type { RequestLog } from '../observability/events';
import { modelRefusal } from './policy';
import { unknownKey } from './refusal';
import type { Admission, AuthedKey } from './service';
import { callerTag, NO_KEY } from './service';

export type KeyedEnv = { Variables: BodyVars & { gateway: Extract<Gateway, { ok: true }>; virtualKey?: AuthedKey } };

/**
 * The routes a virtual key may call (LiteLLM's openai_routes, and /key/info about itself); every other route
 * takes the master key. A model route is listed here only once it calls admitKey(): listed without it, a
 * key's models, limits and budget would not hold there.
 */
export const VIRTUAL_KEY_ROUTES = new Set([
  '/v1/chat/completions', '/chat/completions', '/v1/embeddings', '/embeddings', '/v1/messages', '/messages',
  '/v1/messages/count_tokens', '/messages/count_tokens', '/v1/responses', '/responses', '/v1/models', '/models', '/key/info',
]);

/** The request's waitUntil as a Defer (bookkeeping that never holds up the response). */
export function deferOf(c: Context): Defer {
  let waitUntil: ((p: Promise<unknown>) => void) | undefined;
  try {
    const ctx = c.executionCtx;
    waitUntil = (p) => ctx.waitUntil(p);
  } catch {
    // No execution context (app.request in a unit test): bookkeeping runs unawaited.
  }
  return deferrer(waitUntil);
}

export function authenticate<E extends KeyedEnv>(): MiddlewareHandler<E> {
  return async (c, next) => {
    const { masterKey, keys } = c.get('gateway');
    if (!masterKey) return next();
    const given = presentedKey((name) => c.req.header(name));
    if (!given) throw new RouterError('AuthenticationError', 'Missing API key: send Authorization: Bearer <key>', { code: 'missing_api_key' });
    if (keyMatches(given, masterKey)) return next();
    // Only keys this gateway could have issued are looked up: anything else is refused as before, at no cost.
    if (!keys || !given.startsWith('sk-')) throw unknownKey();
    const key = await keys.authenticate(given, deferOf(c));
    const path = new URL(c.req.url).pathname;
    if (!VIRTUAL_KEY_ROUTES.has(path)) {
      throw new RouterError('AuthenticationError', `Only the master key can call ${c.req.method} ${path}; this virtual key may call the model routes and /key/info`, {
        type: 'auth_error',
        code: '401',
      });
    }
    c.set('virtualKey', key);
    return next();
  };
}

/**
 * Enforcement for one model request, for any route: the key's model access, rate limits, parallel requests
 * and budgets, with the requested `model` (aliases are resolved here) and an estimate of its prompt tokens.
 * Throws the refusal; otherwise run the call through `admission.run()` and add `admission.headers`.
 * The master key (or an open gateway) gets an admission that does nothing.
 */
export async function admitKey<E extends KeyedEnv>(
  c: Context<E>,
  /** The request's body as it came (any JSON object): its `model` and its own `fallbacks` are checked. */
  body: Record<string, unknown>,
  /** Called only for a virtual key: the master key's requests do not pay for an estimate they would not use. */
  estTokens: () => number,
  call: RequestLog['call'] = 'chat',
  /** The request's own cap on output tokens (max_tokens, max_output_tokens): a new key's budget reserves it. */
  maxTokens?: unknown,
): Promise<Admission> {
  const key = c.get('virtualKey');
  const { keys, router } = c.get('gateway');
  if (!key || !keys) return NO_KEY;
  const requested = typeof body.model === 'string' ? body.model : undefined;
  const defer = deferOf(c);
  try {
    return await keys.admit(key, requested, estTokens(), defer, maxTokens, fallbackModels(body.fallbacks));
  } catch (e) {
    // Metrics, logs and the dashboard's errors see the refusal, with the key's alias and team.
    if (e instanceof RouterError) {
      router.refused(call, requested ?? 'unknown', e, { requestId: c.req.header('x-request-id'), waitUntil: defer, caller: callerTag(key.entry) });
    }
    throw e;
  }
}

/**
 * Every model a request's own `fallbacks` could call, in each form LiteLLM takes: names, `{"model": ...}` hops, and
 * `{group: [names]}` (whose keys only say when a list applies). Read before the schema has checked the body: a
 * value of another shape is skipped here and refused by the schema.
 */
export function fallbackModels(fallbacks: unknown): string[] {
  if (!Array.isArray(fallbacks)) return [];
  const out: string[] = [];
  const add = (x: unknown) => {
    if (typeof x === 'string') out.push(x);
    else if (Array.isArray(x)) for (const y of x) if (typeof y === 'string') out.push(y);
  };
  for (const f of fallbacks) {
    if (typeof f !== 'object' || f === null) add(f);
    else if ('model' in f) add(f.model);
    else for (const names of Object.values(f)) add(names);
  }
  return out;
}

/** /v1/models for a virtual key: only the models it may call (as LiteLLM lists them). */
export function visibleModels<E extends KeyedEnv, L extends { data: Array<{ id: string }> }>(c: Context<E>, list: L): L {
  const key = c.get('virtualKey');
  if (!key) return list;
  const { groups } = c.get('gateway').router;
  const allowed = (id: string) => {
    let group: string | undefined;
    try {
      group = groups.resolve(id);
    } catch {
      // listed models always resolve
    }
    return !modelRefusal(key.entry, id, group);
  };
  return { ...list, data: list.data.filter((m) => allowed(m.id)) };
}
