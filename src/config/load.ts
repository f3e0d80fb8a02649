// From YAML text (or an object) to one validated, typed config; a config with any fault is refused whole.
import { parse as parseYaml } from 'yaml';
import { applyEnvDefaults } from '../providers/env-defaults';
import { resolveEnv } from './env';
import { proxyConfig, routerOptions } from './schema';
import type { ProxyConfig, RouterOptions } from './types';
import type { Findings } from './validate';
import { isPlainObject } from './validate';

export type Loaded<T> = { ok: true; value: T; warnings: string[] } | { ok: false; errors: string[]; warnings: string[] };

export class ConfigError extends Error {
  constructor(readonly errors: string[]) {
    super(`Invalid router config: ${errors.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export function loadProxyConfig(yamlText: string, env: Record<string, unknown> = {}): Loaded<ProxyConfig> {
  const out: Findings = { errors: [], warnings: [] };
  let raw: unknown;
  try {
    raw = parseYaml(yamlText);
  } catch (e) {
    return { ok: false, errors: [`(yaml): ${(e as Error).message.split('\n')[0]}`], warnings: [] };
  }
  // LiteLLM's environment_variables set names for os.environ/ lookups, beside the Worker's own env.
  const own = isPlainObject(raw) && isPlainObject(raw.environment_variables) ? raw.environment_variables : {};
  const fullEnv = { ...env, ...(resolveEnv(own, env, out, 'environment_variables') as object) };
  const resolved = resolveEnv(raw, fullEnv, out);
  applyEnvDefaults(resolved, fullEnv);
  const parsed = proxyConfig(resolved, '', out);
  const config = parsed && {
    ...parsed,
    router_settings: parsed.router_settings ?? {},
    litellm_settings: parsed.litellm_settings ?? {},
    general_settings: parsed.general_settings ?? {},
  };
  if (config) crossCheck(config.model_list, { ...config.router_settings, ...pickRouting(config) }, out);
  return finish(config, out);
}

/** The Router constructor's object form goes through the same checks as the YAML. */
export function validateRouterOptions(options: unknown, env: Record<string, unknown> = {}): Loaded<RouterOptions> {
  const out: Findings = { errors: [], warnings: [] };
  const resolved = resolveEnv(options, env, out);
  applyEnvDefaults(resolved, env);
  const opts = routerOptions(resolved, '', out);
  if (opts) crossCheck(opts.model_list, opts, out);
  return finish(opts, out);
}

/** The Router's options from a whole proxy file: router_settings, with litellm_settings' routing keys merged in. */
export function toRouterOptions(config: ProxyConfig): RouterOptions {
  return { model_list: config.model_list, ...pickRouting(config), ...config.router_settings };
}

function pickRouting({ litellm_settings: ls }: ProxyConfig): Partial<RouterOptions> {
  const picked: Partial<RouterOptions> = {
    fallbacks: ls.fallbacks,
    context_window_fallbacks: ls.context_window_fallbacks,
    content_policy_fallbacks: ls.content_policy_fallbacks,
    default_fallbacks: ls.default_fallbacks,
    num_retries: ls.num_retries,
    drop_params: ls.drop_params,
    request_timeout: ls.request_timeout,
  };
  if (ls.cache) {
    picked.cache_responses = true;
    picked.cache_kwargs = ls.cache_params ?? {};
  }
  for (const k of Object.keys(picked) as (keyof RouterOptions)[]) if (picked[k] === undefined) delete picked[k];
  return picked;
}

function crossCheck(models: RouterOptions['model_list'], opts: Partial<RouterOptions>, out: Findings) {
  const groups = new Set(models.map((m) => m.model_name));
  const ids = new Map<string, number>();
  models.forEach((m, i) => {
    const id = m.model_info?.id;
    if (id === undefined) return;
    if (ids.has(id)) out.errors.push(`model_list[${i}].model_info.id: "${id}" is already used by model_list[${ids.get(id)}]`);
    ids.set(id, i);
  });
  for (const [alias, target] of Object.entries(opts.model_group_alias ?? {})) {
    const group = typeof target === 'string' ? target : target.model;
    if (!groups.has(group)) out.warnings.push(`router_settings.model_group_alias.${alias}: no model group named "${group}"`);
  }
  for (const key of ['fallbacks', 'context_window_fallbacks', 'content_policy_fallbacks'] as const) {
    for (const entry of opts[key] ?? []) {
      for (const [from, tos] of Object.entries(entry)) {
        for (const to of tos) {
          if (!groups.has(to)) out.warnings.push(`${key}.${from}: fallback "${to}" is not a model group`);
        }
      }
    }
  }
}

function finish<T>(value: T | undefined, out: Findings): Loaded<T> {
  if (out.errors.length > 0 || value === undefined) {
    return { ok: false, errors: out.errors.length ? out.errors : ['(root): invalid'], warnings: out.warnings };
  }
  return { ok: true, value, warnings: out.warnings };
}
