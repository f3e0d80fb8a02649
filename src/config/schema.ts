// The schema of router.config.yaml: every key of the reference guide, checked with its key path.
import type { Check } from './validate';
import { bool, either, list, num, obj, oneOf, record, refine, str } from './validate';
import type { ModelListEntry, ProxyConfig, RouterOptions } from './types';

const positive = num({ min: 0 });
const count = num({ min: 0, int: true });

const litellmParams = obj(
  {
    model: str,
    api_key: str,
    api_base: str,
    api_version: str,
    organization: str,
    timeout: positive,
    stream_timeout: positive,
    max_retries: count,
    tpm: positive,
    rpm: positive,
    weight: positive,
    mock_response: str,
    mock_latency_ms: positive,
    mock_failure_rate: num({ min: 0, max: 1 }),
  },
  // Any other litellm_params key is a provider parameter (temperature, extra_headers, ...): passed on, not warned.
  { required: ['model'], open: true },
);

const modelInfo = obj(
  {
    id: str,
    mode: oneOf('chat', 'embedding', 'completion'),
    input_cost_per_token: positive,
    output_cost_per_token: positive,
    max_input_tokens: count,
    max_output_tokens: count,
    max_tokens: count,
  },
  { open: true },
);

export const modelListEntry = obj(
  { model_name: str, litellm_params: litellmParams, model_info: modelInfo, tpm: positive, rpm: positive },
  { required: ['model_name', 'litellm_params'] },
) as unknown as Check<ModelListEntry>;

const fallbackList = list(record(list(str)));
const retryPolicy = record(obj({ max_retries: count }, { required: ['max_retries'] }));
const aliasTarget = either(str, obj({ model: str, hidden: bool }, { required: ['model'] }));

const cacheParams = obj(
  {
    type: oneOf('local', 'redis', 'redis-semantic', 's3', 'disk', 'kv'),
    ttl: positive,
    host: str,
    port: str,
    password: str,
    namespace: str,
    supported_call_types: list(str),
    mode: oneOf('default_on', 'default_off'),
    max_size_in_memory: num({ min: 1, int: true }),
    default_in_memory_ttl: positive,
    default_in_redis_ttl: positive,
  },
  { open: true },
);

/** router_settings, and the Router constructor's keys beside model_list. */
export const routerSettingsShape = {
  routing_strategy: oneOf(
    'simple-shuffle',
    'usage-based-routing',
    'usage-based-routing-v2',
    'latency-based-routing',
    'least-busy',
    'cost-based-routing',
  ),
  routing_strategy_args: obj({ ttl: positive, lowest_latency_buffer: positive }, { open: true }),
  num_retries: count,
  timeout: positive,
  stream_timeout: positive,
  retry_after: positive,
  retry_policy: retryPolicy,
  model_group_retry_policy: record(retryPolicy),
  allowed_fails: count,
  cooldown_time: positive,
  disable_cooldowns: bool,
  fallbacks: fallbackList,
  default_fallbacks: list(str),
  context_window_fallbacks: fallbackList,
  content_policy_fallbacks: fallbackList,
  max_fallbacks: count,
  model_group_alias: record(aliasTarget),
  enable_pre_call_checks: bool,
  cache_responses: bool,
  cache_kwargs: cacheParams,
  redis_host: str,
  redis_port: str,
  redis_password: str,
  default_cache_time_seconds: positive,
  drop_params: bool,
  request_timeout: positive,
};

const modelList = list(modelListEntry, { nonEmpty: 'list at least one deployment' });

export const routerOptions = obj(
  { model_list: modelList, ...routerSettingsShape },
  { required: ['model_list'] },
) as unknown as Check<RouterOptions>;

const litellmSettings = obj({
  fallbacks: fallbackList,
  context_window_fallbacks: fallbackList,
  content_policy_fallbacks: fallbackList,
  default_fallbacks: list(str),
  success_callback: list(str),
  failure_callback: list(str),
  callbacks: list(str),
  set_verbose: bool,
  json_logs: bool,
  turn_off_message_logging: bool,
  drop_params: bool,
  request_timeout: positive,
  num_retries: count,
  cache: bool,
  cache_params: cacheParams,
});

const generalSettings = obj({
  // The message never repeats the value: it is a secret even when it is a bad one.
  master_key: refine(str, (k) => k.startsWith('sk-'), "must start with 'sk-', as LiteLLM requires"),
});

export const proxyConfig = obj(
  {
    model_list: modelList,
    router_settings: obj(routerSettingsShape),
    litellm_settings: litellmSettings,
    general_settings: generalSettings,
    environment_variables: record(str),
  },
  { required: ['model_list'] },
) as unknown as Check<ProxyConfig>;
