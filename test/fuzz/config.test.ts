// Property: any YAML as a config is accepted, or refused with key paths; loading never throws, whatever the text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError, toRouterOptions } from '../../src/config/load';
import { loadProxyConfig } from '../../src/config/yaml';
import { Router } from '../../src/router/router';
import { fuzzParams, fuzzTimeoutMs } from './settings';

/** `path: fault`, the path starting at a section of the file (model_list[2].litellm_params.model), or (root) or (yaml). */
const KEY_PATH = /^(\(root\)|\(yaml\)|model_list|router_settings|litellm_settings|general_settings|environment_variables)[.[:]/;

function check(text: string) {
  const r = loadProxyConfig(text, { SET: 'sk-from-env', NUM: '42' });
  if (!r.ok) {
    expect(r.errors.length).toBeGreaterThan(0);
    // a cycle or a depth fault may sit under any key, known or not
    for (const e of r.errors) if (!/: (a YAML alias refers|nested more than)/.test(e)) expect(e).toMatch(KEY_PATH);
    return;
  }
  for (const w of r.warnings) expect(w).toMatch(/^\S.*: /);
  try {
    new Router(toRouterOptions(r.value));
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
  }
}

const json = fc.jsonValue({ maxDepth: 3 });
const HOSTILE = [
  '&a [*a]',
  '&b {x: *b}',
  '.nan',
  '.inf',
  '-.inf',
  '1e400',
  '!!binary aGVsbG8=',
  '!!set {a, b}',
  '~',
  'os.environ/SET',
  'os.environ/NUM',
  'os.environ/MISSING',
  `${'['.repeat(80)}${']'.repeat(80)}`,
  '"\\u0000"',
  '12345',
  '[]',
  '{}',
];
/** A placeholder string, swapped for its raw YAML snippet after stringify (which would quote it). */
const value = fc.oneof(json, json, fc.nat(HOSTILE.length - 1).map((i) => `@@RAW${i}@@`));
const yamlOf = (c: unknown) => stringify(c).replace(/(["']?)@@RAW(\d+)@@\1/g, (_, _q, i) => HOSTILE[Number(i)]);
const names = fc.constantFrom('a', 'b', 'gpt-4', 'x');
const params = fc.record(
  {
    model: fc.oneof(fc.constantFrom('mock/a', 'openai/gpt-4o', 'azure/d', 'anthropic/claude-3', 'groq/llama', 'bogus/x', 'gpt-4o'), value),
    api_key: fc.oneof(fc.constant('os.environ/SET'), value),
    api_base: fc.oneof(fc.constant('https://upstream.test/v1'), value),
    rpm: value,
    tpm: value,
    timeout: value,
    weight: value,
  },
  { requiredKeys: ['model'] },
);
const entry = fc.record({ model_name: fc.oneof(names, value), litellm_params: fc.oneof(params, value), model_info: fc.oneof(fc.record({ id: value }), value) }, { requiredKeys: ['model_name'] });
const settingKeys = ['routing_strategy', 'num_retries', 'timeout', 'fallbacks', 'model_group_alias', 'retry_policy', 'allowed_fails', 'cooldown_time', 'default_fallbacks', 'cache_kwargs', 'max_fallbacks', 'unknown_key'];
const settings = fc.dictionary(fc.constantFrom(...settingKeys), fc.oneof(value, fc.dictionary(names, fc.oneof(names, value)), fc.array(fc.dictionary(names, fc.array(names)))), { maxKeys: 4 });
const config = fc.record(
  {
    model_list: fc.oneof(fc.array(entry, { maxLength: 3 }), value),
    router_settings: settings,
    litellm_settings: fc.dictionary(fc.constantFrom('cache', 'cache_params', 'callbacks', 'fallbacks', 'drop_params', 'num_retries'), value, { maxKeys: 3 }),
    general_settings: fc.dictionary(fc.constantFrom('master_key', 'database_url'), value, { maxKeys: 2 }),
  },
  { requiredKeys: [] },
);

describe('fuzz: config', () => {
  it(
    'any structured YAML config: accepted or refused with key paths, never a crash',
    () => {
      fc.assert(
        fc.property(config, (c) => {
          check(yamlOf(c));
        }),
        fuzzParams(150),
      );
    },
    fuzzTimeoutMs(),
  );

  it(
    'any text as a config: never a crash',
    () => {
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('model_list: &m [*m]', 'a: &a [*a]\nmodel_list: *a')), (text) => check(text)),
        fuzzParams(200),
      );
    },
    fuzzTimeoutMs(),
  );
});

