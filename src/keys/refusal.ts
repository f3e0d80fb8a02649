// A Refusal (plain data, from policy.ts or the KeyStore) as the gateway's OpenAI-shaped error.
import type { ErrorClass } from '../config/types';
import { RouterError } from '../router/errors';
import { UNKNOWN_KEY } from './policy';
import type { Refusal } from './types';

const CLASS: Record<number, ErrorClass> = {
  400: 'BadRequestError',
  401: 'AuthenticationError',
  403: 'PermissionDeniedError',
  404: 'NotFoundError',
  429: 'RateLimitError',
};

export function refusalError(r: Refusal): RouterError {
  return new RouterError(CLASS[r.status] ?? 'BadRequestError', r.message, {
    status: r.status,
    type: r.type,
    code: r.code,
    param: r.param,
    retryAfter: r.retryAfter,
  });
}

export const unknownKey = () => refusalError(UNKNOWN_KEY);
