import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { loadProxyConfig } from '../../src/config/yaml';
import type { Env } from '../../src/env';
import { buildObservability } from '../../src/observability/callbacks';

const build = (settings: string, vars: Record<string, unknown> = {}) => {
  const loaded = loadProxyConfig(`
model_list:
  - model_name: gpt-4o
    litellm_params: { model: mock/gpt-4o }
litellm_settings:
${settings}
`);
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  return buildObservability(loaded.value, { ...env, ...vars } as Env, { describe: () => undefined });
};

describe('litellm_settings callbacks', () => {
  it('the reference guide production example loads with the companion: prometheus here, langfuse and sentry in the companion', () => {
    const settings = '  success_callback: ["langfuse", "prometheus"]\n  failure_callback: ["sentry"]';
    const obs = build(settings, { SPEND_QUEUE: { send: async () => {} } });
    expect(obs.warnings).toEqual([]);
    expect(obs.prometheus).toBe(true);
    expect(obs.callbacks.map((c) => c.name).sort()).toEqual(['prometheus', 'spend_logs']);
    // Without it, the config says what it needs rather than loading and sending nothing.
    expect(() => build(settings)).toThrow('litellm_settings.success_callback: langfuse needs the companion Worker (npm run deploy)');
  });

  it('an unknown callback is a warning naming its key path, not a failure', () => {
    const obs = build('  callbacks: ["prometheus", "datadog"]');
    expect(obs.warnings).toEqual([expect.stringContaining('litellm_settings.callbacks[1]: unknown callback "datadog"')]);
    expect(obs.prometheus).toBe(true);
  });

  it('turn_off_message_logging is a known key', () => {
    const loaded = loadProxyConfig('model_list: []\nlitellm_settings:\n  turn_off_message_logging: false\n');
    expect(loaded.warnings).toEqual([]);
  });
});
