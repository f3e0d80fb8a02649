// Google's errors (google.rpc.Status: {error: {code, message, status, details}}) as LiteLLM's classes:
// RESOURCE_EXHAUSTED -> RateLimitError (429, with RetryInfo's delay as Retry-After), a prompt over the context
// window -> ContextWindowExceededError, UNAUTHENTICATED / PERMISSION_DENIED / an invalid API key ->
// AuthenticationError, INVALID_ARGUMENT -> BadRequestError, NOT_FOUND -> NotFoundError, UNAVAILABLE -> 503,
// DEADLINE_EXCEEDED -> Timeout, INTERNAL -> 500.
import type { Deployment } from '../../router/deployment';
import type { RouterError } from '../../router/errors';
import { classifiedError, parseRetryAfter } from '../http';
import type { GoogleErrorBody } from './types';

const STATUS: Record<string, number> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 401,
  NOT_FOUND: 404,
  DEADLINE_EXCEEDED: 408,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  INTERNAL: 500,
  UNKNOWN: 500,
  UNAVAILABLE: 503,
};

const CONTEXT = /input token count.*exceeds|exceeds the maximum number of tokens|request payload size exceeds|context (window|length)|too many tokens/i;
const BAD_KEY = /api key not valid|api_key_invalid|api key expired/i;

/** An error body (from an HTTP answer, or in-band in a stream) as a classified RouterError. */
export function googleError(d: Deployment, httpStatus: number, body: GoogleErrorBody['error'] | undefined, retryAfterHeader?: string | null): RouterError {
  const message = body?.message ?? `HTTP ${httpStatus}`;
  const name = body?.status ?? '';
  let status = STATUS[name] ?? (httpStatus >= 400 ? httpStatus : (body?.code ?? 500));
  let code: string = name.toLowerCase() || String(status);
  if (CONTEXT.test(message) && status === 400) code = 'context_length_exceeded';
  else if (BAD_KEY.test(message) || body?.details?.some((x) => x.reason === 'API_KEY_INVALID')) status = 401;
  const delay = body?.details?.find((x) => x['@type']?.endsWith('google.rpc.RetryInfo'))?.retryDelay;
  const retryAfter = delay ? Number.parseFloat(delay) : parseRetryAfter(retryAfterHeader ?? null);
  return classifiedError(d, status, code, message, Number.isFinite(retryAfter) ? retryAfter : undefined);
}

/** A failed HTTP answer from Google. */
export async function googleErrorFrom(res: Response, d: Deployment): Promise<RouterError> {
  const text = await res.text().catch(() => '');
  let body: GoogleErrorBody['error'] | undefined;
  try {
    const json = JSON.parse(text) as GoogleErrorBody | GoogleErrorBody[];
    // Some Google front ends answer a list of one error.
    body = (Array.isArray(json) ? json[0] : json)?.error;
  } catch {
    body = { message: text.slice(0, 500) || res.statusText };
  }
  return googleError(d, res.status, body, res.headers.get('retry-after'));
}
