// stream_failure: continue for a Messages stream passed through: the content blocks the client got, and the rest
// (Anthropic's own events, or translated from chat chunks) spliced into the same message: no second message_start
// or its ping, the rest's text going on in the open text block (the SDKs accumulate one text), its other blocks
// after the client's, the usage of both calls in the one message_delta, one message_stop.
import { toUsage } from '../../providers/anthropic/response';
import type { AnthropicUsage } from '../../providers/anthropic/types';
import type { Splicer } from '../../stream/continuation';
import { addUsage, EventTranscript, restText } from '../../stream/continuation';
import { translateEvents } from '../../stream/sse';
import { namedEvent } from '../sse';
import type { MessagesBody } from './request';
import { anthropicUsage } from './response';
import { PING, stripNulls } from './stream';

interface MessagesEvent {
  type: string;
  index?: number;
  content_block?: { type: string };
  delta?: { type?: string; text?: string; stop_reason?: string | null };
  message?: { usage?: Partial<AnthropicUsage> };
  usage?: Partial<AnthropicUsage>;
}

/** A prefill continues text; thinking that ended is kept as it is; a tool call, or a block cut open, cannot go on. */
const CONTINUABLE = new Set(['text', 'thinking', 'redacted_thinking']);

class MessagesTranscript extends EventTranscript<MessagesEvent> {
  /** Content blocks the client has been sent a start of; the one still open. */
  blocks = 0;
  open?: { index: number; type: string };

  override get continuable(): boolean {
    return this.finished || (!this.blocked && (this.open === undefined || this.open.type === 'text'));
  }

  protected see(e: MessagesEvent) {
    if (e.type === 'content_block_start') {
      const type = e.content_block?.type ?? '';
      this.open = { index: e.index ?? this.blocks, type };
      this.blocks++;
      if (!CONTINUABLE.has(type)) this.blocked = true;
    } else if (e.type === 'content_block_delta') {
      if (e.delta?.type === 'text_delta') this.text += e.delta.text ?? '';
    } else if (e.type === 'content_block_stop') this.open = undefined;
    else if (e.type === 'message_delta' && e.delta?.stop_reason) this.finished = true;
  }
}

export function messagesSplicer(): Splicer {
  const t = new MessagesTranscript();
  return {
    transcript: t,
    splice(prior, trimmed) {
      const rest = restText(trimmed);
      let usage: Partial<AnthropicUsage> = {};
      // The rest's block index plus `shift` is the client's; unset until the rest's first block.
      let shift: number | undefined;
      // The rest's first delta was sent: a ping from then on is a heartbeat, before it the rest's own start's.
      let begun = false;
      // The client's open block ends before the rest's first other block, or before the end.
      const closeOpen = () => (t.open && shift === undefined ? [namedEvent({ type: 'content_block_stop', index: t.open.index } as MessagesEvent)] : []);
      return translateEvents({
        heartbeat: PING,
        translate(ev) {
          let e: MessagesEvent;
          try {
            e = JSON.parse(ev.data);
          } catch {
            return [];
          }
          switch (e.type) {
            case 'message_start':
              usage = stripNulls(e.message?.usage ?? {});
              return [];
            case 'ping':
              return begun ? [PING] : [];
            case 'content_block_start': {
              const index = e.index ?? 0;
              if (shift === undefined && t.open?.type === 'text' && e.content_block?.type === 'text') {
                shift = t.open.index - index;
                return [];
              }
              const out = closeOpen();
              shift ??= t.blocks - index;
              e.index = index + shift;
              return [...out, namedEvent(e)];
            }
            case 'content_block_delta':
              begun = true;
              if (e.delta?.type === 'text_delta') e.delta.text = rest(e.delta.text ?? '');
            // falls through
            case 'content_block_stop':
              e.index = (e.index ?? 0) + (shift ?? 0);
              return [namedEvent(e)];
            case 'message_delta': {
              usage = { ...usage, ...stripNulls(e.usage ?? {}) };
              e.usage = anthropicUsage(addUsage(prior, toUsage(usage)));
              return [...closeOpen(), namedEvent(e)];
            }
            default:
              return [namedEvent(e)];
          }
        },
      });
    },
    end: () => new Response(namedEvent({ type: 'message_stop' })).body!,
  };
}

/**
 * The request that goes on from `prefill`, as Anthropic continues one: the text as the assistant's turn. Extended
 * thinking refuses a prefill, and the thinking is done: a prefilled continuation asks for none.
 */
export function prefilledMessages(request: MessagesBody, prefill: string): MessagesBody {
  if (!prefill) return request;
  const { thinking: _, ...rest } = request;
  return { ...rest, messages: [...request.messages, { role: 'assistant', content: prefill }] };
}
