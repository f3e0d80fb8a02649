// One JSON POST to a guardrail service: a status that is not 2xx, or a body that is not JSON, is the service
// failing (fail_open decides what the request does then), never a verdict.
import { scrub } from '../../security/scrub';
import type { Findings } from '../../config/validate';

export async function postJson(fetcher: typeof fetch, url: string, headers: Record<string, string>, body: unknown, signal: AbortSignal): Promise<any> {
  const res = await fetcher(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal });
  const text = await res.text();
  if (!res.ok) throw new Error(`${new URL(url).host} answered ${res.status}: ${scrub(text).slice(0, 200)}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${new URL(url).host} answered with a body that is not JSON`);
  }
}

/** A service's base URL and its key, each required: a URL without its key would send every request unchecked (or refused). */
export function requireKeys(params: Record<string, unknown>, path: string, out: Findings, keys: string[]) {
  for (const k of keys) if (typeof params[k] !== 'string' || params[k] === '') out.errors.push(`${path}.${k}: required for guardrail "${params.guardrail}"`);
}

export const base = (url: string) => url.replace(/\/+$/, '');
