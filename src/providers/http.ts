// The HTTP plumbing providers share: send JSON, map a failed upstream answer to a classified RouterError.
import { classifyUpstream, RouterError } from '../router/errors';
import type { Deployment } from '../router/deployment';
import { scrub } from '../security/scrub';

// Providers and other branches import scrub from here; the one implementation is src/security/scrub.ts.
export { scrub };

export async function postJson(
  call: { fetch: typeof fetch; signal: AbortSignal; deployment: Deployment },
  url: string,
  headers: Record<string, string>,
  /** JSON, or a multipart form (sent as is, its boundary in the content type fetch sets). */
  body: unknown,
  /** Reads a failed answer in the upstream's own error shape (default: OpenAI's and Anthropic's). */
  onError: (res: Response, d: Deployment) => Promise<RouterError> = upstreamError,
): Promise<Response> {
  let res: Response;
  try {
    res = await call.fetch(url, {
      method: 'POST',
      headers: body instanceof FormData ? headers : { 'content-type': 'application/json', ...headers },
      body: body instanceof FormData ? body : JSON.stringify(body),
      signal: call.signal,
    });
  } catch (e) {
    throw connectionError(e, call.signal);
  }
  if (!res.ok) throw await onError(res, call.deployment);
  return res;
}

/** A fetch that threw: our own abort (timeout or client gone), or a connection fault (reset, refused, DNS). */
export function connectionError(e: unknown, signal: AbortSignal): RouterError {
  if (signal.aborted) {
    const reason = signal.reason;
    return reason instanceof RouterError ? reason : new RouterError('Timeout', 'Upstream request aborted', { code: 'aborted' });
  }
  const detail = e instanceof Error ? e.message : String(e);
  return new RouterError('APIConnectionError', `Connection to the upstream failed: ${scrub(detail)}`, {
    code: 'connection_error',
  });
}

/** Reads an upstream error body (OpenAI's {error:{message,code,type}}, Anthropic's {type:'error',error:{type,message}}, any JSON) into a RouterError. */
export async function upstreamError(res: Response, d: Deployment, parsed?: { message?: string; code?: string }): Promise<RouterError> {
  let message = parsed?.message;
  let code = parsed?.code;
  if (message === undefined) {
    const text = await res.text().catch(() => '');
    try {
      const json = JSON.parse(text) as { error?: { message?: string; code?: string; type?: string } | string; message?: string };
      const err = typeof json.error === 'object' ? json.error : undefined;
      message = err?.message ?? (typeof json.error === 'string' ? json.error : json.message);
      code = err?.code ?? err?.type;
    } catch {
      // Scrubbed before the cut: a key straddling it would otherwise leave all but its last characters.
      message = scrub(text, d).slice(0, 500);
    }
  }
  return classifiedError(d, res.status, code, message || res.statusText, parseRetryAfter(res.headers.get('retry-after')));
}

/** An upstream's error, from an HTTP answer or sent in-band in a stream (status 200), as a classified RouterError. */
export function classifiedError(d: Deployment, status: number, code: string | undefined, message: string, retryAfter?: number): RouterError {
  const errorClass = classifyUpstream(status, code, message);
  const where = status >= 400 ? `error (${status})` : 'stream error';
  return new RouterError(errorClass, `${d.provider.name} ${where} from deployment ${d.id}: ${scrub(message, d)}`, {
    status: status >= 400 && (errorClass === 'BadRequestError' || errorClass === 'NotFoundError') ? status : undefined,
    code: code ?? null,
    retryAfter,
  });
}

export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

/**
 * A successful answer's JSON object. Anything else (an HTML error page with a 200, garbage, a bare value) is
 * the deployment's fault, named as such and retried like a 500; its text is not repeated, it may hold anything.
 */
export async function upstreamJson<T>(res: Response, d: Deployment): Promise<T> {
  return jsonObject<T>(await res.json().catch(() => undefined), res, d);
}

/** upstreamJson, with the answer's text too: passed to the client as it came, it need not be serialised again. */
export async function upstreamJsonText<T>(res: Response, d: Deployment): Promise<{ value: T; text: string }> {
  const text = await res.text().catch(() => '');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // named below, as any other body that is not a JSON object
  }
  return { value: jsonObject<T>(value, res, d), text };
}

function jsonObject<T>(value: unknown, res: Response, d: Deployment): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RouterError('InternalServerError', `Deployment ${d.id} answered ${res.status} with a body that is not a JSON object`, {
      code: 'invalid_upstream_response',
    });
  }
  return value as T;
}
