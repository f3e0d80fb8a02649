// The typed shape of a LiteLLM router config, as users write it (YAML) or pass it (`new Router({...})`).
// Every key of ../shared/reference/router-config-guide.txt has a field here; see schema.ts for the checks.

export type RoutingStrategy =
  | 'simple-shuffle'
  | 'usage-based-routing'
  | 'usage-based-routing-v2'
  | 'latency-based-routing'
  | 'least-busy'
  | 'cost-based-routing';

/** LiteLLM's exception classes: the names retry_policy and the error responses use. */
export type ErrorClass =
  | 'BadRequestError'
  | 'AuthenticationError'
  | 'PermissionDeniedError'
  | 'NotFoundError'
  | 'Timeout'
  | 'RateLimitError'
  | 'ContextWindowExceededError'
  | 'ContentPolicyViolationError'
  | 'InternalServerError'
  | 'ServiceUnavailableError'
  | 'APIConnectionError'
  | 'UnprocessableEntityError';

export interface LitellmParams {
  /** `provider/model` or a bare model name LiteLLM knows (gpt-*, claude-*). */
  model: string;
  api_key?: string;
  api_base?: string;
  api_version?: string;
  organization?: string;
  /** Seconds. */
  timeout?: number;
  stream_timeout?: number;
  max_retries?: number;
  tpm?: number;
  rpm?: number;
  weight?: number;
  /** Lower orders are used first; a higher order only when every lower one is unavailable (RT02). */
  order?: number;
  /** Tag routing: requests with a matching tag (or untagged requests, for `default`) reach this deployment. */
  tags?: string[];
  /** Seconds this deployment stays cooled down, over the upstream's Retry-After and the router's cooldown_time. */
  cooldown_time?: number;
  /** Retries after this deployment fails, as max_retries. */
  num_retries?: number;
  /** mock/ provider and LiteLLM's mock_response: the canned answer, or `litellm.<ErrorClass>` to fail. */
  mock_response?: string;
  /** mock/ provider: added latency in milliseconds. */
  mock_latency_ms?: number;
  /** mock/ provider: the share of calls (0..1) that fail with a 500. */
  mock_failure_rate?: number;
  /** Any other parameter is sent to the provider as is (e.g. temperature defaults, extra_headers). */
  [extra: string]: unknown;
}

export interface ModelInfo {
  id?: string;
  mode?: 'chat' | 'embedding' | 'completion';
  input_cost_per_token?: number;
  output_cost_per_token?: number;
  max_input_tokens?: number;
  max_output_tokens?: number;
  max_tokens?: number;
  [extra: string]: unknown;
}

export interface ModelListEntry {
  model_name: string;
  litellm_params: LitellmParams;
  model_info?: ModelInfo;
  tpm?: number;
  rpm?: number;
}

export type FallbackList = Array<Record<string, string[]>>;

export interface RetryPolicyEntry {
  max_retries: number;
}
/** Per class: `RateLimitError: {max_retries: 3}`, or LiteLLM's RetryPolicy fields `RateLimitErrorRetries: 3`. */
export type RetryPolicy = Partial<Record<ErrorClass | string, RetryPolicyEntry | number>>;

export type ModelGroupAlias = Record<string, string | { model: string; hidden?: boolean }>;

export interface CacheParams {
  type?: 'local' | 'redis' | 'redis-semantic' | 's3' | 'disk' | 'kv';
  ttl?: number;
  host?: string;
  port?: number | string;
  password?: string;
  namespace?: string;
  supported_call_types?: string[];
  /** default_off: only requests that send `cache: {"use-cache": true}` use the cache. */
  mode?: 'default_on' | 'default_off';
  /** type local: entries kept (LRU), 200 by default. */
  max_size_in_memory?: number;
  /** Seconds, type local, when no ttl is set (600 by default). */
  default_in_memory_ttl?: number;
  /** Seconds, the shared (KV) cache, when no ttl is set (else kept until overwritten). */
  default_in_redis_ttl?: number;
  [extra: string]: unknown;
}

/** Everything `new Router({...})` takes: the model list plus the router_settings keys. */
export interface RouterOptions {
  model_list: ModelListEntry[];
  routing_strategy?: RoutingStrategy;
  routing_strategy_args?: { ttl?: number; lowest_latency_buffer?: number; [extra: string]: unknown };
  num_retries?: number;
  /** Seconds. */
  timeout?: number;
  stream_timeout?: number;
  /** Seconds to wait before a retry (the minimum backoff). */
  retry_after?: number;
  retry_policy?: RetryPolicy;
  model_group_retry_policy?: Record<string, RetryPolicy>;
  allowed_fails?: number;
  cooldown_time?: number;
  disable_cooldowns?: boolean;
  /** LiteLLM's AllowedFailsPolicy: `RateLimitErrorAllowedFails: 100`, ... per error class. */
  allowed_fails_policy?: Record<string, number>;
  enable_tag_filtering?: boolean;
  fallbacks?: FallbackList;
  default_fallbacks?: string[];
  context_window_fallbacks?: FallbackList;
  content_policy_fallbacks?: FallbackList;
  max_fallbacks?: number;
  model_group_alias?: ModelGroupAlias;
  enable_pre_call_checks?: boolean;
  cache_responses?: boolean;
  cache_kwargs?: CacheParams;
  redis_host?: string;
  redis_port?: number | string;
  redis_password?: string;
  default_cache_time_seconds?: number;
  /** litellm_settings keys that also shape routing, merged in by the YAML loader. */
  drop_params?: boolean;
  request_timeout?: number;
}

export interface LitellmSettings {
  fallbacks?: FallbackList;
  context_window_fallbacks?: FallbackList;
  content_policy_fallbacks?: FallbackList;
  default_fallbacks?: string[];
  success_callback?: string[];
  failure_callback?: string[];
  callbacks?: string[];
  set_verbose?: boolean;
  json_logs?: boolean;
  /** Callbacks get message content only when this is explicitly false (stricter than LiteLLM's default). */
  turn_off_message_logging?: boolean;
  drop_params?: boolean;
  request_timeout?: number;
  num_retries?: number;
  cache?: boolean;
  cache_params?: CacheParams;
  [extra: string]: unknown;
}

export interface GeneralSettings {
  master_key?: string;
  /** What cached answers are shared by for a virtual key: the key (default) or its team. */
  virtual_key_cache_scope?: 'key' | 'team';
  [extra: string]: unknown;
}

/** The whole file, as validated. */
export interface ProxyConfig {
  model_list: ModelListEntry[];
  router_settings: Omit<RouterOptions, 'model_list'>;
  litellm_settings: LitellmSettings;
  general_settings: GeneralSettings;
}
