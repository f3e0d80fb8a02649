// An upstream that answered a stream request with a document (a JSON error, an HTML page) instead of an event
// stream: recognised on its first bytes, read into the error it stands for.
import type { RouterError } from '../router/errors';
import { scrub } from '../security/scrub';
import { CR, LF, OPEN, SPACE } from './bytes';
import type { ErrorJson, InBand } from './dialect';
import { errorOf } from './dialect';

/** How much of an upstream answer is read to describe it when it is not an event stream. */
const MAX_BODY_READ = 64 * 1024;

/** Whether an upstream's first bytes start a JSON or HTML document rather than an event stream. */
export function looksLikeDocument(first: Uint8Array): boolean {
  for (let i = 0; i < first.length && i < 64; i++) {
    const c = first[i];
    if (c === SPACE || c === LF || c === CR || c === 9 || c === 0xef || c === 0xbb || c === 0xbf) continue; // whitespace, a BOM
    return c === OPEN || c === 91 || c === 60; // { [ <
  }
  return false;
}

/** Reads what is left of an answer that is not an event stream (up to MAX_BODY_READ) into the error it stands for. */
export async function documentError(first: Uint8Array, read: () => Promise<ReadableStreamReadResult<Uint8Array>>, inBand: InBand): Promise<RouterError> {
  const decoder = new TextDecoder();
  let text = decoder.decode(first, { stream: true });
  while (text.length < MAX_BODY_READ) {
    const { done, value } = await read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  try {
    const json = JSON.parse(text) as ErrorJson;
    if (json && typeof json === 'object' && (json.error || json.message)) return errorOf(json, inBand);
    // Any other JSON (a whole completion, from an upstream that ignored stream: true): its content is not an error's to show.
    return inBand(undefined, 'Upstream answered a stream request with a JSON body, not an event stream');
  } catch {
    // not JSON (an HTML page, a proxy's text): shown as the non-stream path shows it, scrubbed, then cut
  }
  const what = text.trimStart().startsWith('<') ? 'an HTML page' : 'a body';
  return inBand(undefined, `Upstream answered a stream request with ${what}, not an event stream: ${scrub(text).slice(0, 500)}`);
}
