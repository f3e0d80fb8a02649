import { describe, expect, it } from 'vitest';
import { responsesErrorEvent } from '../../../src/api/responses/errors';
import { RouterError } from '../../../src/router/errors';

describe('Responses stream errors', () => {
  it('are the `error` event with code, message, param and sequence_number, and an OpenAI error object', () => {
    const text = new TextDecoder().decode(responsesErrorEvent(new RouterError('RateLimitError', 'slow', { code: 'rate_limit_exceeded' }), 7));
    expect(text.startsWith('event: error\ndata: ')).toBe(true);
    expect(JSON.parse(text.slice(text.indexOf('data: ') + 6))).toEqual({
      type: 'error',
      code: 'rate_limit_exceeded',
      message: 'slow',
      param: null,
      sequence_number: 7,
      error: { message: 'slow', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' },
    });
  });
});
