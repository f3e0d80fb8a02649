// LiteLLM's per-request controls: read by the gateway, never sent upstream. The gateway's own knobs are
// capped, so one request cannot buy unbounded work (retries, fallbacks, a mock's sleep).
import * as v from 'valibot';
import { int, nonEmpty, range, text } from './common';

export const MAX_RETRIES_PER_REQUEST = 10;
export const MAX_FALLBACKS_PER_REQUEST = 10;

const seconds = v.pipe(v.number(), v.finite(), v.minValue(0));

/** `cache: {"no-cache": true, "ttl": 60, ...}`: see cache/controls.ts for what each does. */
const cache = v.strictObject({
  'no-cache': v.optional(v.boolean()),
  'no-store': v.optional(v.boolean()),
  'use-cache': v.optional(v.boolean()),
  ttl: v.optional(seconds),
  's-maxage': v.optional(seconds),
  namespace: v.optional(nonEmpty),
});

export const gatewayControls = {
  cache: v.optional(cache),
  /** The answer itself, only for groups served by mock/ deployments (refused elsewhere). */
  mock_response: v.optional(text),
  mock_response_latency_ms: v.optional(range(0, 60_000)),
  /** Retries for this request, over router_settings.num_retries (retry_policy still wins per class). */
  num_retries: v.optional(int(0, MAX_RETRIES_PER_REQUEST)),
  /** Fallback groups for this request, in place of the configured ones. */
  fallbacks: v.optional(v.pipe(v.array(nonEmpty), v.maxLength(MAX_FALLBACKS_PER_REQUEST))),
};

const controls = v.object(gatewayControls);
export type GatewayControls = v.InferOutput<typeof controls>;
export const CONTROL_NAMES: ReadonlySet<string> = new Set(Object.keys(gatewayControls));
