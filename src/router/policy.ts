// Retry, cooldown and fallback policy: which errors retry how often, how long to wait, where to fall back.
import type { ErrorClass, FallbackList, RouterOptions } from '../config/types';
import type { CooldownPolicy } from '../state/ledger';
import type { Deployment } from './deployment';
import type { RouterError } from './errors';

/** LiteLLM's default num_retries. */
export const DEFAULT_NUM_RETRIES = 2;
/** LiteLLM's defaults: 3 failures a minute, then 5 s out. */
export const DEFAULT_ALLOWED_FAILS = 3;
export const DEFAULT_COOLDOWN_S = 5;
/** LiteLLM's default request_timeout (s). */
export const DEFAULT_TIMEOUT_S = 600;
/** A hard bound on upstream calls per client request, whatever the config says. */
export const MAX_ATTEMPTS = 25;
export const DEFAULT_MAX_FALLBACKS = 5;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 30_000;

/** Errors that are the request's fault: another try cannot help unless a retry_policy says so. */
const NOT_RETRIED = new Set<ErrorClass>([
  'BadRequestError',
  'UnprocessableEntityError',
  'ContextWindowExceededError',
  'ContentPolicyViolationError',
]);

/** Errors that say a deployment is unwell, and so count toward its cooldown. */
const COOLDOWN_COUNTED = new Set<ErrorClass>([
  'RateLimitError',
  'Timeout',
  'InternalServerError',
  'ServiceUnavailableError',
  'APIConnectionError',
  'AuthenticationError',
  'PermissionDeniedError',
  'NotFoundError',
]);

/** These cool a deployment down at once, as LiteLLM does (429, 401, 404). */
const COOLDOWN_IMMEDIATE = new Set<ErrorClass>(['RateLimitError', 'AuthenticationError', 'NotFoundError']);

export const countsTowardCooldown = (e: RouterError) => COOLDOWN_COUNTED.has(e.errorClass);
export const coolsDownAtOnce = (e: RouterError) => COOLDOWN_IMMEDIATE.has(e.errorClass);

/** A deployment's own misconfiguration: worth a retry only on another deployment. */
const DEPLOYMENT_FAULT = new Set<ErrorClass>(['AuthenticationError', 'PermissionDeniedError', 'NotFoundError']);

/** How many retries inside the group this error class gets: model_group_retry_policy, retry_policy, num_retries. */
export function retriesFor(
  opts: RouterOptions,
  group: string,
  e: RouterError,
  otherDeploymentFree: boolean,
  /** The request's own num_retries, else the failed deployment's litellm_params.max_retries. */
  requestRetries?: number,
): number {
  const byGroup = opts.model_group_retry_policy?.[group]?.[e.errorClass]?.max_retries;
  if (byGroup !== undefined) return byGroup;
  const byClass = opts.retry_policy?.[e.errorClass]?.max_retries;
  if (byClass !== undefined) return byClass;
  if (NOT_RETRIED.has(e.errorClass)) return 0;
  if (DEPLOYMENT_FAULT.has(e.errorClass) && !otherDeploymentFree) return 0;
  return requestRetries ?? opts.num_retries ?? DEFAULT_NUM_RETRIES;
}

/**
 * How long to wait before retry number `n` (1-based). Another healthy deployment is tried at once
 * (after retry_after, if set); the same one waits its Retry-After, else exponential backoff with jitter.
 */
export function backoffMs(opts: RouterOptions, n: number, e: RouterError, otherDeploymentFree: boolean, random: () => number): number {
  const floor = (opts.retry_after ?? 0) * 1000;
  if (otherDeploymentFree) return floor;
  if (e.retryAfter !== undefined) return Math.max(floor, Math.min(e.retryAfter * 1000, BACKOFF_CAP_MS));
  const exp = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (n - 1));
  return Math.max(floor, exp / 2 + random() * (exp / 2));
}

/** Whether a failed group may hand over to its fallbacks (not for the client's own bad request). */
export const fallsBack = (e: RouterError) => e.errorClass !== 'BadRequestError' && e.errorClass !== 'UnprocessableEntityError';

const lookup = (list: FallbackList | undefined, group: string): string[] | undefined => {
  for (const entry of list ?? []) if (entry[group]) return entry[group];
  return undefined;
};

/** The fallback groups for a failed group, in order: the error's own list first, then the generic ones. */
export function fallbacksFor(opts: RouterOptions, group: string, e: RouterError): string[] {
  const specific =
    e.errorClass === 'ContextWindowExceededError'
      ? lookup(opts.context_window_fallbacks, group)
      : e.errorClass === 'ContentPolicyViolationError'
        ? lookup(opts.content_policy_fallbacks, group)
        : undefined;
  if (specific) return specific;
  return lookup(opts.fallbacks, group) ?? opts.default_fallbacks ?? [];
}

/** Whether a group has anywhere to fall back to for an ordinary failure. */
export const hasFallbacks = (opts: RouterOptions, group: string) => (lookup(opts.fallbacks, group) ?? opts.default_fallbacks ?? []).length > 0;

/** Seconds to wait for a whole non-stream call: the deployment's timeout, the router's, request_timeout, 600. */
export const timeoutMs = (opts: RouterOptions, d: Deployment) =>
  1000 * (d.params.timeout ?? opts.timeout ?? opts.request_timeout ?? DEFAULT_TIMEOUT_S);

/** A stream's wait for its first chunk and between chunks: stream_timeout first, else the call timeout. */
export const streamTimeoutMs = (opts: RouterOptions, d: Deployment) =>
  1000 * (d.params.stream_timeout ?? opts.stream_timeout ?? d.params.timeout ?? opts.timeout ?? opts.request_timeout ?? DEFAULT_TIMEOUT_S);

/** allowed_fails, cooldown_time, disable_cooldowns for one group's reports. */
export const cooldownPolicy = (opts: RouterOptions, group: string): CooldownPolicy => ({
  allowedFails: opts.allowed_fails ?? DEFAULT_ALLOWED_FAILS,
  cooldownTime: opts.cooldown_time ?? DEFAULT_COOLDOWN_S,
  disabled: opts.disable_cooldowns ?? false,
  // Cooling a group's last healthy deployment is an outage, unless the group has fallbacks to go to.
  protectLastHealthy: !hasFallbacks(opts, group),
});
