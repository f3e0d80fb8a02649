// Retry, cooldown and fallback policy, as LiteLLM decides them (reference ids R, C, F in
// ../shared/reference/litellm-router-semantics.md): which errors retry how often, how long to wait, which
// failures cool a deployment down and for how long, where a failed group falls back to.
import type { ErrorClass, FallbackList, RetryPolicy, RouterOptions } from '../config/types';
import type { CooldownClass, CooldownPolicy } from '../state/ledger';
import type { Deployment } from './deployment';
import { GatewayFault, type RouterError } from './errors';
import { isPattern } from './groups';
import type { FallbackHop, GatewayControls } from './request';

/** LiteLLM's default num_retries (R01). */
export const DEFAULT_NUM_RETRIES = 2;
/** LiteLLM's litellm.allowed_fails: leaving allowed_fails at it keeps the failure-rate rule (C02). */
export const DEFAULT_ALLOWED_FAILS = 3;
export const DEFAULT_COOLDOWN_S = 5;
/** LiteLLM's default request_timeout (s). */
export const DEFAULT_TIMEOUT_S = 600;
/** A hard bound on upstream calls per client request, whatever the config says. */
export const MAX_ATTEMPTS = 25;
export const DEFAULT_MAX_FALLBACKS = 5;
/** LiteLLM's _calculate_retry_after: 0.5 s doubling to 8 s, jittered down by up to a quarter; Retry-After up to 60 s. */
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8_000;
const RETRY_AFTER_MAX_S = 60;

/** Errors that are the request's fault: another try cannot help unless a retry_policy says so (R07). */
const NOT_RETRIED = new Set<ErrorClass>([
  'BadRequestError',
  'UnprocessableEntityError',
  'ContextWindowExceededError',
  'ContentPolicyViolationError',
]);

/** A deployment's own misconfiguration: worth a retry only on another deployment (R07). */
const DEPLOYMENT_FAULT = new Set<ErrorClass>(['AuthenticationError', 'PermissionDeniedError', 'NotFoundError']);

/**
 * Which failures may cool a deployment down (C01): 401 and 404 at once, 429 at once in a group of more than
 * one, 408/5xx (and connection faults) by the failure-rate rule; other 4xx never.
 */
export function cooldownClass(e: RouterError): CooldownClass | undefined {
  switch (e.errorClass) {
    case 'AuthenticationError':
    case 'NotFoundError':
      return 'at_once';
    case 'RateLimitError':
      return 'rate_limit';
    case 'Timeout':
    case 'InternalServerError':
    case 'ServiceUnavailableError':
    case 'APIConnectionError':
      return 'unhealthy';
    default:
      return undefined;
  }
}

/** retry_policy key spellings LiteLLM accepts, per class, most specific first (R08: subclasses fall to BadRequestError). */
const POLICY_KEYS: Partial<Record<ErrorClass, string[]>> = {
  ContextWindowExceededError: ['ContextWindowExceededError', 'BadRequestError'],
  ContentPolicyViolationError: ['ContentPolicyViolationError', 'BadRequestError'],
  Timeout: ['Timeout', 'TimeoutError'],
};

function policyRetries(policy: RetryPolicy | undefined, errorClass: ErrorClass): number | undefined {
  if (!policy) return undefined;
  for (const name of POLICY_KEYS[errorClass] ?? [errorClass]) {
    const v = policy[`${name}Retries`] ?? policy[name];
    if (v !== undefined) return typeof v === 'number' ? v : v.max_retries;
  }
  return undefined;
}

/**
 * How many retries inside the group this error gets: the group's model_group_retry_policy, which replaces
 * retry_policy wholesale (R09), else retry_policy (R08), else the request's or deployment's or router's num_retries.
 */
export function retriesFor(
  opts: RouterOptions,
  group: string,
  e: RouterError,
  otherDeploymentFree: boolean,
  /** The request's own num_retries, else the failed deployment's litellm_params num_retries / max_retries. */
  requestRetries?: number,
): number {
  const byClass = policyRetries(opts.model_group_retry_policy?.[group] ?? opts.retry_policy, e.errorClass);
  if (byClass !== undefined) return byClass;
  if (NOT_RETRIED.has(e.errorClass)) return 0;
  if (DEPLOYMENT_FAULT.has(e.errorClass) && !otherDeploymentFree) return 0;
  return requestRetries ?? opts.num_retries ?? DEFAULT_NUM_RETRIES;
}

/**
 * How long to wait before retry number `n` (1-based), as LiteLLM's _time_to_sleep_before_retry (R03): nothing
 * when the group has another deployment; else the upstream's Retry-After when 0 < it <= 60 s, else
 * min(0.5 s x 2^(n-1), 8 s) x (1 - 0.25 x random), at least retry_after.
 */
export function backoffMs(opts: RouterOptions, n: number, e: RouterError, groupSize: number, random: () => number): number {
  if (groupSize > 1) return 0;
  if (e.retryAfter !== undefined && e.retryAfter > 0 && e.retryAfter <= RETRY_AFTER_MAX_S) return e.retryAfter * 1000;
  const exp = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (n - 1)) * (1 - 0.25 * random());
  return Math.max((opts.retry_after ?? 0) * 1000, exp);
}

