// The cache key: a SHA-256 of everything that changes the answer, scoped to the caller. Never a secret:
// provider keys are not in the request, and the caller is known only by a hash of its key.
import type { GatewayControls } from '../router/request';
import type { CachedCall } from './response-cache';
import { digestHex } from '../utils/digest';

/** Request fields that do not change the answer (`model` is replaced by the resolved model group). */
const NOT_IN_KEY = new Set(['model', 'stream', 'stream_options', 'user', 'metadata']);

export interface KeyParts {
  call: CachedCall;
  /** The model group after alias resolution: `gpt4` and `gpt-4o` share answers when one aliases the other. */
  group: string;
  /** The client's request, as parsed (upstream-bound parameters only). */
  request: Record<string, unknown>;
  controls: GatewayControls;
  /** An opaque caller id (see callerScope); undefined when the gateway is open to anyone. */
  caller?: string;
}

export function cacheKey({ call, group, request, controls, caller }: KeyParts): Promise<string> {
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(request)) if (!NOT_IN_KEY.has(k)) params[k] = v;
  // mock_response is a gateway control, yet it is the answer itself.
  return digestHex(canonicalJson({ v: 1, call, group, caller: caller ?? 'public', params, mock: controls.mock_response }));
}

/** Scopes already hashed in this isolate: callers present the same few keys on every request. */
const scopes = new Map<string, string>();
const MAX_SCOPES = 1024;

/** The caller's scope: a hash of the key it presented, so entries never cross callers and never hold a key. */
export async function callerScope(presentedKey: string): Promise<string> {
  const known = scopes.get(presentedKey);
  if (known !== undefined) return known;
  const scope = await digestHex(`edge-llm-router/cache-scope\n${presentedKey}`);
  if (scopes.size >= MAX_SCOPES) scopes.delete(scopes.keys().next().value!);
  scopes.set(presentedKey, scope);
  return scope;
}

/** JSON with object keys sorted and null/undefined fields dropped: equal requests, equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const field = (v as Record<string, unknown>)[k];
      if (field !== null && field !== undefined) out[k] = field;
    }
    return out;
  });
}
