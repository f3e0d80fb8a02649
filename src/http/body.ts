// The request body, read once for every route before any route parses it: its type (415), its size (413) and
// its nesting depth (400) are checked before JSON.parse, and every later walk over the value (validation, token
// estimates, cache keys) can be made to cost more than the bytes that were sent. Routes read the parsed value
// with jsonBody(); the raw stream is spent.
import type { Context } from 'hono';
import { badRequest, RouterError } from '../router/errors';

export const MAX_BODY_BYTES = 10 * 1024 * 1024;
export const MAX_JSON_DEPTH = 64;

/** The parsed body, set by readBody; undefined when the request sent none (JSON.parse never gives undefined). */
export type BodyVars = { body?: unknown };
type BodyContext = Context<{ Variables: BodyVars }>;

const tooLarge = () =>
  new RouterError('BadRequestError', `Request body too large: the gateway takes at most ${MAX_BODY_BYTES / 1024 / 1024} MiB.`, {
    status: 413,
    code: 'request_too_large',
  });

const notJson = () =>
  badRequest('We could not parse the JSON body of your request. Send a JSON object with Content-Type: application/json.', null, 'invalid_json');

/** `application/json`, with any parameters (`; charset=utf-8`), as the OpenAI and Anthropic SDKs send it. */
const JSON_TYPE = /^application\/json[\t ]*(;|$)/i;

/**
 * Every route takes JSON, as OpenAI's and Anthropic's APIs do. OpenAI reads a body as JSON only when it says
 * so (sent as text/plain, a form or nothing, its fields go unread: "you must provide a model parameter"); the
 * gateway says why instead, with a 415, also when no Content-Type was sent.
 */
function checkType(type: string | null): void {
  if (type !== null && JSON_TYPE.test(type)) return;
  const sent = type === null ? 'no Content-Type' : `Content-Type '${type.slice(0, 100)}'`;
  throw new RouterError('BadRequestError', `Unsupported media type: the body was sent with ${sent}; this route takes Content-Type: application/json.`, {
    status: 415,
    code: 'unsupported_media_type',
  });
}

/** Reads, bounds and parses the request's body, if it has one, into `c.var.body` (the app's middleware calls it). */
export async function readBody<E extends { Variables: BodyVars }>(c: Context<E>): Promise<void> {
  const request = c.req.raw;
  const length = request.headers.get('content-length');
  if (!request.body || length === '0') return;
  checkType(request.headers.get('content-type'));
  const declared = Number(length ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const text = declared > 0 ? await declaredText(request) : await readText(request);
  if (text === '') return;
  const depth = nestingDepth(text);
  if (depth > MAX_JSON_DEPTH) {
    throw badRequest(`The JSON body is nested ${depth} levels deep; the gateway takes at most ${MAX_JSON_DEPTH}.`, null, 'invalid_json');
  }
  try {
    (c as unknown as BodyContext).set('body', JSON.parse(text));
  } catch {
    throw notJson();
  }
}

/** The JSON body readBody parsed: any JSON value (the route checks its shape); a 400 when none was sent. */
export function jsonBody<E extends { Variables: BodyVars }>(c: Context<E>): unknown {
  const body = (c as unknown as BodyContext).get('body');
  if (body === undefined) throw notJson();
  return body;
}

/**
 * A body whose Content-Length is declared within the limit, read natively in one call (a JavaScript read loop
 * costs about 130 µs a request): the HTTP framing holds it to that length. The length is checked again after,
 * for a Request built in-process whose header says less than its body.
 */
async function declaredText(request: Request): Promise<string> {
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw tooLarge();
  return text;
}

/** The body as text, refusing it as soon as the bytes read pass the limit (Content-Length may be absent or wrong). */
async function readText(request: Request): Promise<string> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/** The deepest nesting of arrays and objects, in one pass over the text (brackets in strings do not count); stops past the limit. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
      if (max > MAX_JSON_DEPTH) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}
