// stream_failure: continue, on the bytes. A Transcript stage keeps the answer the client has been sent, in the
// client's stream format; when the upstream fails after the first byte, the relay hands its source over to the
// continuation (the router's next attempt, with that answer as an assistant prefill), whose events a Splicer of the
// same format splices in as the same answer. OpenAI chat chunks here (the relay's shape for every translated
// stream); Anthropic's Messages and OpenAI's Responses events, passed through, in src/api/*/continuation.ts.
// Only present when the setting is on: the default relay neither decodes nor keeps any text.
import type { Usage } from '../providers/openai-types';
import type { RouterError } from '../router/errors';
import { eventEnd, nextEvent } from './framing';
import { DONE_EVENT, encodeEvent, parseBlock, translateEvents } from './sse';
import type { Send, Stage } from './stage';

/** The answer so far, as the client received it (after the watch and scrub stages): the relay's last stage. */
export interface Transcript extends Stage {
  /** The answer's text so far: the continuation's prefill. */
  readonly text: string;
  /** False once the stream holds what no prefill can continue (a tool call began, a second choice). */
  readonly continuable: boolean;
  /** The text was whole when cut (its stop reason sent): only the stream's end is missing. */
  readonly finished: boolean;
}

/** One stream format's continuation: the stage that keeps the answer, and how the rest joins it. */
export interface Splicer {
  transcript: Transcript;
  /**
   * The rest (the continuation's stream, in the same format) as the same answer; usage adds `prior`, the cut call's.
   * `trimmed`: the prefill lost trailing whitespace (Anthropic refuses it), which the client already has.
   */
  splice(prior: Usage | undefined, trimmed: boolean): TransformStream<Uint8Array, Uint8Array>;
  /** The stream's end alone, for an answer cut when it was already whole (`finished`). */
  end?(): ReadableStream<Uint8Array>;
}

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

/** A transcript that reads each event's JSON as it passes (`see`), in the stream's order. */
export abstract class EventTranscript<E> implements Transcript {
  text = '';
  finished = false;
  protected blocked = false;
  private readonly decoder = new TextDecoder();

  get continuable(): boolean {
    return !this.blocked;
  }

  take(events: Uint8Array, send: Send): RouterError | undefined {
    for (let start = 0; start < events.length; ) {
      const end = eventEnd(events, start);
      const next = nextEvent;
      const ev = parseBlock(this.decoder.decode(events.subarray(start, end)), false);
      start = next;
      let json: E;
      try {
        json = JSON.parse(ev?.data ?? '');
      } catch {
        continue; // [DONE], or no event: the watch stage refused anything else
      }
      if (typeof json === 'object' && json) this.see(json);
    }
    return send(events);
  }

  protected abstract see(json: E): void;
}

/** A chat chunk stream's answer so far: blocked by a tool call or a second choice; finished by its finish_reason. */
class ChatTranscript extends EventTranscript<ChunkJson> {
  id?: string;
  model?: string;
  created?: number;

  protected see(json: ChunkJson) {
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

/** Usage of two calls added up, cache counts too (the continuation's prompt holds the prefill, billed again). */
export function addUsage(a: Usage | undefined, b: Usage | undefined): Usage | undefined {
  if (!a || !b) return a ?? b;
  const sum: Usage = {
    prompt_tokens: a.prompt_tokens + b.prompt_tokens,
    completion_tokens: a.completion_tokens + b.completion_tokens,
    total_tokens: a.total_tokens + b.total_tokens,
  };
  const da = a.prompt_tokens_details as Record<string, number> | undefined;
  const db = b.prompt_tokens_details as Record<string, number> | undefined;
  if (da || db) {
    const details: Record<string, number> = { ...da };
    for (const k in db) details[k] = (details[k] ?? 0) + db[k];
    sum.prompt_tokens_details = details;
  }
  return sum;
}

/** The rest's texts as sent: the first without leading whitespace when the prefill lost its trailing whitespace. */
export function restText(trimmed: boolean): (text: string) => string {
  let leading = trimmed;
  return (text) => {
    if (!leading) return text;
    text = text.trimStart();
    if (text) leading = false;
    return text;
  };
}

/** A chat chunk stream's splicer. */
export function chatSplicer(): Splicer {
  const transcript = new ChatTranscript();
  return { transcript, splice: (prior, trimmed) => splice(transcript, prior, trimmed), end: endOnly };
}

/**
 * The continuation's chat chunks as the rest of the first answer: its id, model and created; no second role delta;
 * `trimmed`: the prefill lost trailing whitespace (Anthropic refuses it), which the client already has, so the
 * continuation's leading whitespace is not sent twice; a usage chunk adds `prior`, the first call's usage.
 */
function splice(t: ChatTranscript, prior: Usage | undefined, trimmed: boolean): TransformStream<Uint8Array, Uint8Array> {
  const rest = restText(trimmed);
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
        if (typeof c.delta.content === 'string') c.delta.content = rest(c.delta.content);
        if (!c.delta.content && !c.finish_reason && Object.keys(c.delta).length <= 1 && !json.usage) return [];
      }
      if (json.usage) json.usage = addUsage(prior, json.usage);
      return [encodeEvent(json)];
    },
  });
}

/** The end of an answer whose text was whole when it was cut (its finish_reason sent): nothing to ask anyone. */
const endOnly = (): ReadableStream<Uint8Array> =>
  new ReadableStream({
    start(c) {
      c.enqueue(DONE_EVENT);
      c.close();
    },
  });
