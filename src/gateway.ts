// One gateway per isolate: the config loaded and validated once, the Router built over the Durable Object.
// A broken config is kept as an error, so every request answers 500 with what is wrong, never half-served.
import bundledConfig from '../router.config.yaml';
import { responseCacheFor } from './cache/settings';
import { loadProxyConfig, toRouterOptions } from './config/load';
import type { ProxyConfig } from './config/types';
import type { Env } from './env';
import type { Observability } from './observability/callbacks';
import { buildObservability } from './observability/callbacks';
import { RouterError } from './router/errors';
import type { RouterRuntime } from './router/router';
import { Router } from './router/router';
import { withDistance } from './state/distance';
import { DurableStateStore } from './state/durable-store';

export type Gateway =
  | { ok: true; router: Router; config: ProxyConfig; masterKey?: string; observability: Observability }
  | { ok: false; error: RouterError };

export interface GatewayOptions extends RouterRuntime {
  /** YAML to use instead of the bundled file and ROUTER_CONFIG (tests, embedding). */
  configText?: string;
  /** Keeps this gateway's Durable Object state apart from others on the same binding (tests). */
  stateNamespace?: string;
}

const DEFAULTS: GatewayOptions = {};
const built = new WeakMap<GatewayOptions, { text: string; gateway: Gateway }>();

/**
 * Built once per isolate and config text. Vars and secrets only change with a new deployment (a new
 * isolate), so the env of the first request stands for the isolate's life.
 */
export function gatewayFor(env: Env, options: GatewayOptions = DEFAULTS): Gateway {
  const text = options.configText ?? env.ROUTER_CONFIG ?? bundledConfig;
  const hit = built.get(options);
  if (hit && hit.text === text) return hit.gateway;
  const gateway = build(text, env, options);
  built.set(options, { text, gateway });
  return gateway;
}

function build(text: string, env: Env, options: GatewayOptions): Gateway {
  const loaded = loadProxyConfig(text, env);
  for (const w of loaded.warnings) console.warn(JSON.stringify({ level: 'warn', msg: 'config', detail: w }));
  if (!loaded.ok) {
    console.error(JSON.stringify({ level: 'error', msg: 'config refused', errors: loaded.errors }));
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
      describe: (id) => {
        const d = router?.deployments.get(id);
        return d && { model: d.params.model, provider: d.provider.name };
      },
    });
    for (const w of observability.warnings) console.warn(JSON.stringify({ level: 'warn', msg: 'config', detail: w }));
    router = new Router(routerOptions, {
      state: env.ROUTER_STATE ? new DurableStateStore(withDistance(env.ROUTER_STATE, Number(env.STATE_RTT_MS ?? 0)), options.stateNamespace) : undefined,
      cache: responseCacheFor(routerOptions, { kv: env.CACHE, now: options.now }),
      env,
      ...options,
      callbacks: [...observability.callbacks, ...(options.callbacks ?? [])],
    });
    const masterKey = config.general_settings.master_key;
    if (!masterKey) {
      console.warn(JSON.stringify({ level: 'warn', msg: 'NO MASTER KEY: general_settings.master_key is not set, every route is open to anyone' }));
    }
    return { ok: true, router, config, masterKey, observability };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: new RouterError('InternalServerError', message, { type: 'invalid_config', code: 'invalid_config' }) };
  }
}
