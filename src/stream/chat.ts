// OpenAI's chat.completion.chunk stream as the watch stage reads it: `data: {chunk}` ... `data: [DONE]`.
import type { Usage } from '../providers/openai-types';
import type { RouterError } from '../router/errors';
import { ascii, BACKSLASH, CLOSE, CR, LF, OPEN, QUOTE, SPACE, startsWith } from './bytes';
import type { ErrorJson, InBand, StreamDialect, WatchState } from './dialect';
import { errorOf, notSSE } from './dialect';
import type { SSEEvent } from './sse';
import { encodeEvent } from './sse';

const DONE = '[DONE]';

/** OpenAI's chat chunks; `hideUsage`: the usage chunk (no choices, only usage) is the gateway's, not the client's. */
function seeChat(ev: SSEEvent, state: WatchState, inBand: InBand, hideUsage: boolean): RouterError | undefined {
  if (ev.data === DONE) {
    state.done = true;
    return undefined;
  }
  if (ev.data === '') return undefined;
  if (!ev.data.startsWith('{') || !ev.data.trimEnd().endsWith('}')) return notSSE(ev.data, inBand);
  // Most events are content deltas: only those that can carry an error or usage are parsed whole.
  if (!ev.data.includes('"error"') && !ev.data.includes('"usage"')) {
    state.contentChars += contentLength(ev.data);
    return undefined;
  }
  let json: ErrorJson & { usage?: Usage; choices?: Array<{ delta?: { content?: string } }> };
  try {
    json = JSON.parse(ev.data);
  } catch {
    return notSSE(ev.data, inBand);
  }
  if (json.error) return errorOf(json, inBand);
  if (json.usage) {
    state.usage = json.usage;
    if (hideUsage && json.choices?.length === 0) state.drop = true;
  }
  const content = json.choices?.[0]?.delta?.content;
  if (typeof content === 'string') state.contentChars += content.length;
  return undefined;
}

/** OpenAI's chat.completion.chunk stream: `data: {chunk}` ... `data: [DONE]`. */
export const chatDialect: StreamDialect = {
  see: (ev, state, inBand) => seeChat(ev, state, inBand, false),
  quick(b, start, end, state) {
    // `data: {...}` on one line, with neither "error" nor a usage (`"usage":null` is none) in it: a content delta.
    let i = start + DATA.length;
    if (!startsWith(b, start, DATA) || end - start < DATA.length + 2) return false;
    if (b[i] === SPACE) i++;
    if (b[i] !== OPEN || b[end - 1] !== CLOSE) return false;
    if (!plainContent(b, i, end)) return false;
    state.contentChars += contentLengthOf(b, i, end);
    return true;
  },
  errorEvent: (error) => encodeEvent(error.toJSON()),
};

/**
 * OpenAI's chat chunks from an upstream the gateway asked for `stream_options.include_usage` when the client did
 * not: the usage chunk is booked, then dropped, so the client's stream is the one it asked for.
 */
export const chatDialectHidingUsage: StreamDialect = { ...chatDialect, see: (ev, state, inBand) => seeChat(ev, state, inBand, true) };

const DATA = ascii('data:');
const ERROR_KEY = ascii('"error"');
const USAGE_KEY = ascii('"usage"');
/** What OpenAI sends in every chunk but the last under include_usage: no usage. */
const NO_USAGE = ascii('"usage":null');
const CONTENT_BYTES = ascii('"content":"');

/** One pass over b[from, to): one line, with neither `"error"` nor a `"usage"` other than `"usage":null` in it. */
function plainContent(b: Uint8Array, from: number, to: number): boolean {
  const last = to - ERROR_KEY.length;
  for (let i = from; i < to; i++) {
    const c = b[i];
    if (c === LF || c === CR) return false;
    if (c === QUOTE && i <= last && (startsWith(b, i, ERROR_KEY) || (startsWith(b, i, USAGE_KEY) && !startsWith(b, i, NO_USAGE)))) return false;
  }
  return true;
}

/** contentLength on bytes: the `"content":"..."` string's length as sent, in UTF-16 units (escapes count as written). */
function contentLengthOf(b: Uint8Array, from: number, to: number): number {
  const last = to - CONTENT_BYTES.length;
  let i = b.indexOf(QUOTE, from);
  while (i >= 0 && i <= last && !startsWith(b, i, CONTENT_BYTES)) i = b.indexOf(QUOTE, i + 1);
  if (i < 0 || i > last) return 0;
  i += CONTENT_BYTES.length;
  let units = 0;
  while (i < to && b[i] !== QUOTE) {
    const step = b[i] === BACKSLASH ? 2 : 1;
    for (let k = 0; k < step && i < to; k++, i++) {
      const x = b[i];
      if ((x & 0xc0) !== 0x80) units += x >= 0xf0 ? 2 : 1; // a character's first byte; four bytes are two UTF-16 units
    }
  }
  return units;
}

const CONTENT_KEY = '"content":"';

/** The length of a chunk's `"content":"..."` string as sent (escapes count as written), without parsing the event. */
function contentLength(data: string): number {
  const start = data.indexOf(CONTENT_KEY);
  if (start < 0) return 0;
  let i = start + CONTENT_KEY.length;
  const from = i;
  while (i < data.length && data[i] !== '"') i += data[i] === '\\' ? 2 : 1;
  return i - from;
}
