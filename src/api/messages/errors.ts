// Errors in Anthropic's shape, {"type":"error","error":{"type","message"}}, with Anthropic's statuses
// (https://docs.anthropic.com/en/api/errors), whatever the deployment that failed spoke.
import type { ErrorClass } from '../../config/types';
import type { RouterError } from '../../router/errors';
import { namedEvent } from '../sse';

export interface AnthropicError {
  type: 'error';
  error: { type: string; message: string };
}

/** LiteLLM's error classes as Anthropic's status and error type. */
const ANTHROPIC: Record<ErrorClass, [number, string]> = {
  BadRequestError: [400, 'invalid_request_error'],
  ContextWindowExceededError: [400, 'invalid_request_error'],
  ContentPolicyViolationError: [400, 'invalid_request_error'],
  UnprocessableEntityError: [400, 'invalid_request_error'],
  AuthenticationError: [401, 'authentication_error'],
  PermissionDeniedError: [403, 'permission_error'],
  NotFoundError: [404, 'not_found_error'],
  Timeout: [500, 'api_error'], // Anthropic documents no timeout status; the message says what happened
  RateLimitError: [429, 'rate_limit_error'],
  InternalServerError: [500, 'api_error'],
  APIConnectionError: [500, 'api_error'],
  ServiceUnavailableError: [529, 'overloaded_error'],
};

export function anthropicStatus(err: RouterError): { status: number; body: AnthropicError } {
  let [status, type] = ANTHROPIC[err.errorClass] ?? [500, 'api_error'];
  // A 413 stays a 413 (the class alone says 400), and so does the gateway's 415 for a body that is not JSON.
  if (err.status === 413) [status, type] = [413, 'request_too_large'];
  else if (err.status === 415) status = 415;
  return { status, body: { type: 'error', error: { type, message: err.message } } };
}

export function anthropicErrorResponse(err: RouterError, headers: Record<string, string> = {}): Response {
  const { status, body } = anthropicStatus(err);
  const h: Record<string, string> = { 'content-type': 'application/json', ...headers };
  if (err.retryAfter !== undefined) h['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfter)));
  return new Response(JSON.stringify(body), { status, headers: h });
}

/** A failure after the first byte of a stream: Anthropic's `error` event. */
export const anthropicErrorEvent = (err: RouterError): Uint8Array => namedEvent(anthropicStatus(err).body);
