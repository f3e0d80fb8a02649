// AWS Signature Version 4 on WebCrypto, the canonical request built as aws4fetch builds it (the tests hold the
// two equal): every given header signed but content-type, the path encoded twice (as the AWS SDK does for every
// service but S3), the query sorted by key then value, the payload's SHA-256.
import { digestHex as sha256, hex } from '../../utils/digest';

const enc = new TextEncoder();

const hmac = async (key: string | ArrayBuffer, data: string) =>
  crypto.subtle.sign('HMAC', await crypto.subtle.importKey('raw', typeof key === 'string' ? enc.encode(key) : key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']), enc.encode(data));
/** encodeURIComponent, with the !'()* it leaves alone encoded too (RFC 3986). */
export const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  region: string;
  service: string;
}

/**
 * The request's headers with x-amz-date, x-amz-security-token (with a session token) and authorization added.
 * `keys` keeps the signing keys derived per (secret, day, region, service).
 */
export async function sigV4(
  method: string,
  url: string,
  given: Record<string, string>,
  body: string | ArrayBuffer | undefined,
  c: AwsCredentials,
  keys: Map<string, ArrayBuffer>,
  datetime = new Date().toISOString().replace(/[:-]|\.\d{3}/g, ''),
): Promise<Headers> {
  const u = new URL(url);
  const headers = new Headers(given);
  headers.set('x-amz-date', datetime);
  if (c.sessionToken) headers.set('x-amz-security-token', c.sessionToken);
  const names = ['host', ...headers.keys()].filter((n) => n !== 'content-type').sort();
  const signed = names.join(';');
  const day = datetime.slice(0, 8);
  const scope = `${day}/${c.region}/${c.service}/aws4_request`;
  const query = [...u.searchParams]
    .filter(([k]) => k)
    .map((p) => p.map(rfc3986))
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map((p) => p.join('='))
    .join('&');
  const canonical = [
    method.toUpperCase(),
    rfc3986(u.pathname.replace(/\/+/g, '/')).replace(/%2F/g, '/'),
    query,
    names.map((n) => `${n}:${n === 'host' ? u.host : headers.get(n)!.replace(/\s+/g, ' ')}\n`).join(''),
    signed,
    await sha256(body ?? ''),
  ].join('\n');
  const cacheKey = [c.secretAccessKey, day, c.region, c.service].join();
  let key = keys.get(cacheKey);
  if (!key) {
    key = await hmac(`AWS4${c.secretAccessKey}`, day);
    for (const part of [c.region, c.service, 'aws4_request']) key = await hmac(key, part);
    keys.set(cacheKey, key);
  }
  const signature = hex(await hmac(key, `AWS4-HMAC-SHA256\n${datetime}\n${scope}\n${await sha256(canonical)}`));
  headers.set('authorization', `AWS4-HMAC-SHA256 Credential=${c.accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}`);
  return headers;
}
