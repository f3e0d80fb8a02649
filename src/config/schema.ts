// The schema of router.config.yaml: every key of the reference guide, checked with its key path. The config's
// TypeScript types (types.ts) are derived from these checks, so a key is added here, once, in one line.
import type { Check, Infer } from './validate';
import { guardrailList, guardrailsSection } from '../guardrails/config';
import { callbackName, refusedGeneralSettings, refusedGuardrails } from './refused';
import { bool, either, list, num, obj, oneOf, record, refine, str } from './validate';
import { isDuration } from '../keys/duration';

const positive = num({ min: 0 });
/** LiteLLM's durations (budget_duration, time_period): a whole number and s, m, h, d, w or mo. */
const duration = refine(str, isDuration, 'expected a duration such as "30s", "30m", "30h", "30d", "1mo"');
const count = num({ min: 0, int: true });

export const litellmParams = obj(
  {
    /** `provider/model` or a bare model name LiteLLM knows (gpt-*, claude-*). */
    model: str,
    api_key: str,
    api_base: str,
    api_version: str,
    organization: str,
    /** Seconds. */
    timeout: positive,
    stream_timeout: positive,
    max_retries: count,
    tpm: positive,
    rpm: positive,
    weight: positive,
    /** Lower orders are used first; a higher order only when every lower one is unavailable (RT02). */
    order: num({ min: 0 }),
    /** Tag routing: requests with a matching tag (or untagged requests, for `default`) reach this deployment. */
    tags: list(str),
    /** Seconds this deployment stays cooled down, over the upstream's Retry-After and the router's cooldown_time. */
    cooldown_time: positive,
    /** Retries after this deployment fails, as max_retries. */
    num_retries: count,
    /** mock/ provider and LiteLLM's mock_response: the canned answer, or `litellm.<ErrorClass>` to fail. */
    mock_response: str,
    /** mock/ provider: added latency in milliseconds. */
    mock_latency_ms: positive,
    /** USD this deployment may spend per budget_duration (for ever without one): over it, it is skipped as at its rpm limit. */
    max_budget: positive,
    budget_duration: duration,
    /** mock/ provider: the share of calls (0..1) that fail with a 500. */
    mock_failure_rate: num({ min: 0, max: 1 }),
  },
  // Any other litellm_params key is a provider parameter (temperature, extra_headers, ...): passed on, not warned.
  { required: ['model'], open: true },
);

/** LiteLLM's model_info.mode values (its model cost map and health checks). */
const MODEL_MODES = 'chat completion embedding image_generation image_edit audio_transcription audio_speech moderation moderations rerank batch realtime responses ocr search video_generation vector_store'.split(' ');

export const modelInfo = obj(
  {
    id: str,
    /** LiteLLM's modes: which routes the deployment serves (src/router/modes.ts). */
    mode: oneOf(...MODEL_MODES),
    input_cost_per_token: positive,
    output_cost_per_token: positive,
    /** Prompt-cache rates: cached prompt tokens read, and written. */
    cache_read_input_token_cost: positive,
    cache_creation_input_token_cost: positive,
    max_input_tokens: count,
    max_output_tokens: count,
    max_tokens: count,
    /** LiteLLM's name: the model continues a trailing assistant message as its own answer (stream_failure: continue). */
    supports_assistant_prefill: bool,
    /** Model access groups: a key, team or user whose `models` names one may call this deployment's model group. */
    access_groups: list(str),
  },
  { open: true },
);

export const modelListEntry = obj(
  { model_name: str, litellm_params: litellmParams, model_info: modelInfo, tpm: positive, rpm: positive },
  { required: ['model_name', 'litellm_params'] },
);

export const fallbackList = list(record(list(str)));
/** Per class: `RateLimitError: {max_retries: 3}`, or LiteLLM's RetryPolicy fields `RateLimitErrorRetries: 3`. */
export const retryPolicy = record(either(count, obj({ max_retries: count }, { required: ['max_retries'] })));
export const modelGroupAlias = record(either(str, obj({ model: str, hidden: bool }, { required: ['model'] })));
export const routingStrategy = oneOf(
  'simple-shuffle',
  'usage-based-routing',
  'usage-based-routing-v2',
  'latency-based-routing',
  'least-busy',
  'cost-based-routing',
);

export const cacheParams = obj(
  {
    type: oneOf('local', 'redis', 'redis-semantic', 's3', 'disk', 'kv'),
    ttl: positive,
    host: str,
    port: str,
    password: str,
    namespace: str,
    supported_call_types: list(str),
    /** default_off: only requests that send `cache: {"use-cache": true}` use the cache. */
    mode: oneOf('default_on', 'default_off'),
    /** type local: entries kept (LRU), 200 by default. */
    max_size_in_memory: num({ min: 1, int: true }),
    /** Seconds, type local, when no ttl is set (600 by default). */
    default_in_memory_ttl: positive,
    /** Seconds, the shared (KV) cache, when no ttl is set (else kept until overwritten). */
    default_in_redis_ttl: positive,
  },
  { open: true },
);

