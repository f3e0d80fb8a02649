// Settings that would protect something if honoured, and that this gateway does not implement, refuse the
// config saying why: accepted and ignored, a user would believe requests are checked while they are not.
import { describe, expect, it } from 'vitest';
import { loadProxyConfig } from '../../src/config/yaml';

const base = `model_list:
  - { model_name: m, litellm_params: { model: mock/m } }
`;
const load = (extra: string) => loadProxyConfig(base + extra);
const errors = (extra: string) => {
  const r = load(extra);
  return r.ok ? [] : r.errors;
};

describe('security settings the gateway does not implement', () => {
  for (const [name, yaml, path] of [
    ['custom_auth', 'general_settings: { custom_auth: my_module.user_api_key_auth }', 'general_settings.custom_auth'],
    ['JWT auth', 'general_settings: { enable_jwt_auth: true }', 'general_settings.enable_jwt_auth'],
    ['an IP allow list', 'general_settings: { allowed_ips: ["10.0.0.1"] }', 'general_settings.allowed_ips'],
    // The top-level guardrails: list is honoured (test/guardrails/); LiteLLM's older form is not.
    ['litellm_settings.guardrails', 'litellm_settings: { guardrails: [{ pii: { callbacks: [presidio], default_on: true } }] }', 'litellm_settings.guardrails'],
    ['a guardrail callback', 'litellm_settings: { callbacks: [presidio] }', 'litellm_settings.callbacks[0]'],
    ['a Python hook in callbacks', 'litellm_settings: { callbacks: [custom_callbacks.proxy_handler_instance] }', 'litellm_settings.callbacks[0]'],
  ] as const) {
    it(`${name} refuses the config, with its key path and why`, () => {
      expect(errors(yaml)).toEqual([expect.stringMatching(new RegExp(`^${path.replace(/[.[\]]/g, '\\$&')}: refused: .*not implemented in this gateway`))]);
    });
  }

  it('an empty or false value asks for nothing and loads', () => {
    expect(load('guardrails: []\ngeneral_settings: { enable_jwt_auth: false }').ok).toBe(true);
  });

  it('the callbacks the gateway honours still load', () => {
    expect(load('litellm_settings: { callbacks: [prometheus], success_callback: [langfuse] }').ok).toBe(true);
  });
});
