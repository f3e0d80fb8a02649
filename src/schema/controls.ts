// LiteLLM's per-request controls: read by the gateway, never sent upstream. The gateway's own knobs are
// capped, so one request cannot buy unbounded work (retries, fallbacks, a mock's sleep).
import * as v from './kit';
import { dict, int, name, nonEmpty, range, text } from './common';

export const MAX_RETRIES_PER_REQUEST = 10;
export const MAX_FALLBACKS_PER_REQUEST = 10;
export const MAX_TAGS_PER_REQUEST = 64;
export const MAX_CACHE_NAMESPACE_LENGTH = 128;

/** A request's tags (body, `metadata.tags`, x-litellm-tags): up to 64, each a name (they reach logs and error messages). */
export const tagList = v.pipe(v.array(name), v.maxLength(MAX_TAGS_PER_REQUEST));
export const MAX_GUARDRAILS_PER_REQUEST = 32;

const seconds = v.pipe(v.number(), v.finite(), v.minValue(0));

/** `cache: {"no-cache": true, "ttl": 60, ...}`: see cache/controls.ts for what each does. */
const cache = v.strictObject({
  'no-cache': v.optional(v.boolean()),
  'no-store': v.optional(v.boolean()),
  'use-cache': v.optional(v.boolean()),
  ttl: v.optional(seconds),
  's-maxage': v.optional(seconds),
  /** A prefix of the storage key, whose hash follows it: at most 128 characters keep it within KV's 512 bytes. */
  namespace: v.optional(v.pipe(nonEmpty, v.maxLength(MAX_CACHE_NAMESPACE_LENGTH))),
});

export const gatewayControls = {
  cache: v.optional(cache),
  /** The answer itself, only for groups served by mock/ deployments (refused elsewhere). */
  mock_response: v.optional(text),
  mock_response_latency_ms: v.optional(range(0, 60_000)),
  /** Retries for this request, over router_settings.num_retries (retry_policy still wins per class). */
  num_retries: v.optional(int(0, MAX_RETRIES_PER_REQUEST)),
  /**
   * This request's fallbacks, in place of the configured ones, in either of LiteLLM's forms: a list of group names
   * or `{model, ...params}` hops (F08), or the router's `[{group: [fallbacks]}]`.
   */
  fallbacks: v.optional(
    v.pipe(
      v.union([v.array(v.union([name, v.looseObject({ model: name })])), v.array(dict(v.string(), v.array(name)))], 'a list of model names, of {"model": ...} objects, or of {group: [fallbacks]}'),
      v.maxLength(MAX_FALLBACKS_PER_REQUEST),
    ),
  ),
  disable_fallbacks: v.optional(v.boolean()),
  /** Request tags for tag routing (also `metadata.tags` and the x-litellm-tags header). */
  tags: v.optional(tagList),
  /** Guardrails to run on this request beside the default_on ones (also `metadata.guardrails`): names, or LiteLLM's `{name: {...}}`. */
  guardrails: v.optional(v.union([v.pipe(v.array(name), v.maxLength(MAX_GUARDRAILS_PER_REQUEST)), dict(v.string(), v.unknown())], 'a list of guardrail names')),
  /** A session to keep on one deployment (optional_pre_call_checks: prompt_caching, session_affinity). */
  litellm_session_id: v.optional(name),
};

/** The controls alone (for bodies passed through, whose other fields are the upstream's to judge, taken out first). */
export const controlsSchema = v.strictObject(gatewayControls);

/** One fallback of a request's own list: a model name, and parameters that replace the request's for that hop (F08). */
export interface FallbackHop {
  model: string;
  params?: Record<string, unknown>;
}

/** The controls as the router reads them: `fallbacks` resolved into one of its two forms, tags gathered. */
export type GatewayControls = Omit<v.Infer<typeof controlsSchema>, 'fallbacks'> & {
  /** `fallbacks` as a plain list (names, or objects with a model): tried in order, in place of any configured (F08). */
  fallback_hops?: FallbackHop[];
  /** `fallbacks` in the router's form ([{group: [fallbacks]}]): replaces router_settings.fallbacks. */
  fallback_list?: Array<Record<string, string[]>>;
};
export const CONTROL_NAMES: ReadonlySet<string> = new Set(Object.keys(gatewayControls));
