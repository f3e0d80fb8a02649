// Bedrock's errors as LiteLLM's classes. The type comes in the `x-amzn-errortype` header (an HTTP error) or the
// `:exception-type` header of a stream frame (camelCase there: `throttlingException`), the text as {"message"}.
import type { Deployment } from '../../router/deployment';
import type { RouterError } from '../../router/errors';
import { classifiedError, parseRetryAfter } from '../http';

/** The status each Bedrock error stands for (AWS's own, except where LiteLLM maps it elsewhere). */
const STATUS: Record<string, number> = {
  ValidationException: 400,
  AccessDeniedException: 401,
  UnrecognizedClientException: 401,
  InvalidSignatureException: 401,
  ExpiredTokenException: 401,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ThrottlingException: 429,
  ServiceQuotaExceededException: 429,
  InternalServerException: 500,
  ModelErrorException: 500,
  ModelStreamErrorException: 500,
  ModelNotReadyException: 503,
  ServiceUnavailableException: 503,
};

/** How Bedrock's models word an over-long prompt (Anthropic, Llama, Mistral, Nova, Titan through Converse). */
const CONTEXT_WINDOW = /input is too long|prompt is too long|too many (input )?tokens|input length|exceeds? (the )?(max(imum)? )?context|context (length|window|limit)/i;

/** `ValidationException:http://internal...`, `com.amazon.coral.service#UnrecognizedClientException` or `throttlingException` -> the name. */
const typeName = (raw: string) => {
  const name = raw.split(':')[0].split('#').pop()!.trim();
  return name.charAt(0).toUpperCase() + name.slice(1);
};

/** A Bedrock error (from an HTTP answer or a stream's exception frame) as a classified RouterError. */
export function bedrockError(d: Deployment, rawType: string | undefined, message: string, httpStatus?: number, retryAfter?: number): RouterError {
  const type = rawType ? typeName(rawType) : undefined;
  const status = (type && STATUS[type]) || (httpStatus && httpStatus >= 400 ? httpStatus : 500);
  const code = status === 400 && CONTEXT_WINDOW.test(message) ? 'context_length_exceeded' : type;
  return classifiedError(d, status, code, message, retryAfter);
}

/** Reads a failed Bedrock answer: its type header and its JSON message. */
export async function readError(res: Response, d: Deployment): Promise<RouterError> {
  const text = await res.text().catch(() => '');
  let message = text.slice(0, 500);
  let bodyType: string | undefined;
  try {
    const json = JSON.parse(text) as { message?: string; Message?: string; __type?: string };
    message = json.message ?? json.Message ?? message;
    bodyType = json.__type;
  } catch {
    // not JSON: the text as it is
  }
  const type = res.headers.get('x-amzn-errortype') ?? bodyType;
  return bedrockError(d, type, message || res.statusText, res.status, parseRetryAfter(res.headers.get('retry-after')));
}
