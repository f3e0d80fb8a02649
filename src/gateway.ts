// One gateway per isolate: the config loaded and validated once, the Router built over the Durable Object.
// The bundled router.config.yaml arrives validated at build time (src/generated/config.ts, which the build
// refuses to write for a broken file); ROUTER_CONFIG, set at runtime, is parsed and validated here. A broken
// ROUTER_CONFIG is kept as an error, so every request answers 500 with what is wrong, never half-served.
import { KVConversations } from './api/responses/store';
import { responseCacheFor } from './cache/settings';
import { loadBundled } from './config/bundled';
import type { Loaded } from './config/load';
import { loadProxyObject, toRouterOptions } from './config/load';
import type { ProxyConfig } from './config/types';
import bundledConfig from './generated/config';
import type { Env } from './env';
import type { Observability } from './observability/callbacks';
import { buildObservability } from './observability/callbacks';
import { RouterError } from './router/errors';
import type { RouterRuntime } from './router/router';
import { Router } from './router/router';
import { withDistance } from './state/distance';
import { DurableStateStore } from './state/durable-store';
import { configSecrets, logLine, rememberSecrets } from './security/scrub';
import { KeyService } from './keys/service';

export type Gateway =
  | { ok: true; router: Router; config: ProxyConfig; masterKey?: string; observability: Observability; keys?: KeyService }
  | { ok: false; error: RouterError };

export interface GatewayOptions extends RouterRuntime {
  /** A config to use instead of the bundled file and ROUTER_CONFIG (tests, embedding): JSON, or what parseConfig reads. */
  configText?: string;
  /** Reads a configText or ROUTER_CONFIG that is not JSON (tests and embedders pass yaml's `parse`). */
  parseConfig?: (text: string) => unknown;
  /** Keeps this gateway's Durable Object state apart from others on the same binding (tests). */
  stateNamespace?: string;
  /** The metrics shard this gateway writes to (tests); one at random otherwise. */
  metricsShard?: number;
  /** The metrics batch window (tests, so that waiting for a request's bookkeeping is quick); 1 s otherwise. */
  metricsFlushMs?: number;
}

const DEFAULTS: GatewayOptions = {};
const built = new WeakMap<GatewayOptions, { text: string | undefined; gateway: Gateway }>();

/**
 * Built once per isolate and config text. Vars and secrets only change with a new deployment (a new
 * isolate), so the env of the first request stands for the isolate's life.
 */
export function gatewayFor(env: Env, options: GatewayOptions = DEFAULTS): Gateway {
  // undefined: the bundled config.
  const text = options.configText ?? env.ROUTER_CONFIG;
  const hit = built.get(options);
  if (hit && hit.text === text) return hit.gateway;
  const gateway = build(text === undefined ? loadBundled(bundledConfig, env) : loadText(text, env, options.parseConfig), env, options);
  built.set(options, { text, gateway });
  return gateway;
}

/**
 * ROUTER_CONFIG (or configText) is JSON: the Worker carries no YAML parser, a third of its bundle otherwise, and
 * JSON.parse spares a new isolate tens of milliseconds. `npm run -s check-config -- --json my.yaml` checks a YAML
 * file and prints it in that form. An embedder may pass its own parser (`parseConfig`, e.g. yaml's `parse`).
 */
function loadText(text: string, env: Env, parseConfig?: (text: string) => unknown): Loaded<ProxyConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    if (!parseConfig) {
      const fault = `ROUTER_CONFIG: not JSON (${(e as Error).message}). The Worker reads ROUTER_CONFIG as JSON; convert a YAML file with \`npm run -s check-config -- --json my.yaml\``;
      return { ok: false, errors: [fault], warnings: [] };
    }
    try {
      raw = parseConfig(text);
    } catch (e2) {
      return { ok: false, errors: [`(yaml): ${(e2 as Error).message.split('\n')[0]}`], warnings: [] };
    }
  }
  return loadProxyObject(raw, env);
}

function build(loaded: Loaded<ProxyConfig>, env: Env, options: GatewayOptions): Gateway {
  if (loaded.ok) rememberSecrets(configSecrets(loaded.value));
  for (const w of loaded.warnings) logLine('warn', { msg: 'config', detail: w });
  if (!loaded.ok) {
    logLine('error', { msg: 'config refused', errors: loaded.errors });
    return {
      ok: false,
      error: new RouterError('InternalServerError', `Invalid router config: ${loaded.errors.join('; ')}`, {
        type: 'invalid_config',
        code: 'invalid_config',
      }),
    };
  }
  const config = loaded.value;
  try {
    const routerOptions = toRouterOptions(config);
    // litellm_settings callbacks (prometheus, langfuse, sentry, request logs); they read deployments once the Router exists.
    let router: Router | undefined;
    const observability = buildObservability(config, env, {
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      namespace: options.stateNamespace,
      metricsShard: options.metricsShard,
      metricsFlushMs: options.metricsFlushMs,
      describe: (id) => {
        const d = router?.deployments.get(id);
        return d && { model: d.params.model, provider: d.provider.name };
      },
    });
    for (const w of observability.warnings) logLine('warn', { msg: 'config', detail: w });
    const masterKey = config.general_settings.master_key;
    // Virtual keys (src/keys/) need the KEYS object, and a master key to manage them with.
    const keys =
      env.KEYS && masterKey
        ? new KeyService({
            ns: withDistance(env.KEYS, Number(env.STATE_RTT_MS ?? 0)),
            namespace: options.stateNamespace,
            now: options.now ?? Date.now,
            groups: () => router?.groups,
            cacheScope: config.general_settings.virtual_key_cache_scope ?? 'key',
          })
        : undefined;
    router = new Router(routerOptions, {
      state: env.ROUTER_STATE ? new DurableStateStore(withDistance(env.ROUTER_STATE, Number(env.STATE_RTT_MS ?? 0)), options.stateNamespace) : undefined,
      cache: responseCacheFor(routerOptions, { kv: env.CACHE, now: options.now }),
      conversations: env.CACHE ? new KVConversations(env.CACHE) : undefined,
      env,
      ...options,
      callbacks: [...observability.callbacks, ...(keys ? [keys.callback] : []), ...(options.callbacks ?? [])],
    });
    if (!masterKey) {
      logLine('warn', { msg: 'NO MASTER KEY: general_settings.master_key is not set, every route is open to anyone' });
    }
    return { ok: true, router, config, masterKey, observability, keys };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: new RouterError('InternalServerError', message, { type: 'invalid_config', code: 'invalid_config' }) };
  }
}
