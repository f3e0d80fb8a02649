// Google's OAuth 2.0 for service accounts, in WebCrypto: an RS256-signed JWT (RFC 7523) exchanged at the account's
// token_uri for an access token, which is cached in the isolate until shortly before it expires. Only settled
// values are shared between requests, never an exchange in flight: awaiting a promise that another request's
// I/O settles is what workerd cancels as a hung request. So requests that meet no token at once each exchange.
import type { Deployment } from '../../router/deployment';
import { RouterError } from '../../router/errors';
import { connectionError, scrub } from '../http';
import type { ServiceAccount } from './credentials';

export const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const LIFETIME_S = 3600;
/** A token this close to its expiry is renewed: a request never starts with one about to lapse. */
const MARGIN_MS = 5 * 60_000;

interface Cached {
  token: string;
  expiresAt: number;
}

const cache = new Map<string, Cached>();
const keys = new Map<string, CryptoKey>();

const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const b64urlJson = (value: unknown) => b64url(new TextEncoder().encode(JSON.stringify(value)));

function pkcs8(pem: string): Uint8Array {
  const body = pem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '').replace(/\s+/g, '');
  return Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
}

async function signingKey(account: ServiceAccount): Promise<CryptoKey> {
  let key = keys.get(account.private_key);
  if (!key) {
    key = await crypto.subtle.importKey('pkcs8', pkcs8(account.private_key), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
    keys.set(account.private_key, key);
  }
  return key;
}

/** The signed assertion: header.claims.signature, each base64url. */
export async function signedJwt(account: ServiceAccount, nowMs: number): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  const header = { alg: 'RS256', typ: 'JWT', ...(account.private_key_id && { kid: account.private_key_id }) };
  const claims = { iss: account.client_email, scope: SCOPE, aud: account.token_uri, iat, exp: iat + LIFETIME_S };
  const input = `${b64urlJson(header)}.${b64urlJson(claims)}`;
  const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', await signingKey(account), new TextEncoder().encode(input));
  return `${input}.${b64url(new Uint8Array(signature))}`;
}

/** An access token for the account, from the isolate's cache or a fresh exchange. */
export async function accessToken(account: ServiceAccount, call: { fetch: typeof fetch; signal: AbortSignal; deployment: Deployment }, now = Date.now()): Promise<string> {
  const id = `${account.token_uri} ${account.client_email} ${account.private_key}`;
  const hit = cache.get(id);
  if (hit && hit.expiresAt - MARGIN_MS > now) return hit.token;
  const { token, expiresIn } = await exchange(account, call, now);
  cache.set(id, { token, expiresAt: now + expiresIn * 1000 });
  return token;
}

async function exchange(account: ServiceAccount, call: { fetch: typeof fetch; signal: AbortSignal; deployment: Deployment }, now: number) {
  const body = new URLSearchParams({ grant_type: GRANT_TYPE, assertion: await signedJwt(account, now) });
  let res: Response;
  try {
    res = await call.fetch(account.token_uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
      signal: call.signal,
    });
  } catch (e) {
    throw connectionError(e, call.signal);
  }
  const text = await res.text().catch(() => '');
  let json: { access_token?: string; expires_in?: number; error?: string; error_description?: string } = {};
  try {
    json = JSON.parse(text);
  } catch {
    // reported below
  }
  if (!res.ok || typeof json.access_token !== 'string') {
    const why = json.error ? `${json.error}${json.error_description ? `: ${json.error_description}` : ''}` : `HTTP ${res.status}`;
    // invalid_grant and the like are the credentials' fault; a 5xx or 429 from the token endpoint is not.
    const errorClass = res.status === 429 ? 'RateLimitError' : res.status >= 500 ? 'ServiceUnavailableError' : 'AuthenticationError';
    throw new RouterError(errorClass, `vertex_ai token exchange for ${account.client_email} failed (deployment ${call.deployment.id}): ${scrub(why)}`, {
      code: json.error ?? null,
    });
  }
  return { token: json.access_token, expiresIn: typeof json.expires_in === 'number' ? json.expires_in : LIFETIME_S };
}
