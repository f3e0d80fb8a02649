// stream_failure: continue, on the bytes. A Transcript stage keeps the answer the client has been sent (OpenAI chat
// chunks: the relay's shape for every translated stream); when the upstream fails after the first byte, the relay
// hands its source over to the continuation (the router's next attempt, with that answer as an assistant prefill),
// whose chunks are spliced in as the same answer: the first stream's id, model and created, the usage of both calls.
// Only present when the setting is on: the default relay neither decodes nor keeps any text.
import type { Usage } from '../providers/openai-types';
import type { RouterError } from '../router/errors';
import { eventEnd, nextEvent } from './framing';
import { DONE_EVENT, encodeEvent, parseBlock, translateEvents } from './sse';
import type { Send, Stage } from './stage';

/** What the relay needs to continue a cut stream: the transcript stage, and how to start the next attempt. */
export interface Continuation {
  transcript: Transcript;
  /** The rest of the answer, spliced, once it began; undefined when no continuation could start (the error event then). */
  resume(cut: RouterError): Promise<ReadableStream<Uint8Array> | undefined>;
}

interface ChunkJson {
  id?: string;
  model?: string;
  created?: number;
  choices?: Array<{ index?: number; delta?: { role?: string; content?: string | null; tool_calls?: unknown; function_call?: unknown }; finish_reason?: string | null }>;
  usage?: Usage | null;
  error?: unknown;
}

/** The answer so far, as the client received it (after the watch and scrub stages). */
export class Transcript implements Stage {
  text = '';
  id?: string;
  model?: string;
  created?: number;
  /** A tool call began, or a second choice streamed: no prefill can continue it. */
  blocked = false;
  /** The finish_reason was sent: the text is whole, only the stream's end is missing. */
  finished = false;
  private readonly decoder = new TextDecoder();

  get continuable(): boolean {
    return !this.blocked;
  }

  take(events: Uint8Array, send: Send): RouterError | undefined {
    for (let start = 0; start < events.length; ) {
      const end = eventEnd(events, start);
      const next = nextEvent;
      const ev = parseBlock(this.decoder.decode(events.subarray(start, end)), false);
      if (ev?.data.startsWith('{')) this.see(ev.data);
      start = next;
    }
    return send(events);
  }

  private see(data: string) {
    let json: ChunkJson;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    this.id ??= json.id;
    this.model ??= json.model;
    this.created ??= json.created;
    for (const c of json.choices ?? []) {
      if ((c.index ?? 0) !== 0 || c.delta?.tool_calls || c.delta?.function_call) this.blocked = true;
      if (typeof c.delta?.content === 'string') this.text += c.delta.content;
      if (c.finish_reason) this.finished = true;
    }
  }
}

/** Usage of two calls added up (the continuation's prompt holds the prefill, billed again). */
export function addUsage(a: Usage | undefined, b: Usage | undefined): Usage | undefined {
  if (!a || !b) return a ?? b;
  return {
    prompt_tokens: a.prompt_tokens + b.prompt_tokens,
    completion_tokens: a.completion_tokens + b.completion_tokens,
    total_tokens: a.total_tokens + b.total_tokens,
  };
}

/**
 * The continuation's chat chunks as the rest of the first answer: its id, model and created; no second role delta;
 * `trimmed`: the prefill lost trailing whitespace (Anthropic refuses it), which the client already has, so the
 * continuation's leading whitespace is not sent twice; a usage chunk adds `prior`, the first call's usage.
 */
export function splice(t: Transcript, prior: Usage | undefined, trimmed: boolean): TransformStream<Uint8Array, Uint8Array> {
  let leading = trimmed;
  return translateEvents({
    translate(ev) {
      if (ev.data === '[DONE]') return [DONE_EVENT];
      let json: ChunkJson;
      try {
        json = JSON.parse(ev.data);
      } catch {
        return [];
      }
      if (json.error) return [encodeEvent(json)];
      if (t.id !== undefined) json.id = t.id;
      if (t.model !== undefined) json.model = t.model;
      if (t.created !== undefined) json.created = t.created;
      const c = json.choices?.[0];
      if (c?.delta) {
        delete c.delta.role;
        if (leading && typeof c.delta.content === 'string') {
          c.delta.content = c.delta.content.trimStart();
          if (c.delta.content) leading = false;
        }
        if (!c.delta.content && !c.finish_reason && Object.keys(c.delta).length <= 1 && !json.usage) return [];
      }
      if (json.usage) json.usage = addUsage(prior, json.usage);
      return [encodeEvent(json)];
    },
  });
}

/** The end of an answer whose text was whole when it was cut (its finish_reason sent): nothing to ask anyone. */
export const endOnly = (): ReadableStream<Uint8Array> =>
  new ReadableStream({
    start(c) {
      c.enqueue(DONE_EVENT);
      c.close();
    },
  });
