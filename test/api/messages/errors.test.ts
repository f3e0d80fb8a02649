import { describe, expect, it } from 'vitest';
import { anthropicErrorEvent, anthropicErrorResponse } from '../../../src/api/messages/errors';
import type { ErrorClass } from '../../../src/config/types';
import { RouterError } from '../../../src/router/errors';

describe('errors in Anthropic’s shape and statuses', () => {
  it.each([
    ['BadRequestError', undefined, 400, 'invalid_request_error'],
    ['ContextWindowExceededError', undefined, 400, 'invalid_request_error'],
    ['BadRequestError', 413, 413, 'request_too_large'],
    ['AuthenticationError', undefined, 401, 'authentication_error'],
    ['PermissionDeniedError', undefined, 403, 'permission_error'],
    ['NotFoundError', undefined, 404, 'not_found_error'],
    ['RateLimitError', undefined, 429, 'rate_limit_error'],
    ['InternalServerError', undefined, 500, 'api_error'],
    ['Timeout', undefined, 500, 'api_error'],
    ['ServiceUnavailableError', undefined, 529, 'overloaded_error'],
  ])('%s (status %s) -> %i %s', async (cls, status, httpStatus, type) => {
    const res = anthropicErrorResponse(new RouterError(cls as ErrorClass, 'why', { status }));
    expect(res.status).toBe(httpStatus);
    expect(await res.json()).toEqual({ type: 'error', error: { type, message: 'why' } });
  });

  it('keeps Retry-After, and a stream error is an `error` event', async () => {
    const err = new RouterError('RateLimitError', 'wait', { retryAfter: 2.2 });
    expect(anthropicErrorResponse(err).headers.get('retry-after')).toBe('3');
    expect(new TextDecoder().decode(anthropicErrorEvent(err))).toBe('event: error\ndata: {"type":"error","error":{"type":"rate_limit_error","message":"wait"}}\n\n');
  });
});
