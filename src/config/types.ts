// The typed shape of a LiteLLM router config, as users write it (YAML) or pass it (`new Router({...})`).
// Derived from the checks in schema.ts, which hold every key of ../shared/reference/router-config-guide.txt.
import type * as schema from './schema';
import type { Infer } from './validate';

export type RoutingStrategy = Infer<typeof schema.routingStrategy>;

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

/** A deployment's litellm_params; any key beyond the known ones is sent to the provider as is. */
export type LitellmParams = Infer<typeof schema.litellmParams>;
export type ModelInfo = Infer<typeof schema.modelInfo>;
export type ModelListEntry = Infer<typeof schema.modelListEntry>;
export type FallbackList = Infer<typeof schema.fallbackList>;
/** Per error class (ErrorClass names), the retries allowed. */
export type RetryPolicy = Infer<typeof schema.retryPolicy>;
export type ModelGroupAlias = Infer<typeof schema.modelGroupAlias>;
export type CacheParams = Infer<typeof schema.cacheParams>;
export type RouterOptions = Infer<typeof schema.routerOptions>;
export type LitellmSettings = Infer<typeof schema.litellmSettings>;
export type GeneralSettings = Infer<typeof schema.generalSettings>;

/** The whole file, as validated: the settings sections are always there (empty when the file has none). */
export type ProxyConfig = schema.ProxyConfigInput & {
  router_settings: Omit<RouterOptions, 'model_list'>;
  litellm_settings: LitellmSettings;
  general_settings: GeneralSettings;
};
