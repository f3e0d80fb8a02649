// Errors in OpenAI's shape, classified with LiteLLM's exception names (the names retry_policy uses).
import type { ErrorClass } from '../config/types';
import { scrub } from '../security/scrub';

const STATUS: Record<ErrorClass, number> = {
  BadRequestError: 400,
  ContextWindowExceededError: 400,
  ContentPolicyViolationError: 400,
  UnprocessableEntityError: 422,
  AuthenticationError: 401,
  PermissionDeniedError: 403,
  NotFoundError: 404,
  Timeout: 408,
  RateLimitError: 429,
  InternalServerError: 500,
  APIConnectionError: 500,
  ServiceUnavailableError: 503,
};

const TYPE: Record<ErrorClass, string> = {
  BadRequestError: 'invalid_request_error',
  ContextWindowExceededError: 'invalid_request_error',
  ContentPolicyViolationError: 'invalid_request_error',
  UnprocessableEntityError: 'invalid_request_error',
  AuthenticationError: 'authentication_error',
  PermissionDeniedError: 'permission_error',
  NotFoundError: 'invalid_request_error',
  Timeout: 'timeout_error',
  RateLimitError: 'rate_limit_error',
  InternalServerError: 'api_error',
  APIConnectionError: 'api_connection_error',
  ServiceUnavailableError: 'api_error',
};

/** LiteLLM's exception class names, as retry_policy and allowed_fails_policy name them. */
export const ERROR_CLASSES = Object.keys(STATUS) as ErrorClass[];

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export class RouterError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;
  /** Seconds, sent as Retry-After on 429/503 and honoured between retries. */
  retryAfter?: number;
  /** The request's own fault found by the gateway (a guardrail's verdict): not the deployment's, never retried or fallen back from. */
  readonly final: boolean;

  constructor(
    readonly errorClass: ErrorClass,
    message: string,
    opts: { status?: number; code?: string | null; param?: string | null; retryAfter?: number; type?: string; final?: boolean } = {},
  ) {
    super(message);
    this.name = errorClass;
    this.status = opts.status ?? STATUS[errorClass];
    this.type = opts.type ?? TYPE[errorClass];
    this.code = opts.code ?? null;
    this.param = opts.param ?? null;
    this.retryAfter = opts.retryAfter;
    this.final = opts.final ?? false;
  }

  /** The client's view (a response body or a stream's error event): scrubbed, whatever built the message. */
  toJSON(): OpenAIErrorBody {
    return { error: { message: scrub(this.message), type: this.type, param: this.param, code: this.code && scrub(this.code) } };
  }

  toResponse(extraHeaders?: Record<string, string>): Response {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...extraHeaders };
    if (this.retryAfter !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(this.retryAfter)));
    return new Response(JSON.stringify(this.toJSON()), { status: this.status, headers });
  }
}

export const badRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new RouterError('BadRequestError', message, { param, code });

/**
 * A fault in the gateway's own code while it handled a request (a translator that threw on a body it should have
 * refused): a 500 of the gateway. It says nothing about any deployment, so it is never booked as a deployment's
 * failure, never retried and never falls back: a caller must not be able to cool a group down with bad bodies.
 */
export class GatewayFault extends RouterError {
  constructor() {
    super('InternalServerError', 'Internal error in the gateway', { code: 'internal_error' });
  }
}

/** Whether an attempt threw from the gateway's own code rather than as a classified outcome of the upstream call. */
export const isGatewayFault = (e: unknown): boolean => !(e instanceof RouterError) && !(e instanceof Error && e.name === 'AbortError');

/** Any thrown value as a RouterError; unknown faults become 500s without leaking their text. */
export function asRouterError(e: unknown): RouterError {
  if (e instanceof RouterError) return e;
  if (e instanceof Error && e.name === 'AbortError') return new RouterError('Timeout', 'Request was aborted', { code: 'aborted' });
  return new RouterError('InternalServerError', 'Internal error in the gateway');
}

/** The HTTP status an error type implies, for errors sent in-band in a 200 stream (Anthropic's and OpenAI's types). */
const STATUS_OF_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  server_error: 500,
  overloaded_error: 529,
};

/**
 * Maps an upstream's status and error code (OpenAI's code, or Anthropic's error type) to LiteLLM's class, as
 * LiteLLM's exception mapping does. An error with a success status came in-band: its type stands for the status.
 */
export function classifyUpstream(httpStatus: number, code: string | undefined, message: string): ErrorClass {
  const status = httpStatus >= 400 ? httpStatus : (STATUS_OF_TYPE[code ?? ''] ?? 500);
  const text = `${code ?? ''} ${message}`.toLowerCase();
  if (status === 400 || status === 413 || status === 422) {
    if (/context_length_exceeded|context length|maximum context|too many tokens|prompt is too long|input is too long/.test(text)) {
      return 'ContextWindowExceededError';
    }
    if (/content_policy|content_filter|content management policy|safety system/.test(text)) return 'ContentPolicyViolationError';
    return status === 422 ? 'UnprocessableEntityError' : 'BadRequestError';
  }
  if (status === 401) return 'AuthenticationError';
  if (status === 403) return 'PermissionDeniedError';
  if (status === 404) return 'NotFoundError';
  if (status === 408) return 'Timeout';
  if (status === 429) return 'RateLimitError';
  if (status === 503 || status === 529) return 'ServiceUnavailableError';
  if (status >= 500) return 'InternalServerError';
  return 'BadRequestError';
}
