// Google's google.rpc.Status errors -> LiteLLM's classes (src/providers/gemini/errors.ts).
import { describe, expect, it } from 'vitest';
import { googleErrorFrom } from '../../../src/providers/gemini/errors';
import { errors } from '../../fixtures/gemini';
import { deployment } from './helpers';

const answer = (e: { status: number; json: unknown }, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(e.json), { status: e.status, headers: { 'content-type': 'application/json', ...headers } });

describe('gemini errors', () => {
  const cases: Array<[keyof typeof errors, string, number]> = [
    ['quota', 'RateLimitError', 429],
    ['badKey', 'AuthenticationError', 401],
    ['permissionDenied', 'AuthenticationError', 401],
    ['contextLength', 'ContextWindowExceededError', 400],
    ['invalidArgument', 'BadRequestError', 400],
    ['notFound', 'NotFoundError', 404],
    ['overloaded', 'ServiceUnavailableError', 503],
    ['internal', 'InternalServerError', 500],
  ];
  for (const [name, errorClass, status] of cases) {
    it(`${name} -> ${errorClass} (${status})`, async () => {
      const e = await googleErrorFrom(answer(errors[name]), deployment());
      expect(e.errorClass).toBe(errorClass);
      expect(e.status).toBe(status);
      expect(e.message).toContain((errors[name].json as any).error.message);
    });
  }

  it("RESOURCE_EXHAUSTED's RetryInfo delay becomes Retry-After", async () => {
    const e = await googleErrorFrom(answer(errors.quota), deployment());
    expect(e.retryAfter).toBe(37);
  });

  it('a body that is not JSON still classifies by status, and the key never shows', async () => {
    const e = await googleErrorFrom(new Response('upstream said AIza-test-key-123456 is bad', { status: 502 }), deployment());
    expect(e.errorClass).toBe('InternalServerError');
    expect(e.message).not.toContain('AIza-test-key-123456');
  });
});
