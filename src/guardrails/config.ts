// The top-level `guardrails:` list, as LiteLLM writes it: `{guardrail_name, litellm_params: {guardrail, mode,
// default_on, ...}}`. Checked at load with key paths: an unknown type, a regex that does not compile or could
// backtrack catastrophically, a service URL without its key, a mode a type cannot run in: each refuses the config.
import type { Check, Findings } from '../config/validate';
import { bool, either, isPlainObject, list, num, obj, oneOf, str } from '../config/validate';
import type { Kind } from './kinds';
import { BUILT_IN, KIND_ALIASES } from './kinds';
import { SERVICES } from './services';
import type { GuardrailSpec, Mode } from './types';
import { MODES } from './types';

/** Seconds a guardrail service has to answer, unless its `timeout` says otherwise. */
export const DEFAULT_TIMEOUT_S = 10;

const mode = oneOf(...MODES);

const common = {
  guardrail: str,
  mode: either(mode, list(mode, { nonEmpty: true })),
  default_on: bool,
  /** A failing service (an error, a timeout, an answer it cannot read) lets the request through. Off by default: fail closed. */
  fail_open: bool,
  /** Seconds. */
  timeout: num({ min: 0.001 }),
  api_key: str,
  api_base: str,
  output_parse_pii: bool,
};

export const kindOf = (type: string): Kind | undefined => {
  const t = KIND_ALIASES[type] ?? type;
  return BUILT_IN[t] ?? SERVICES[t];
};

export const KNOWN_TYPES = () => [...Object.keys(BUILT_IN), ...Object.keys(SERVICES)];

const entry: Check<GuardrailSpec> = (v, path, out) => {
  const head = obj({ guardrail_name: str, litellm_params: (x) => x, guardrail_info: (x) => x }, { required: ['guardrail_name', 'litellm_params'] })(v, path, out);
  if (!head) return undefined;
  const at = `${path}.litellm_params`;
  const raw = head.litellm_params;
  if (!isPlainObject(raw)) return void out.errors.push(`${at}: expected a mapping`);
  const type = String(raw.guardrail);
  const kind = kindOf(type);
  if (!kind) return void out.errors.push(`${at}.guardrail: unknown guardrail type "${type}" (known: ${KNOWN_TYPES().join(', ')})`);
  const before = out.errors.length;
  const params = obj({ ...common, ...kind.params }, { required: ['guardrail', 'mode'] })(raw, at, out) as Record<string, unknown> | undefined;
  if (!params || out.errors.length > before) return undefined;
  const modes = (Array.isArray(params.mode) ? params.mode : [params.mode]) as Mode[];
  if (!kind.rule && modes.includes('logging_only')) out.errors.push(`${at}.mode: logging_only is for the built-in guardrails`);
  if (params.output_parse_pii && !kind.restores) out.errors.push(`${at}.output_parse_pii: not for ${type}`);
  kind.check?.(params, at, out, {});
  const rule = kind.rule?.(params, at, out.errors);
  if (out.errors.length > before) return undefined;
  const spec: GuardrailSpec = {
    name: head.guardrail_name,
    type: KIND_ALIASES[type] ?? type,
    modes,
    defaultOn: params.default_on === true,
    failOpen: params.fail_open === true,
    timeoutMs: ((params.timeout as number | undefined) ?? DEFAULT_TIMEOUT_S) * 1000,
    params,
    rule,
    restoresPii: params.output_parse_pii === true,
  };
  return spec;
};

/** The `guardrails:` list; names are unique. */
export const guardrailList: Check<GuardrailSpec[]> = (v, path, out) => {
  const specs = list(entry)(v, path, out);
  if (!specs) return undefined;
  const seen = new Set<string>();
  specs.forEach((s, i) => {
    if (seen.has(s.name)) out.errors.push(`${path}[${i}].guardrail_name: "${s.name}" is defined twice`);
    seen.add(s.name);
  });
  return specs;
};

export type { Findings };

/**
 * The file's `guardrails:` checked, and kept as written: the Router checks its options again (from a copy), and
 * builds the guardrails from them there.
 */
export const guardrailsSection: Check<unknown[]> = (v, path, out) => (guardrailList(v, path, out) ? (v as unknown[]) : undefined);