/**
 * router_settings.optional_pre_call_checks, by LiteLLM's names. The affinity checks (router/affinity.ts) are
 * honoured, enforce_model_rate_limits is what the gateway always does; a LiteLLM check it does not perform is
 * refused (a config must not believe it is protected), and a name LiteLLM does not know is warned about and dropped.
 */
const HONOURED_CHECKS = ['prompt_caching', 'session_affinity', 'deployment_affinity', 'responses_api_deployment_check', 'enforce_model_rate_limits', 'router_budget_limiting'];
const LITELLM_CHECKS = ['forward_client_headers_by_model_group', 'encrypted_content_affinity'];
const preCallChecks: Check<string[]> = (v, path, out) => {
  const names = list(str)(v, path, out);
  return names?.filter((name, i) => {
    if (HONOURED_CHECKS.includes(name)) return true;
    if (LITELLM_CHECKS.includes(name)) out.errors.push(`${path}[${i}]: '${name}' is not supported by this gateway (supported: ${HONOURED_CHECKS.join(', ')})`);
    else out.warnings.push(`${path}[${i}]: unknown check '${name}', ignored`);
    return false;
  });
};

/** router_settings, and the Router constructor's keys beside model_list. */
export const routerSettingsShape = {
  routing_strategy: routingStrategy,
  routing_strategy_args: obj({ ttl: positive, lowest_latency_buffer: positive }, { open: true }),
  num_retries: count,
  /** Seconds. */
  timeout: positive,
  stream_timeout: positive,
  /** Seconds to wait before a retry (the minimum backoff). */
  retry_after: positive,
  retry_policy: retryPolicy,
  model_group_retry_policy: record(retryPolicy),
  allowed_fails: count,
  cooldown_time: positive,
  disable_cooldowns: bool,
  allowed_fails_policy: record(count),
  enable_tag_filtering: bool,
  fallbacks: fallbackList,
  default_fallbacks: list(str),
  context_window_fallbacks: fallbackList,
  content_policy_fallbacks: fallbackList,
  max_fallbacks: count,
  model_group_alias: modelGroupAlias,
  enable_pre_call_checks: bool,
  optional_pre_call_checks: preCallChecks,
  /** USD per provider (litellm_params.model's prefix) per time_period: a provider over it has its deployments skipped. */
  provider_budget_config: record(obj({ budget_limit: positive, time_period: duration }, { required: ['budget_limit', 'time_period'] })),
  /** A stream cut after its first byte: `error` (an error event ends it) or `continue` on the next deployment. */
  stream_failure: oneOf('error', 'continue'),
  cache_responses: bool,
  cache_kwargs: cacheParams,
  redis_host: str,
  redis_port: str,
  redis_password: str,
  default_cache_time_seconds: positive,
  /** litellm_settings keys that also shape routing, merged in by the YAML loader. */
  drop_params: bool,
  request_timeout: positive,
};

const modelList = list(modelListEntry, { nonEmpty: 'list at least one deployment' });

/** Everything `new Router({...})` takes: the model list plus the router_settings keys. */
export const routerOptions = obj({ model_list: modelList, ...routerSettingsShape, guardrails: guardrailList }, { required: ['model_list'] });

export const routerSettings = obj(routerSettingsShape);

export const litellmSettings = obj({
  fallbacks: fallbackList,
  context_window_fallbacks: fallbackList,
  content_policy_fallbacks: fallbackList,
  default_fallbacks: list(str),
  success_callback: list(callbackName),
  failure_callback: list(callbackName),
  callbacks: list(callbackName),
  guardrails: refusedGuardrails,
  set_verbose: bool,
  json_logs: bool,
  /** Callbacks get message content only when this is explicitly false (stricter than LiteLLM's default). */
  turn_off_message_logging: bool,
  drop_params: bool,
  request_timeout: positive,
  num_retries: count,
  cache: bool,
  cache_params: cacheParams,
  /** USD: the budget of a customer (end user) the admin API has not created, from its first request. */
  max_end_user_budget: positive,
});

export const generalSettings = obj({
  // The message never repeats the value: it is a secret even when it is a bad one.
  master_key: refine(str, (k) => k.startsWith('sk-'), "must start with 'sk-', as LiteLLM requires"),
  /** What cached answers are shared by for a virtual key: the key (default) or its team. */
  virtual_key_cache_scope: oneOf('key', 'team'),
  /** Spend logs (SPEND_DB): the prompt and the answer are stored only with this (LiteLLM's key). */
  store_prompts_in_spend_logs: bool,
  /** No spend logs at all, even with SPEND_DB bound. */
  disable_spend_logs: bool,
  /** How long spend logs are kept (`30d`, the default; `12h`, `1w`, `3mo`). */
  maximum_spend_logs_retention_period: refine(str, isDuration, 'must be a duration such as 30d'),
  /** /model/new, /model/update, /model/delete: deployments kept by the companion, merged with model_list (src/models/). */
  store_model_in_db: bool,
  ...refusedGeneralSettings,
});

export const proxyConfig = obj(
  {
    model_list: modelList,
    router_settings: routerSettings,
    litellm_settings: litellmSettings,
    general_settings: generalSettings,
    environment_variables: record(str),
    guardrails: guardrailsSection,
  },
  { required: ['model_list'] },
);

export type ProxyConfigInput = Infer<typeof proxyConfig>;
