// Every guardrail type the config may name (litellm_params.guardrail), with the keys it takes. A built-in is a
// TextRule compiled at load and run here; openai_moderation is a call to a moderation model group of this gateway;
// every other service is called by the companion Worker (src/companion/guardrails/), its keys data (a row of
// public/guardrails.json: table.ts) checked here.
import type { Check, Findings } from '../config/validate';
import { bool, list, num, oneOf, record, str } from '../config/validate';
import { checkCredentials, ENV_PARAMS } from '../providers/bedrock/sign';
import type { ContentFilterParams } from './builtins';
import { buildContentFilter, contentFilterParams, injectionDetector, secretDetector } from './builtins';
import { data } from './table';
import type { TextRule } from './types';

export interface Kind {
  /** The keys of litellm_params this type takes beyond guardrail, mode and default_on. */
  params: Record<string, Check<unknown>>;
  /** Keys it cannot go without: a service's URL and key (without them every request would go unchecked, or be refused). */
  required?: string[];
  /** Keys read from the gateway's env when absent, as LiteLLM reads os.environ. */
  env?: Readonly<Record<string, readonly string[]>>;
  /** Checks across keys, adding faults with their key paths. */
  check?(params: Record<string, unknown>, path: string, out: Findings): void;
  /** A built-in: its rule, compiled at load. */
  rule?(params: Record<string, unknown>, path: string, errors: string[]): TextRule | undefined;
  /** Called by the gateway itself, not the companion (openai_moderation: a route of this gateway). */
  local?: true;
}

/** openai_moderation's model group when it names none: LiteLLM's default moderation model. */
export const MODERATION_MODEL = 'omni-moderation-latest';

const seconds = num({ min: 0.001 });
const severity = num({ min: 0, max: 7, int: true });

/** The checks a service's row (public/guardrails.json) names its keys' values by. */
const CHECKS: Record<string, Check<unknown>> = {
  str,
  bool,
  seconds,
  severity,
  severities: record(severity),
  scores: record(num({ min: 0, max: 1 })),
  actions: record(oneOf('MASK', 'BLOCK')),
  strings: list(str),
  map: record((x) => x),
};

/** The types that run in this gateway; the services are data (table.ts), called by the companion. */
const LOCAL: Record<string, Kind> = {
  litellm_content_filter: { params: contentFilterParams, rule: (p, path, errors) => buildContentFilter(p as ContentFilterParams, path, errors) },
  'hide-secrets': { params: {}, rule: secretDetector },
  detect_prompt_injection: { params: {}, rule: injectionDetector },
  openai_moderation: { params: { fail_open: bool, timeout: seconds, model: str }, local: true },
};

/** Bedrock's credentials, as the Bedrock provider reads them from the env and checks them (SigV4 keys, or a Bedrock API key). */
const bedrock: Partial<Kind> = {
  env: ENV_PARAMS,
  check: (p, path, out) => {
    const fault = checkCredentials(p as never);
    if (fault) out.errors.push(`${path}.${fault}`);
  },
};

/** A type's keys, checks and rule (its canonical name: typeOf); a service's from its row, Bedrock's credentials as code. */
export function kindOf(type: string): Kind {
  const row = LOCAL[type] ? undefined : data!.services[type];
  return row ? { params: Object.fromEntries(Object.entries(row.params).map(([k, c]) => [k, CHECKS[c]])), required: row.required, env: row.env, ...(type === 'bedrock' && bedrock) } : LOCAL[type];
}

/** Every type's name. */
export const typeNames = () => [...Object.keys(LOCAL), ...Object.keys(data?.services ?? {})];

/** A type's canonical name (LiteLLM's other spellings read), or undefined when no guardrail has it. */
export const typeOf = (type: unknown): string | undefined => {
  const t = data?.types[type as string] ?? (type as string);
  return Object.hasOwn(LOCAL, t) || (data && Object.hasOwn(data.services, t)) ? t : undefined;
};

/** Whether a type's calls are the companion Worker's. */
export const inCompanion = (type: string) => !Object.hasOwn(LOCAL, type);
