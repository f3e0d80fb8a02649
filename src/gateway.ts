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
import { KeyDirectory } from './keys/directory';
import { loadTables } from './assets/tables';
import { GUARDRAIL_DATA } from './guardrails/table';
import { PRICES } from './pricing/table';
import { HOSTS } from './providers/registry';
import { StoredModels } from './models/stored';
import { loadStored } from './models/load';

export type Gateway =
  | { ok: true; router: Router; config: ProxyConfig; masterKey?: string; observability: Observability; keys?: KeyService; stored?: StoredModels }
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
  /** The batch window of metrics, spend logs and traces (tests, so that waiting for a request's bookkeeping is quick); 1 s otherwise. */
  metricsFlushMs?: number;
}

const DEFAULTS: GatewayOptions = {};
const built = new WeakMap<GatewayOptions, { text: string | undefined; version?: number; gateway: Gateway }>();
const storedFor = new WeakMap<GatewayOptions, StoredModels>();

/**
 * Built once per isolate and config text. Vars and secrets only change with a new deployment (a new
 * isolate), so the env of the first request stands for the isolate's life. Built over the static tables
 * (src/assets/tables.ts: LiteLLM's prices its deployments carry, the guardrails' data, the
 * OpenAI-compatible hosts), which the isolate reads first: until then, a promise.
 */
export function gatewayFor(env: Env, options: GatewayOptions = DEFAULTS, defer?: (p: Promise<unknown>) => void): Gateway | Promise<Gateway> {
  // undefined: the bundled config.
  const text = options.configText ?? env.ROUTER_CONFIG;
  const hit = built.get(options);
  const stored = storedFor.get(options);
  if (hit && hit.text === text && hit.version === stored?.version) {
    if (stored && defer) stored.refreshIfDue(defer);
    return hit.gateway;
  }
  const tables = loadTables(env.ASSETS, [PRICES, GUARDRAIL_DATA, HOSTS]);
  if (tables) return tables.then(() => gatewayFor(env, options, defer));
  const loaded = text === undefined ? loadBundled(bundledConfig, env) : loadText(text, env, options.parseConfig);
  // store_model_in_db: the models added at runtime join the config's, read before the isolate's first gateway.
  if (loaded.ok && loaded.value.general_settings.store_model_in_db && env.COMPANION && !stored?.tried) {
    const list = stored ?? new StoredModels(env.COMPANION, options.now ?? Date.now);
    storedFor.set(options, list);
    return list.read().then(() => gatewayFor(env, options, defer));
  }
  const gateway = build(stored ? withStored(loaded, stored, env) : loaded, env, options, stored);
  built.set(options, { text, version: stored?.version, gateway });
  return gateway;
}

/** The config's model_list and the stored models after it, each checked as a config entry; one that no longer loads (an env var gone) is left out, and said. */
function withStored(loaded: Loaded<ProxyConfig>, stored: StoredModels, env: Env): Loaded<ProxyConfig> {
  if (!loaded.ok) return loaded;
  const extra = stored.models.flatMap((m) => {
    const one = loadStored({ ...m, model_info: { ...m.model_info, id: m.model_id, db_model: true } }, env);
    if (one.ok) return one.value.model_list;
    logLine('warn', { msg: 'stored model left out', model_id: m.model_id, errors: one.errors });
    return [];
  });
  return { ...loaded, value: { ...loaded.value, model_list: [...loaded.value.model_list, ...extra] } };
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

function build(loaded: Loaded<ProxyConfig>, env: Env, options: GatewayOptions, stored?: StoredModels): Gateway {
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
    // litellm_settings callbacks (prometheus, request logs, the companion's exports); they read deployments once the Router exists.
    let router: Router | undefined;
    const observability = buildObservability(config, env, {
      namespace: options.stateNamespace,
      metricsShard: options.metricsShard,
      flushMs: options.metricsFlushMs,
      describe: (id) => {
        const d = router?.deployments.get(id);
        return d && { model: d.params.model, provider: d.provider.name, apiBase: d.apiBase };
      },
    });
    for (const w of observability.warnings) logLine('warn', { msg: 'config', detail: w });
    const masterKey = config.general_settings.master_key;
    const accountsNs = env.KEYS && withDistance(env.KEYS, Number(env.STATE_RTT_MS ?? 0));
    // Virtual keys, tags and customers (src/keys/) need the KEYS object, and a master key to manage them with.
    const keys =
      accountsNs && masterKey
        ? new KeyService({
            ns: accountsNs,
            namespace: options.stateNamespace,
            now: options.now ?? Date.now,
            groups: () => router?.groups,
            cacheScope: config.general_settings.virtual_key_cache_scope ?? 'key',
            defaultCustomerBudget: config.litellm_settings.max_end_user_budget,
          })
        : undefined;
    // A spending cap that would do nothing is refused, not accepted.
    if (config.litellm_settings.max_end_user_budget !== undefined && !keys) {
      throw new Error('litellm_settings.max_end_user_budget: needs the KEYS binding and general_settings.master_key');
    }
    // Provider and deployment budgets are accounts too, in the KEYS objects.
    const directory = accountsNs && (keys?.directory ?? new KeyDirectory(accountsNs, options.stateNamespace));
    router = new Router(routerOptions, {
      state: env.ROUTER_STATE ? new DurableStateStore(withDistance(env.ROUTER_STATE, Number(env.STATE_RTT_MS ?? 0)), options.stateNamespace) : undefined,
      cache: responseCacheFor(routerOptions, { kv: env.CACHE, now: options.now }),
      conversations: env.CACHE ? new KVConversations(env.CACHE) : undefined,
      accounts: directory && ((a) => directory.of(a)),
      env,
      ...options,
      callbacks: [...observability.callbacks, ...(keys ? [keys.callback] : []), ...(options.callbacks ?? [])],
    });
    if (!masterKey) {
      logLine('warn', { msg: 'NO MASTER KEY: general_settings.master_key is not set, every route is open to anyone' });
    }
    return { ok: true, router, config, masterKey, observability, keys, stored };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: new RouterError('InternalServerError', message, { type: 'invalid_config', code: 'invalid_config' }) };
  }
}