/** Whether a failed group may hand over to its fallbacks (not for the client's own bad request, nor a fault of the gateway's). */
export const fallsBack = (e: RouterError) => e.errorClass !== 'BadRequestError' && e.errorClass !== 'UnprocessableEntityError' && !(e instanceof GatewayFault);

/** Only an exact key counts in context_window_fallbacks and content_policy_fallbacks. */
function exact(list: FallbackList, names: readonly string[]): string[] | undefined {
  for (const name of names) for (const entry of list) if (entry[name]) return entry[name];
  return undefined;
}

/** LiteLLM's get_fallback_model_group (F05): an exact key, else the name without its provider prefix, else "*". */
function lookup(list: FallbackList, names: readonly string[]): string[] | undefined {
  const found = exact(list, names);
  if (found) return found;
  for (const name of names) {
    const slash = name.indexOf('/');
    if (slash < 0) continue;
    const stripped = exact(list, [name.slice(slash + 1)]);
    if (stripped) return stripped;
  }
  return exact(list, ['*']);
}

/** The router's fallbacks with default_fallbacks as the "*" entry LiteLLM makes of them. */
const generalFallbacks = (opts: RouterOptions): FallbackList =>
  opts.default_fallbacks ? [...(opts.fallbacks ?? []), { '*': opts.default_fallbacks }] : (opts.fallbacks ?? []);

/**
 * Where a failed group goes next (F05-F08), or undefined for nowhere. `names` are the requested name, then the
 * group it resolved to. A set context_window_fallbacks or content_policy_fallbacks is the only list for its
 * error (F06, F07); a request's own plain list wins over everything, its standard list replaces the router's.
 */
export function fallbackHops(opts: RouterOptions, controls: GatewayControls, names: readonly string[], e: RouterError): FallbackHop[] | undefined {
  if (controls.disable_fallbacks === true) return undefined;
  if (controls.fallback_hops) return controls.fallback_hops;
  const hops = (groups: string[] | undefined) => groups?.map((model) => ({ model }));
  if (e.errorClass === 'ContextWindowExceededError' && opts.context_window_fallbacks) return hops(exact(opts.context_window_fallbacks, names));
  if (e.errorClass === 'ContentPolicyViolationError' && opts.content_policy_fallbacks) return hops(exact(opts.content_policy_fallbacks, names));
  return hops(lookup(controls.fallback_list ?? generalFallbacks(opts), names));
}

/**
 * Whether a 200 with finish_reason "content_filter" is raised as a content-policy error (F07): only when that
 * error would go somewhere, so without a fallback for it the answer reaches the client unchanged.
 */
export function raisesContentFilter(opts: RouterOptions, controls: GatewayControls, names: readonly string[]): boolean {
  if (controls.disable_fallbacks === true) return false;
  if (opts.content_policy_fallbacks) return exact(opts.content_policy_fallbacks, names) !== undefined;
  return exact(controls.fallback_list ?? generalFallbacks(opts), ['*']) !== undefined || controls.fallback_hops !== undefined;
}

/** Seconds to wait for a whole non-stream call: the deployment's timeout, the router's, request_timeout, 600. */
export const timeoutMs = (opts: RouterOptions, d: Deployment) =>
  1000 * (d.params.timeout ?? opts.timeout ?? opts.request_timeout ?? DEFAULT_TIMEOUT_S);

/** A stream's wait for its first chunk and between chunks: stream_timeout first, else the call timeout. */
export const streamTimeoutMs = (opts: RouterOptions, d: Deployment) =>
  1000 * (d.params.stream_timeout ?? opts.stream_timeout ?? d.params.timeout ?? opts.timeout ?? opts.request_timeout ?? DEFAULT_TIMEOUT_S);

/**
 * How one failure of deployment `d` is judged for cooldown. allowed_fails set to anything but LiteLLM's default 3,
 * or an allowed_fails_policy entry for the error, switches to counting failures (C04). The cooldown lasts the
 * deployment's cooldown_time, else the upstream's Retry-After, else the router's (C05); 0 means none. Wildcard
 * deployments are never cooled (C06): one requested name failing says nothing of the others.
 */
export function cooldownPolicy(opts: RouterOptions, d: Deployment, e: RouterError, groupSize: number): CooldownPolicy {
  const byPolicy = opts.allowed_fails_policy?.[`${e.errorClass === 'Timeout' ? 'TimeoutError' : e.errorClass}AllowedFails`];
  const allowed = opts.allowed_fails !== undefined && opts.allowed_fails !== DEFAULT_ALLOWED_FAILS ? opts.allowed_fails : undefined;
  return {
    allowedFails: byPolicy ?? (opts.allowed_fails_policy ? (opts.allowed_fails ?? DEFAULT_ALLOWED_FAILS) : allowed),
    cooldownTime: d.params.cooldown_time ?? (opts.cooldown_time === 0 ? 0 : (e.retryAfter ?? opts.cooldown_time ?? DEFAULT_COOLDOWN_S)),
    counterTtl: opts.cooldown_time ?? DEFAULT_COOLDOWN_S,
    disabled: (opts.disable_cooldowns ?? false) || d.wildcard || isPattern(d.group),
    groupSize,
  };
}
