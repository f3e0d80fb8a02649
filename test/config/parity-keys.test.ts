// The keys LiteLLM configs in the wild use beyond the router guide: accepted when right, refused by key path when wrong.
import { describe, expect, it } from 'vitest';
import { loadProxyConfig } from '../../src/config/yaml';

describe('LiteLLM parity keys', () => {
  it('accepts wildcards, order, tags, cooldown_time, num_retries, tag filtering, allowed_fails_policy and both retry_policy spellings', () => {
    const r = loadProxyConfig(`
model_list:
  - model_name: "*"
    litellm_params: { model: "openai/*", api_key: k }
  - model_name: eu-gpt
    litellm_params: { model: mock/a, order: 1, tags: [eu, default], cooldown_time: 30, num_retries: 1 }
router_settings:
  enable_tag_filtering: true
  allowed_fails_policy: { RateLimitErrorAllowedFails: 100, InternalServerErrorAllowedFails: 20 }
  retry_policy: { RateLimitErrorRetries: 3, Timeout: { max_retries: 1 } }
  default_fallbacks: [eu-gpt]
  fallbacks: [{ "*": [eu-gpt] }, { eu-gpt: ["openai/gpt-4o-mini"] }]
`);
    // a fallback served by the wildcard group is no unknown group
    expect(r).toMatchObject({ ok: true, warnings: [] });
  });

  it('refuses wrong values with their key path', () => {
    const r = loadProxyConfig(`
model_list:
  - model_name: a
    litellm_params: { model: mock/a, order: first, tags: eu, cooldown_time: -1 }
router_settings:
  enable_tag_filtering: yes please
  retry_policy: { RateLimitErrorRetries: many }
`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.errors.map((e) => e.split(':')[0]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'model_list[0].litellm_params.order',
        'model_list[0].litellm_params.tags',
        'model_list[0].litellm_params.cooldown_time',
        'router_settings.enable_tag_filtering',
        'router_settings.retry_policy.RateLimitErrorRetries',
      ]),
    );
  });

  it('warns about a retry_policy or allowed_fails_policy class that does not exist (it would do nothing)', () => {
    const r = loadProxyConfig(`
model_list:
  - { model_name: a, litellm_params: { model: mock/a } }
router_settings:
  retry_policy: { RateLimitErorRetries: 3, TimeoutErrorRetries: 1 }
  allowed_fails_policy: { InternalServerErrorAllowedFails: 2, BogusAllowedFails: 1 }
`);
    expect(r.ok).toBe(true);
    expect(r.warnings.map((w) => w.split(':')[0])).toEqual([
      'router_settings.retry_policy.RateLimitErorRetries',
      'router_settings.allowed_fails_policy.BogusAllowedFails',
    ]);
  });
});
