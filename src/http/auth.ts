// general_settings.master_key: `Authorization: Bearer <key>`, compared in constant time.
import type { MiddlewareHandler } from 'hono';
import { RouterError } from '../router/errors';

const encoder = new TextEncoder();
const digests = new Map<string, Promise<ArrayBuffer>>();

/** Hashing both sides first makes the compare constant-time whatever the lengths. */
const digest = (s: string) => crypto.subtle.digest('SHA-256', encoder.encode(s));

export async function keyMatches(given: string, expected: string): Promise<boolean> {
  let want = digests.get(expected);
  if (!want) digests.set(expected, (want = digest(expected)));
  const [a, b] = await Promise.all([digest(given), want]);
  return crypto.subtle.timingSafeEqual(a, b);
}

export function bearerToken(header: string | undefined): string | undefined {
  const m = header?.match(/^Bearer\s+(.+)$/i);
  return m?.[1].trim();
}

/** The key a client presented: Authorization: Bearer, else x-api-key or api-key (Anthropic and Azure clients). */
export function presentedKey(header: (name: string) => string | undefined): string | undefined {
  return bearerToken(header('authorization')) ?? header('x-api-key') ?? header('api-key');
}

export function requireMasterKey(masterKey: () => string | undefined): MiddlewareHandler {
  return async (c, next) => {
    const expected = masterKey();
    if (!expected) return next();
    const given = presentedKey((name) => c.req.header(name));
    if (!given) throw new RouterError('AuthenticationError', 'Missing API key: send Authorization: Bearer <key>', { code: 'missing_api_key' });
    if (!(await keyMatches(given, expected))) {
      throw new RouterError('AuthenticationError', 'Invalid API key', { code: 'invalid_api_key' });
    }
    return next();
  };
}
