// Settings that would protect something if honoured (auth, guardrails): accepted and ignored, a user would
// believe they are protected while they are not. Each one refuses the config, saying why; set to an empty or
// false value (`guardrails: []`, `enable_jwt_auth: false`) it asks for nothing and passes.
import type { Check } from './validate';

const refuse = (what: string): Check<never> => (v, path, out) => {
  if (v === false || v === '' || (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && v !== null && Object.keys(v).length === 0)) return undefined;
  out.errors.push(`${path}: refused: ${what} not implemented in this gateway, so requests would go unchecked while you believe they are checked (its auth is the master key and virtual keys). Remove it to load this config`);
  return undefined;
};

const names = (list: string, what: string) => Object.fromEntries(list.split(' ').map((k) => [k, refuse(what)]));

/** general_settings keys that decide who may call what. */
export const refusedGeneralSettings = {
  ...names('custom_auth custom_auth_settings custom_auth_run_common_checks', 'custom_auth runs your Python code on each request in LiteLLM; this gateway runs no Python:'),
  ...names('enable_jwt_auth litellm_jwtauth', 'JWT auth is'),
  ...names('enable_oauth2_auth enable_oauth2_proxy_auth oauth2_config_mappings', 'OAuth2 auth is'),
  ...names('allowed_ips allowed_routes admin_only_routes enforce_user_param enforced_params custom_key_generate key_generation_settings', 'this restriction is'),
};

/** Guardrails in litellm_settings (LiteLLM's older form); the top-level `guardrails:` list is honoured (src/guardrails/). */
export const refusedGuardrails = refuse('this form (use the top-level guardrails:) is');

/** LiteLLM's callbacks that check or change requests (guardrails, moderation hooks). */
const GUARDRAIL_CALLBACKS = new Set(
  'presidio lakera_prompt_injection detect_prompt_injection hide_secrets llamaguard_moderations llmguard_moderations google_text_moderation openai_moderations azure_content_safety aporia bedrock_guardrails guardrails_ai secret_detection'.split(' '),
);

/** A callback name; a guardrail, or Python code in `callbacks` (which may hook requests), refuses the config. */
export const callbackName: Check<string> = (v, path, out) => {
  if (typeof v !== 'string') {
    out.errors.push(`${path}: expected a callback name`);
    return undefined;
  }
  if (GUARDRAIL_CALLBACKS.has(v)) return refuse(`"${v}" is a guardrail (use the top-level guardrails:);`)(v, path, out);
  if (/^\w+(\.\w+)+$/.test(v) && path.includes('.callbacks[')) return refuse(`"${v}" is Python code LiteLLM imports (a hook may check requests);`)(v, path, out);
  return v;
};
