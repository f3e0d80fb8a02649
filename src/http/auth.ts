// general_settings.master_key: `Authorization: Bearer <key>`, compared in constant time.

const encoder = new TextEncoder();
const encoded = new Map<string, Uint8Array>();

/**
 * Constant time in the key's content: equal lengths are compared with timingSafeEqual, and a wrong
 * length does the same work against the key itself. Only the length can be learnt from timing, as with
 * any fixed-format secret; no hash per request on the hot path.
 */
export function keyMatches(given: string, expected: string): boolean {
  let want = encoded.get(expected);
  if (!want) encoded.set(expected, (want = encoder.encode(expected)));
  const got = encoder.encode(given);
  if (got.byteLength !== want.byteLength) {
    crypto.subtle.timingSafeEqual(want, want);
    return false;
  }
  return crypto.subtle.timingSafeEqual(got, want);
}

export function bearerToken(header: string | undefined): string | undefined {
  const m = header?.match(/^Bearer\s+(.+)$/i);
  return m?.[1].trim();
}

/**
 * The key a client presented: Authorization: Bearer, else x-api-key or api-key (Anthropic and Azure clients), else
 * a browser's realtime WebSocket subprotocol `openai-insecure-api-key.<key>`.
 */
export function presentedKey(header: (name: string) => string | undefined): string | undefined {
  return bearerToken(header('authorization')) ?? header('x-api-key') ?? header('api-key') ?? /openai-insecure-api-key\.([^,\s]+)/.exec(header('sec-websocket-protocol') ?? '')?.[1];
}
