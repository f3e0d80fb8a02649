// Every guardrail type the config may name (litellm_params.guardrail), with the keys it takes. A built-in is a
// TextRule built at load; a service is an HTTP call made per request, created once the Router exists.
import type { Check, Findings } from '../config/validate';
import type { ContentFilterParams } from './builtins';
import { buildContentFilter, contentFilterParams, injectionDetector, secretDetector } from './builtins';
import type { PiiTokens, Side, TextRule, Verdict } from './types';

/** What a service guardrail's call needs from the gateway. */
export interface ServiceDeps {
  fetch: typeof fetch;
  env: Record<string, unknown>;
  /** A model group of this gateway, by name: its first OpenAI-wire deployment's base URL, key and model (OpenAI moderation). */
  group?: (name: string) => { apiBase: string; apiKey?: string; model: string } | undefined;
}

export type ServiceCall = (texts: string[], side: Side, tokens: PiiTokens | undefined, signal: AbortSignal) => Promise<Verdict>;

export interface Kind {
  /** The keys of litellm_params this type takes beyond the common ones. */
  params: Record<string, Check<unknown>>;
  /** Checks across keys (a URL and its key), adding faults with their key paths. */
  check?(params: Record<string, unknown>, path: string, out: Findings, env: Record<string, unknown>): void;
  rule?(params: Record<string, unknown>, path: string, errors: string[]): TextRule | undefined;
  service?(params: Record<string, unknown>, deps: ServiceDeps): ServiceCall;
  /** Restores masked values in the answer when output_parse_pii is set. */
  restores?: boolean;
}

export const BUILT_IN: Record<string, Kind> = {
  litellm_content_filter: {
    params: contentFilterParams,
    rule: (p, path, errors) => buildContentFilter(p as ContentFilterParams, path, errors),
    restores: true,
  },
  'hide-secrets': { params: {}, rule: () => secretDetector() },
  detect_prompt_injection: { params: {}, rule: () => injectionDetector() },
};

/** LiteLLM's other spellings of the same types. */
export const KIND_ALIASES: Record<string, string> = { hide_secrets: 'hide-secrets', secret_detection: 'hide-secrets', prompt_injection: 'detect_prompt_injection', lakera: 'lakera_v2', bedrock_guardrails: 'bedrock', 'azure/content_safety': 'azure/text_moderations' };
