// Anthropic's stream events -> OpenAI chat.completion.chunk events, translated as they arrive (a TransformStream).
// message_start carries the id and input usage; content blocks become content and tool_call deltas;
// message_delta the finish_reason and output usage; message_stop ends with the usage chunk (if asked) and [DONE].
// An `error` event fails the stream with a classified RouterError, which the relay turns into an error event
// (or, before the first byte, into a retry).
import type { Deployment } from '../../router/deployment';
import { DONE_EVENT, encodeEvent, type SSEEvent, translateEvents } from '../../stream/sse';
import { classifiedError } from '../http';
import { ChoiceChunks } from '../choice-chunks';
import type { ChatChunk } from '../openai-types';
import { JSON_TOOL } from './json-mode';
import { finishReason, toUsage } from './response';
import type { AnthropicUsage, StreamEvent } from './types';

export interface ChunkStreamOptions {
  deployment: Deployment;
  /** stream_options.include_usage: a last chunk with no choices and the whole usage. */
  includeUsage: boolean;
  /** The request had a response_format: the JSON tool's input streams as content. */
  jsonMode: boolean;
}

export function toChatChunkStream(opts: ChunkStreamOptions): TransformStream<Uint8Array, Uint8Array> {
  return translateEvents(new ChunkTranslator(opts));
}

class ChunkTranslator {
  private id = '';
  private model: string;
  private readonly created = Math.floor(Date.now() / 1000);
  private usage: Partial<AnthropicUsage> = {};
  private readonly chunks = new ChoiceChunks(() => this.base());
  /** Content block index -> OpenAI tool_calls index (tool calls count apart from text blocks). */
  private readonly toolIndex = new Map<number, number>();
  /** Content block indexes of the JSON tool (jsonMode). */
  private readonly jsonBlocks = new Set<number>();

  constructor(private readonly opts: ChunkStreamOptions) {
    this.model = opts.deployment.upstreamModel;
  }

  translate(raw: SSEEvent): Uint8Array[] {
    let ev: StreamEvent;
    try {
      ev = JSON.parse(raw.data);
    } catch {
      return [];
    }
    switch (ev.type) {
      case 'message_start':
        this.id = ev.message.id;
        this.model = ev.message.model ?? this.model;
        this.usage = { ...ev.message.usage };
        // The role chunk waits for the first content: an error right after message_start still retries unseen.
        return [];
      case 'content_block_start': {
        const block = ev.content_block;
        if (this.opts.jsonMode && block.type === 'tool_use' && block.name === JSON_TOOL) {
          this.jsonBlocks.add(ev.index);
          return this.chunks.next(undefined);
        }
        if (block.type === 'tool_use') {
          const index = this.toolIndex.size;
          this.toolIndex.set(ev.index, index);
          return this.chunks.next({ tool_calls: [{ index, id: block.id, type: 'function', function: { name: block.name, arguments: '' } }] });
        }
        if (block.type === 'text' && block.text) return this.chunks.next({ content: block.text });
        return this.chunks.next(undefined);
      }
      case 'content_block_delta': {
        const d = ev.delta;
        if (d.type === 'text_delta') return this.chunks.next({ content: d.text });
        if (d.type === 'input_json_delta' && this.jsonBlocks.has(ev.index)) return this.chunks.next({ content: d.partial_json });
        const index = this.toolIndex.get(ev.index);
        if (d.type === 'input_json_delta' && index !== undefined) {
          return this.chunks.next({ tool_calls: [{ index, function: { arguments: d.partial_json } }] });
        }
        return []; // thinking, signature and citation deltas have no chat.completion counterpart
      }
      case 'message_delta':
        this.usage = { ...this.usage, ...ev.usage };
        return this.chunks.next({}, finishReason(ev.delta.stop_reason, !this.opts.jsonMode || this.toolIndex.size > 0));
      case 'message_stop': {
        const out: Uint8Array[] = [];
        if (this.opts.includeUsage) out.push(encodeEvent({ ...this.base(), choices: [], usage: toUsage(this.usage) }));
        out.push(DONE_EVENT);
        return out;
      }
      case 'error':
        throw classifiedError(this.opts.deployment, 200, ev.error?.type, ev.error?.message ?? 'unknown error');
      default: // ping, and event types Anthropic may add
        return [];
    }
  }

  private base(): Omit<ChatChunk, 'choices'> {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model };
  }
}
