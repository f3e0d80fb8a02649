// Errors on /v1/responses: the HTTP answer is OpenAI's {"error":{...}} (RouterError's own shape). A failure
// after a stream's first byte is the Responses' `error` event; it also carries an `error` object, so the
// OpenAI SDKs raise instead of passing a truncated answer off as whole.
import type { RouterError } from '../../router/errors';
import { namedEvent } from '../sse';

export function responsesErrorEvent(err: RouterError, sequenceNumber: number): Uint8Array {
  const { error } = err.toJSON();
  return namedEvent({ type: 'error', code: error.code ?? error.type, message: error.message, param: error.param, sequence_number: sequenceNumber, error } as { type: string });
}
