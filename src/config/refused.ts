// Settings that would protect something if honoured (auth, guardrails): accepted and ignored, a user would
// believe they are protected while they are not. Each one refuses the config, saying why; set to an empty or
// false value (`guardrails: []`, `enable_jwt_auth: false`) it asks for nothing and passes.
import type { Check } from './validate';

const AUTH = "this gateway's auth is the master key and its virtual keys (/key/generate)";

const refuse = (reason: string): Check<never> => (v, path, out) => {
  if (v === false || v === '' || (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && v !== null && Object.keys(v).length === 0)) return undefined;
  out.errors.push(`${path}: refused: ${reason}. Remove it to load this config`);
  return undefined;
};

const notRun = (what: string) => refuse(`${what} is not implemented here, and accepting it would leave requests unchecked while you believe they are checked; ${AUTH}`);

/** general_settings keys that decide who may call what. */
export const refusedGeneralSettings = {
  custom_auth: refuse(`custom_auth runs your Python function on every request in LiteLLM; this gateway runs no Python, so your check would never run; ${AUTH}`),
  custom_auth_settings: notRun('custom_auth'),
  custom_auth_run_common_checks: notRun('custom_auth'),
  enable_jwt_auth: notRun('JWT auth'),
  litellm_jwtauth: notRun('JWT auth'),
  enable_oauth2_auth: notRun('OAuth2 auth'),
  enable_oauth2_proxy_auth: notRun('OAuth2 proxy auth'),
  oauth2_config_mappings: notRun('OAuth2 auth'),
  allowed_ips: notRun('IP address filtering'),
  allowed_routes: notRun('Route allow-listing'),
  admin_only_routes: notRun('Admin-only routes'),
  enforce_user_param: notRun('Requiring the `user` parameter'),
  enforced_params: notRun('Requiring request parameters (enforced_params)'),
  custom_key_generate: notRun('A custom /key/generate check'),
  key_generation_settings: notRun('Restricting who may generate keys (key_generation_settings)'),
};

/** Guardrails, top level (`guardrails:`) and in litellm_settings (LiteLLM's older form). */
export const refusedGuardrails = refuse('guardrails are not implemented in this gateway yet; requests would reach the model unchecked while you believe they are checked');

/** LiteLLM's callbacks that check or change requests (guardrails and moderation hooks), and Python hooks (`module.instance`). */
const GUARDRAIL_CALLBACKS = new Set([
  'presidio', 'lakera_prompt_injection', 'detect_prompt_injection', 'hide_secrets', 'llamaguard_moderations', 'llmguard_moderations',
  'google_text_moderation', 'openai_moderations', 'azure_content_safety', 'aporia', 'bedrock_guardrails', 'guardrails_ai', 'secret_detection',
]);

export const callbackName: Check<string> = (v, path, out) => {
  if (typeof v !== 'string') {
    out.errors.push(`${path}: expected a callback name, got ${v === null ? 'null' : typeof v}`);
    return undefined;
  }
  if (GUARDRAIL_CALLBACKS.has(v)) {
    out.errors.push(`${path}: refused: "${v}" is a guardrail in LiteLLM, not implemented in this gateway; requests would reach the model unchecked. Remove it to load this config`);
    return undefined;
  }
  if (/^[A-Za-z_][\w]*(\.[A-Za-z_]\w*)+$/.test(v) && path.includes('.callbacks[')) {
    out.errors.push(`${path}: refused: "${v}" is Python code LiteLLM would import; this gateway runs no Python, and a hook that checks requests would silently not run. Remove it to load this config`);
    return undefined;
  }
  return v;
};
