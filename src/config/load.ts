// From YAML text (or an object) to one validated, typed config; a config with any fault is refused whole.
import { applyEnvDefaults } from '../providers/env-defaults';
import { guardrailEnvDefaults } from '../guardrails/config';
import { MODERATION_MODEL, typeOf } from '../guardrails/kinds';
import { checkDeployments } from './deployments';
import { providerOf } from '../providers/registry';
import { resolveEnv } from './env';
import { proxyConfig, routerOptions } from './schema';
import type { ProxyConfig, RouterOptions } from './types';
import type { Findings } from './validate';
import { isPlainObject } from './validate';
import { ERROR_CLASSES } from '../router/errors';
import { isPattern, patternRegex } from '../router/groups';

export type Loaded<T> = { ok: true; value: T; warnings: string[] } | { ok: false; errors: string[]; warnings: string[] };

export class ConfigError extends Error {
  constructor(readonly errors: string[]) {
    super(`Invalid router config: ${errors.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** A config file already parsed (from YAML by config/yaml.ts, from JSON, or at build time by config/bundled.ts). */
export function loadProxyObject(raw: unknown, env: Record<string, unknown> = {}): Loaded<ProxyConfig> {
  const shapeFault = structureFault(raw);
  if (shapeFault) return { ok: false, errors: [shapeFault], warnings: [] };
  const out: Findings = { errors: [], warnings: [] };
  // LiteLLM's environment_variables set names for os.environ/ lookups, beside the Worker's own env.
  const own = isPlainObject(raw) && isPlainObject(raw.environment_variables) ? raw.environment_variables : {};
  const fullEnv = { ...env, ...(resolveEnv(own, env, out, 'environment_variables') as object) };
  const resolved = resolveEnv(raw, fullEnv, out);
  applyEnvDefaults(resolved, fullEnv);
  guardrailEnvDefaults(resolved, fullEnv);
  const parsed = proxyConfig(resolved, '', out);
  const config = parsed && {
    ...parsed,
    router_settings: parsed.router_settings ?? {},
    litellm_settings: parsed.litellm_settings ?? {},
    general_settings: parsed.general_settings ?? {},
  };
  if (config) {
    const { router_settings: rs, litellm_settings: ls } = config;
    const sections = [{ path: 'router_settings', ...rs }, { path: 'litellm_settings', ...ls }];
    crossCheck(config.model_list, rs.model_group_alias, 'router_settings.model_group_alias', sections, out, config.guardrails as Guarded[]);
    checkDeployments(config.model_list, out);
  }
  return finish(config, out);
}

/** The Router constructor's object form goes through the same checks as the YAML. */
export function validateRouterOptions(options: unknown, env: Record<string, unknown> = {}): Loaded<RouterOptions> {
  const out: Findings = { errors: [], warnings: [] };
  const resolved = resolveEnv(options, env, out);
  applyEnvDefaults(resolved, env);
  guardrailEnvDefaults(resolved, env);
  const opts = routerOptions(resolved, '', out);
  if (opts) {
    crossCheck(opts.model_list, opts.model_group_alias, 'model_group_alias', [{ path: '', ...opts }], out, opts.guardrails);
    checkDeployments(opts.model_list, out);
  }
  return finish(opts, out);
}

/** The Router's options from a whole proxy file: router_settings, with litellm_settings' routing keys merged in. */
export function toRouterOptions(config: ProxyConfig): RouterOptions {
  return { model_list: config.model_list, ...pickRouting(config), ...config.router_settings, ...(config.guardrails ? { guardrails: config.guardrails as never } : {}) };
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

/** Deeper than any config needs: refused before any walk over the value can run out of stack. */
const MAX_DEPTH = 64;

/**
 * A YAML anchor may refer to itself (`a: &x [*x]`): the value is then a cycle, which no config can mean and
 * every walk over it would follow for ever. Cycles and absurd nesting are refused with their key path.
 */
function structureFault(value: unknown, path = '', ancestors: object[] = []): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const at = path || '(root)';
  if (ancestors.includes(value)) return `${at}: a YAML alias refers to an anchor that contains it (a cycle); a config cannot be circular`;
  if (ancestors.length >= MAX_DEPTH) return `${at}: nested more than ${MAX_DEPTH} levels deep`;
  ancestors.push(value);
  const entries = Array.isArray(value) ? value.map((v, i) => [`${path}[${i}]`, v] as const) : Object.entries(value).map(([k, v]) => [path ? `${path}.${k}` : k, v] as const);
  for (const [p, v] of entries) {
    const fault = structureFault(v, p, ancestors);
    if (fault) return fault;
  }
  ancestors.pop();
  return undefined;
}

type Section = { path: string } & Partial<RouterOptions>;

/**
 * Checks across keys. An alias naming another alias (x -> y -> x, g -> g) is refused: LiteLLM resolves an alias
 * one step, so it can only ever answer 404. An alias or a fallback naming a group that does not exist is a
 * warning, as LiteLLM loads both (its guide's own example aliases an unlisted group; fallbacks fail when tried, F10).
 * A misspelt error class in a per-class policy would silently do nothing: a warning too.
 */
type Guarded = { litellm_params: Record<string, unknown> };

function crossCheck(models: RouterOptions['model_list'], alias: RouterOptions['model_group_alias'], aliasPath: string, sections: Section[], out: Findings, guardrails: Guarded[] = []) {
  const groups = new Set(models.map((m) => m.model_name));
  const patterns = [...groups].filter(isPattern).map(patternRegex);
  // A fallback may name a group, an alias, or anything a wildcard group serves.
  const servable = (name: string) => groups.has(name) || name in (alias ?? {}) || patterns.some((p) => p.test(name));
  const ids = new Map<string, number>();
  models.forEach((m, i) => {
    const id = m.model_info?.id;
    if (id === undefined) return;
    if (ids.has(id)) out.errors.push(`model_list[${i}].model_info.id: "${id}" is already used by model_list[${ids.get(id)}]`);
    ids.set(id, i);
  });
  for (const [name, target] of Object.entries(alias ?? {})) {
    const group = typeof target === 'string' ? target : target.model;
    const at = `${aliasPath}.${name}`;
    if (groups.has(name)) {
      if (group !== name) out.warnings.push(`${at}: a model group is named "${name}" too, and a group's own name wins, so this alias is never used`);
    } else if (alias?.[group] !== undefined) {
      out.errors.push(`${at}: "${group}" is an alias, not a model group (aliases are resolved one step${group === name ? '; this one names itself' : `, and ${name} -> ${group} -> ... is a loop or a chain`})`);
    } else if (!groups.has(group) && !patterns.some((p) => p.test(group))) {
      // LiteLLM's own guide aliases a group it does not list (gpt4: prod-gpt-4): accepted there, so a warning here.
      out.warnings.push(`${at}: no model group named "${group}", so this alias answers 404 (model groups: ${[...groups].join(', ')})`);
    }
  }
  guardrails.forEach(({ litellm_params: p }, i) => {
    const model = String(p.model ?? MODERATION_MODEL);
    if (typeOf(p.guardrail) === 'openai_moderation' && !servable(model)) out.errors.push(`guardrails[${i}].litellm_params.model: "${model}" is not a model group (openai_moderation calls a moderation model group of this gateway)`);
  });
  const classes = [...ERROR_CLASSES, 'TimeoutError'];
  const providers = models.map((m) => providerOf(m.litellm_params.model));
  for (const section of sections) {
    const prefix = section.path ? `${section.path}.` : '';
    // A provider budget names a provider by litellm_params.model's prefix (LiteLLM's custom_llm_provider).
    for (const name in section.provider_budget_config ?? {}) {
      if (!providers.includes(name)) out.warnings.push(`${prefix}provider_budget_config.${name}: no deployment uses this provider, so it limits nothing`);
    }
    for (const key of ['fallbacks', 'context_window_fallbacks', 'content_policy_fallbacks'] as const) {
      section[key]?.forEach((entry, i) => {
        for (const [from, tos] of Object.entries(entry)) {
          tos.forEach((to, j) => {
            if (!servable(to)) out.warnings.push(`${prefix}${key}[${i}].${from}[${j}]: "${to}" is not a model group; this fallback will fail when tried`);
          });
        }
      });
    }
    section.default_fallbacks?.forEach((to, j) => {
      if (!servable(to)) out.warnings.push(`${prefix}default_fallbacks[${j}]: "${to}" is not a model group; this fallback will fail when tried`);
    });
    const policies: Array<[string, Record<string, unknown> | undefined, string]> = [
      ['retry_policy', section.retry_policy, 'Retries'],
      ['allowed_fails_policy', section.allowed_fails_policy, 'AllowedFails'],
      ...Object.entries(section.model_group_retry_policy ?? {}).map(([g, p]): [string, Record<string, unknown>, string] => [`model_group_retry_policy.${g}`, p, 'Retries']),
    ];
    for (const [path, policy, suffix] of policies) {
      for (const name of Object.keys(policy ?? {})) {
        if (!classes.includes(name.endsWith(suffix) ? name.slice(0, -suffix.length) : name)) {
          out.warnings.push(`${prefix}${path}.${name}: not an error class (${classes.map((c) => c + suffix).join(', ')})`);
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
