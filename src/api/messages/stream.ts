// Messages streams. Translated: an OpenAI chat chunk stream becomes Anthropic's event sequence, as it arrives
// (message_start; content_block_start/delta/stop per text or tool_use block, tool arguments as input_json_delta;
// message_delta with stop_reason and usage; message_stop). Passed through: the relay watches Anthropic's own
// events (usage, the end at message_stop, in-band errors) without touching a byte.
import type { AnthropicUsage } from '../../providers/anthropic/types';
import type { ChatChunk, Usage } from '../../providers/openai-types';
import { toUsage } from '../../providers/anthropic/response';
import type { StreamDialect } from '../../stream/dialect';
import { notSSE } from '../../stream/dialect';
import { translateEvents } from '../../stream/sse';
import { namedEvent } from '../sse';
import { anthropicErrorEvent } from './errors';
import { anthropicUsage, messageId, stopReason } from './response';

/** Anthropic's error types; any other type an OpenAI-shaped error names is an api_error. */
const ERROR_TYPES = new Set(['invalid_request_error', 'authentication_error', 'permission_error', 'not_found_error', 'request_too_large', 'rate_limit_error', 'api_error', 'overloaded_error']);

/** Anthropic's own keep-alive, which its SDKs skip: the heartbeat of a Messages stream. */
const PING = namedEvent({ type: 'ping' });

export function toMessagesStream(model: string, estInputTokens: number): TransformStream<Uint8Array, Uint8Array> {
  const t = new MessagesTranslator(model, estInputTokens);
  return translateEvents({ translate: (ev) => t.translate(ev.data).map(namedEvent), heartbeat: PING });
}

type Out = { type: string; [k: string]: unknown };

class MessagesTranslator {
  private started = false;
  private next = 0;
  /** The content block open now: text, or the tool call of this chat tool index. */
  private open?: { index: number; tool?: number };
  private readonly toolBlocks = new Map<number, number>();
  private stop: string = 'end_turn';
  private usage?: Usage;

  constructor(
    private readonly model: string,
    private readonly estInputTokens: number,
  ) {}

  translate(data: string): Out[] {
    if (data === '[DONE]') return this.finish();
    let chunk: ChatChunk & { error?: { message?: string; type?: string } };
    try {
      chunk = JSON.parse(data);
    } catch {
      return [];
    }
    if (chunk.error) {
      const type = ERROR_TYPES.has(chunk.error.type ?? '') ? chunk.error.type! : 'api_error';
      return [{ type: 'error', error: { type, message: chunk.error.message ?? 'Upstream stream error' } }];
    }
    const out: Out[] = [];
    if (!this.started) {
      this.started = true;
      out.push({
        type: 'message_start',
        message: {
          id: messageId(chunk.id),
          type: 'message',
          role: 'assistant',
          model: this.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: this.estInputTokens, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        },
      });
    }
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (!choice) return out;
    const { content, tool_calls } = choice.delta ?? {};
    if (typeof content === 'string' && content !== '') {
      if (!this.open || this.open.tool !== undefined) out.push(...this.startBlock({ type: 'text', text: '' }));
      out.push({ type: 'content_block_delta', index: this.open!.index, delta: { type: 'text_delta', text: content } });
    }
    for (const tc of tool_calls ?? []) {
      if (tc.id || !this.toolBlocks.has(tc.index)) {
        out.push(...this.startBlock({ type: 'tool_use', id: tc.id ?? `toolu_${tc.index}`, name: tc.function?.name ?? '', input: {} }, tc.index));
        this.toolBlocks.set(tc.index, this.open!.index);
      }
      const args = tc.function?.arguments;
      if (args) out.push({ type: 'content_block_delta', index: this.toolBlocks.get(tc.index)!, delta: { type: 'input_json_delta', partial_json: args } });
    }
    if (choice.finish_reason) this.stop = stopReason(choice.finish_reason);
    return out;
  }

  private startBlock(block: Out, tool?: number): Out[] {
    const out = this.closeBlock();
    this.open = { index: this.next++, tool };
    out.push({ type: 'content_block_start', index: this.open.index, content_block: block });
    return out;
  }

  private closeBlock(): Out[] {
    if (!this.open) return [];
    const index = this.open.index;
    this.open = undefined;
    return [{ type: 'content_block_stop', index }];
  }

  private finish(): Out[] {
    if (!this.started) return [];
    const u = anthropicUsage(this.usage);
    return [
      ...this.closeBlock(),
      { type: 'message_delta', delta: { stop_reason: this.stop, stop_sequence: null }, usage: this.usage ? u : { output_tokens: 0 } },
      { type: 'message_stop' },
    ];
  }
}

/** Watches a passed-through Anthropic stream: usage from message_start and message_delta, its end, in-band errors. */
export function messagesDialect(): StreamDialect {
  let usage: Partial<AnthropicUsage> = {};
  return {
    see(ev, state, inBand) {
      const type = ev.event ?? '';
      if (type === 'content_block_delta') {
        state.contentChars += ev.data.length >> 1; // about half an event is its text: enough for an estimate
        return undefined;
      }
      if (type !== 'message_start' && type !== 'message_delta' && type !== 'message_stop' && type !== 'error') return undefined;
      let json: { message?: { usage?: AnthropicUsage }; usage?: Partial<AnthropicUsage>; error?: { type?: string; message?: string } };
      try {
        json = JSON.parse(ev.data);
      } catch {
        return notSSE(ev.data, inBand);
      }
      if (type === 'error') return inBand(json.error?.type, json.error?.message ?? 'unknown error');
      if (type === 'message_stop') state.done = true;
      const u = json.message?.usage ?? json.usage;
      if (u) {
        usage = { ...usage, ...stripNulls(u) };
        state.usage = toUsage(usage);
      }
      return undefined;
    },
    errorEvent: anthropicErrorEvent,
    heartbeat: PING,
  };
}

const stripNulls = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v != null)) as Partial<T>;
