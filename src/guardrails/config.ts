// The top-level `guardrails:` list, as LiteLLM writes it: `{guardrail_name, litellm_params: {guardrail, mode,
// default_on, ...}}`. Checked at load with key paths: an unknown type, a regex that does not compile or could
// backtrack catastrophically, a service without its URL or key, a mode a type cannot run in: each refuses the config.
import type { Check } from '../config/validate';
import { bool, either, isPlainObject, list, obj, oneOf, str } from '../config/validate';
import { fillFromEnv } from '../providers/env-defaults';
import { kindOf, typeNames, typeOf } from './kinds';
import { noData } from './table';
import type { GuardrailSpec, Mode } from './types';
import { MODES } from './types';

/** Seconds a guardrail service has to answer, unless its `timeout` says otherwise. */
export const DEFAULT_TIMEOUT_S = 10;

const mode = oneOf(...MODES);
const common = { guardrail: str, mode: either(mode, list(mode, { nonEmpty: true })), default_on: bool };

const entry: Check<GuardrailSpec> = (v, path, out) => {
  const head = obj({ guardrail_name: str, litellm_params: (x) => x, guardrail_info: (x) => x }, { required: ['guardrail_name', 'litellm_params'] })(v, path, out);
  if (!head) return undefined;
  const at = `${path}.litellm_params`;
  const raw = head.litellm_params;
  if (!isPlainObject(raw)) return void out.errors.push(`${at}: expected a mapping`);
  const type = typeOf(raw.guardrail);
  // A type this gateway does not have would leave requests unchecked: refused, as refused.ts refuses.
  if (!type) return void out.errors.push(`${at}.guardrail: ${noData() ?? `refused: "${raw.guardrail}" is not implemented in this gateway (it has ${typeNames().join(', ')})`}`);
  const kind = kindOf(type);
  const before = out.errors.length;
  const params = obj({ ...common, ...kind.params }, { required: ['guardrail', 'mode', ...(kind.required ?? [])] as never[] })(raw, at, out) as Record<string, any> | undefined;
  if (!params) return undefined;
  const modes: Mode[] = [params.mode].flat();
  if (!kind.rule && modes.includes('logging_only')) out.errors.push(`${at}.mode: logging_only is for the built-in guardrails`);
  kind.check?.(params, at, out);
  const rule = kind.rule?.(params, at, out.errors);
  if (out.errors.length > before) return undefined;
  return {
    name: head.guardrail_name,
    type,
    modes,
    timeoutMs: (params.timeout ?? DEFAULT_TIMEOUT_S) * 1000,
    litellm_params: params,
    rule,
  };
};

/** The `guardrails:` list; names are unique. */
export const guardrailList: Check<GuardrailSpec[]> = (v, path, out) => {
  const specs = list(entry)(v, path, out);
  const seen = new Set<string>();
  specs?.forEach((s, i) => {
    if (seen.has(s.name)) out.errors.push(`${path}[${i}].guardrail_name: "${s.name}" is defined twice`);
    seen.add(s.name);
  });
  return specs;
};

/**
 * The file's `guardrails:` checked, and kept as written: the Router checks its options again (from a copy), and
 * builds the guardrails from them there.
 */
export const guardrailsSection: Check<unknown[]> = (v, path, out) => (guardrailList(v, path, out) ? (v as unknown[]) : undefined);

/** Fills, in place, each guardrail's absent keys that its type reads from the env (as config/load.ts fills deployments'). */
export function guardrailEnvDefaults(config: unknown, env: Record<string, unknown>) {
  const list = isPlainObject(config) && Array.isArray(config.guardrails) ? config.guardrails : [];
  for (const g of list) {
    const p = isPlainObject(g) && g.litellm_params;
    const type = isPlainObject(p) && typeOf(p.guardrail);
    if (type) fillFromEnv(p as Record<string, unknown>, kindOf(type).env, env);
  }
}
