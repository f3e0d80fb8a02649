// A request body read as JSON within bounds: its size (413) and its nesting depth (400) are checked before
// JSON.parse and every later walk over the value (validation, token estimates, cache keys) can be made to
// cost more than the bytes that were sent.
import { badRequest, RouterError } from '../router/errors';

export const MAX_BODY_BYTES = 10 * 1024 * 1024;
export const MAX_JSON_DEPTH = 64;

const tooLarge = () =>
  new RouterError('BadRequestError', `Request body too large: the gateway takes at most ${MAX_BODY_BYTES / 1024 / 1024} MiB.`, {
    status: 413,
    code: 'request_too_large',
  });

export async function readJsonBody(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const text = declared > 0 ? await declaredText(request) : await readText(request);
  const depth = nestingDepth(text);
  if (depth > MAX_JSON_DEPTH) {
    throw badRequest(`The JSON body is nested ${depth} levels deep; the gateway takes at most ${MAX_JSON_DEPTH}.`, null, 'invalid_json');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('We could not parse the JSON body of your request. Send a JSON object with Content-Type: application/json.', null, 'invalid_json');
  }
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
