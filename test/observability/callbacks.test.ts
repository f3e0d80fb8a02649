import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { loadProxyConfig } from '../../src/config/yaml';
import type { Env } from '../../src/env';
import { buildObservability } from '../../src/observability/callbacks';

const build = (settings: string, vars: Record<string, string> = {}) => {
  const loaded = loadProxyConfig(`
model_list:
  - model_name: gpt-4o
    litellm_params: { model: mock/gpt-4o }
litellm_settings:
${settings}
`);
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  return buildObservability(loaded.value, { ...env, ...vars } as Env, { fetch, describe: () => undefined });
};

describe('litellm_settings callbacks', () => {
  it('the reference guide production example loads: langfuse and prometheus on success, sentry on failure', () => {
    const obs = build('  success_callback: ["langfuse", "prometheus"]\n  failure_callback: ["sentry"]', {
      LANGFUSE_PUBLIC_KEY: 'pk-lf-1',
      LANGFUSE_SECRET_KEY: 'sk-lf-1',
      SENTRY_DSN: 'https://k@sentry.test/1',
    });
    expect(obs.warnings).toEqual([]);
    expect(obs.prometheus).toBe(true);
    const byName = Object.fromEntries(obs.callbacks.map((c) => [c.name, c]));
    expect(byName.langfuse.onSuccess).toBeTypeOf('function');
    expect(byName.langfuse.onFailure).toBeUndefined();
    expect(byName.sentry.onFailure).toBeTypeOf('function');
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
