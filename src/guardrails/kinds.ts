// Every guardrail type the config may name (litellm_params.guardrail), with the keys it takes. A built-in is a
// TextRule compiled at load and run here; openai_moderation is a call to a moderation model group of this gateway;
// every other service is called by the companion Worker (src/companion/guardrails/), its keys checked here.
import type { Check, Findings } from '../config/validate';
import { bool, list, num, oneOf, record, str } from '../config/validate';
import { checkCredentials, ENV_PARAMS } from '../providers/bedrock/sign';
import type { ContentFilterParams } from './builtins';
import { buildContentFilter, contentFilterParams, injectionDetector, secretDetector } from './builtins';
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

/** What every service takes: how long it has to answer, and whether a failure lets the request through. */
const service = { fail_open: bool, timeout: num({ min: 0.001 }) };
const keyed = { ...service, api_key: str, api_base: str };
const severity = num({ min: 0, max: 7, int: true });

export const KINDS: Record<string, Kind> = {
  litellm_content_filter: { params: contentFilterParams, rule: (p, path, errors) => buildContentFilter(p as ContentFilterParams, path, errors) },
  'hide-secrets': { params: {}, rule: secretDetector },
  detect_prompt_injection: { params: {}, rule: injectionDetector },
  openai_moderation: { params: { ...service, model: str }, local: true },
  presidio: {
    params: { ...service, presidio_analyzer_api_base: str, presidio_anonymizer_api_base: str, presidio_language: str, pii_entities_config: record(oneOf('MASK', 'BLOCK')), presidio_score_thresholds: record(num({ min: 0, max: 1 })), output_parse_pii: bool },
    required: ['presidio_analyzer_api_base', 'presidio_anonymizer_api_base'],
    env: { presidio_analyzer_api_base: ['PRESIDIO_ANALYZER_API_BASE'], presidio_anonymizer_api_base: ['PRESIDIO_ANONYMIZER_API_BASE'] },
  },
  lakera_v2: { params: { ...keyed, project_id: str, breakdown: bool, payload: bool }, required: ['api_key'], env: { api_key: ['LAKERA_API_KEY'] } },
  bedrock: {
    params: { ...keyed, guardrailIdentifier: str, guardrailVersion: str, aws_region_name: str, aws_access_key_id: str, aws_secret_access_key: str, aws_session_token: str, aws_bedrock_runtime_endpoint: str },
    required: ['guardrailIdentifier', 'guardrailVersion'],
    env: ENV_PARAMS,
    // The Bedrock provider's own rule: SigV4 keys (from the config or the env), or a Bedrock API key.
    check: (p, path, out) => {
      const fault = checkCredentials(p as never);
      if (fault) out.errors.push(`${path}.${fault}`);
    },
  },
  'azure/prompt_shield': { params: { ...keyed, api_version: str }, required: ['api_base', 'api_key'] },
  'azure/text_moderations': {
    params: { ...keyed, api_version: str, severity_threshold: severity, severity_threshold_by_category: record(severity), categories: list(str) },
    required: ['api_base', 'api_key'],
  },
  generic_guardrail_api: { params: { ...keyed, additional_provider_specific_params: record((x) => x) }, required: ['api_base', 'api_key'] },
};

/** LiteLLM's other spellings of the same types. */
const ALIASES: Record<string, string> = { hide_secrets: 'hide-secrets', secret_detection: 'hide-secrets', prompt_injection: 'detect_prompt_injection', lakera: 'lakera_v2', bedrock_guardrails: 'bedrock', 'azure/content_safety': 'azure/text_moderations' };

/** A type's canonical name (aliases read), or undefined when no guardrail has it. */
export const typeOf = (type: unknown): string | undefined => {
  const t = ALIASES[type as string] ?? (type as string);
  return Object.hasOwn(KINDS, t) ? t : undefined;
};

/** Whether a type's calls are the companion Worker's. */
export const inCompanion = (type: string) => !KINDS[type].rule && !KINDS[type].local;
