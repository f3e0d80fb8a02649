// Who is calling: the master key (everything), a virtual key (the model routes and its own /key/info), or,
// with no master key configured, anyone (as before virtual keys). Replaces the master-key-only guard.
import type { Context, MiddlewareHandler } from 'hono';
import type { Gateway } from '../gateway';
import { ENDPOINTS } from '../providers/openai';
import { PASS_THROUGH } from '../http/pass-through';
import { keyMatches, presentedKey } from '../http/auth';
import type { BodyVars } from '../http/body';
import { RouterError } from '../router/errors';
import { SPEND_ROUTES } from '../spend/forward';
import { KEY_READABLE_ROUTES } from './admin-routes';
import type { Defer } from '../state/store';
import { deferrer } from '../router/request-log';
import type { RequestLog, TraceContext } from '../observability/events';
import { modelRefusal } from './policy';
import { unknownKey } from './refusal';
import type { Admission, AuthedKey, RequestBudgets } from './service';
import { headerTags } from '../http/headers';
import { MAX_NAME_LENGTH } from '../schema/common';
import { MAX_TAGS_PER_REQUEST } from '../schema/controls';
import { bounded } from './limits';
import { NO_KEY } from './service';

export type KeyedEnv = { Variables: BodyVars & { gateway: Extract<Gateway, { ok: true }>; virtualKey?: AuthedKey } };

/**
 * The routes a virtual key may call (LiteLLM's openai_routes, and /key/info about itself); every other route
 * takes the master key. A model route is listed here only once it calls admitKey(): listed without it, a
 * key's models, limits and budget would not hold there.
 */
export const VIRTUAL_KEY_ROUTES = new Set([
  '/v1/chat/completions', '/chat/completions', '/v1/embeddings', '/embeddings', '/v1/messages', '/messages',
  '/v1/messages/count_tokens', '/messages/count_tokens', '/v1/responses', '/responses', '/v1/models', '/models',
  ...['completions', 'realtime', ...ENDPOINTS].flatMap((e) => [`/v1/${e}`, `/${e}`]),
  // What LiteLLM lets a key read (its info_routes): model info filtered to its models, its own key and team.
  '/model/info', '/v1/model/info', '/v2/model/info', '/model_group/info', '/utils/token_counter', ...KEY_READABLE_ROUTES,
  // Spend logs, scoped to the key's own rows (src/spend/forward.ts).
  ...SPEND_ROUTES,
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
    const authed = keys.authenticate(given, deferOf(c));
    // Fresh records answer synchronously: no await in the steady state.
    const key = authed instanceof Promise ? await authed : authed;
    const path = c.req.path;
    if (!VIRTUAL_KEY_ROUTES.has(path) && !PASS_THROUGH.test(path)) {
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
  if (!keys) return NO_KEY;
  const budgets = requestBudgets(c, body);
  if (!key && !budgets) return NO_KEY;
  const requested = typeof body.model === 'string' ? body.model : undefined;
  const defer = deferOf(c);
  try {
    const admission = keys.admit(key, requested, estTokens(), defer, maxTokens, fallbackModels(body.fallbacks), budgets);
    return admission instanceof Promise ? await admission : admission;
  } catch (e) {
    // Metrics, logs and the dashboard's errors see the refusal, with the key's alias and team.
    if (e instanceof RouterError) {
      const trace = (c.var as { trace?: TraceContext }).trace;
      router.refused(call, requested ?? 'unknown', e, { requestId: c.req.header('x-request-id'), waitUntil: defer, caller: key?.tag, trace });
    }
    throw e;
  }
}

/**
 * The tags (body `tags`, `metadata.tags`, x-litellm-tags) and the customer (its headers, else the body's `user`)
 * a request names, each held to a name's bound; undefined when it names none (it then pays nothing for budgets).
 */
export function requestBudgets<E extends KeyedEnv>(c: Context<E>, body: Record<string, unknown>): RequestBudgets | undefined {
  const meta = body.metadata as Record<string, unknown> | undefined;
  const listed = Array.isArray(body.tags) ? body.tags : Array.isArray(meta?.tags) ? meta.tags : headerTags(c.req.header('x-litellm-tags'));
  // Tags the router would refuse (not names, too many) are its to refuse, with their key path.
  const tags = listed?.filter((t): t is string => typeof t === 'string' && t !== '' && t.length <= MAX_NAME_LENGTH).slice(0, MAX_TAGS_PER_REQUEST);
  // LiteLLM's headers name the customer before the body's `user`.
  const header = c.req.header('x-litellm-customer-id') || c.req.header('x-litellm-end-user-id');
  const customer = header ? bounded(header, 'x-litellm-customer-id') : typeof body.user === 'string' && body.user ? bounded(body.user, 'user') : undefined;
  return tags?.length || customer ? { tags, customer } : undefined;
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

/** Whether the caller may use a model (a name, a group, an access group): always for the master key. */
export function modelVisible<E extends KeyedEnv>(c: Context<E>): (id: string) => boolean {
  const key = c.get('virtualKey');
  const keys = c.get('gateway').keys;
  return (id) => !key || !keys || !modelRefusal(key.entry, keys.asked(id));
}

/** /v1/models for a virtual key: only the models it may call (as LiteLLM lists them). */
export function visibleModels<E extends KeyedEnv, L extends { data: Array<{ id: string }> }>(c: Context<E>, list: L): L {
  const allowed = modelVisible(c);
  return { ...list, data: list.data.filter((m) => allowed(m.id)) };
}
