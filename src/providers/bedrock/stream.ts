// ConverseStream's event-stream messages -> OpenAI chat.completion.chunk events, translated as they arrive (a
// TransformStream over the bytes). contentBlockStart opens a tool call, contentBlockDelta carries text or a piece
// of a tool's input, messageStop the finish_reason, metadata the usage; [DONE] ends the stream once it is whole.
// An exception frame fails the stream with a classified RouterError, which the relay turns into a retry (before
// the first byte) or an OpenAI error event (after it).
import type { Deployment } from '../../router/deployment';
import { RouterError } from '../../router/errors';
import { DONE_EVENT, encodeEvent } from '../../stream/sse';
import { JSON_TOOL } from '../anthropic/json-mode';
import { ChoiceChunks } from '../choice-chunks';
import type { ChatChunk } from '../openai-types';
import { bedrockError } from './errors';
import { type EventMessage, EventStreamSplitter } from './eventstream';
import { finishReason, toUsage } from './response';
import type { StreamEvents, TokenUsage } from './types';

export interface ChunkStreamOptions {
  deployment: Deployment;
  /** The chat.completion id (from the AWS request id) and the model id its chunks name. */
  id: string;
  model: string;
  /** stream_options.include_usage: a last chunk with no choices and the whole usage. */
  includeUsage: boolean;
  /** The request had a response_format: the JSON tool's input streams as content. */
  jsonMode: boolean;
}

export function toChatChunkStream(opts: ChunkStreamOptions): TransformStream<Uint8Array, Uint8Array> {
  const splitter = new EventStreamSplitter();
  const translator = new ChunkTranslator(opts);
  return new TransformStream({
    transform(chunk, controller) {
      let messages: EventMessage[];
      try {
        messages = splitter.push(chunk);
      } catch (e) {
        throw corrupt(e);
      }
      for (const m of messages) for (const out of translator.translate(m)) controller.enqueue(out);
    },
    flush(controller) {
      // A stream cut before messageStop (or mid-frame) ends without [DONE]: the relay reports it as truncated.
      if (splitter.pending || !translator.stopped) return;
      for (const out of translator.end()) controller.enqueue(out);
    },
  });
}

const corrupt = (e: unknown) =>
  new RouterError('InternalServerError', `Bedrock stream frame is corrupt: ${e instanceof Error ? e.message : String(e)}`, { code: 'stream_corrupt' });

class ChunkTranslator {
  stopped = false;
  private readonly created = Math.floor(Date.now() / 1000);
  private usage: Partial<TokenUsage> = {};
  private readonly chunks = new ChoiceChunks(() => this.base());
  /** Content block index -> OpenAI tool_calls index (tool calls count apart from text blocks). */
  private readonly toolIndex = new Map<number, number>();
  /** Content block indexes of the JSON tool (jsonMode). */
  private readonly jsonBlocks = new Set<number>();

  constructor(private readonly opts: ChunkStreamOptions) {}

  translate(m: EventMessage): Uint8Array[] {
    const kind = m.headers[':message-type'];
    if (kind === 'exception') {
      const { message } = parse<{ message?: string }>(m.body) ?? {};
      throw bedrockError(this.opts.deployment, m.headers[':exception-type'], message ?? 'unknown error');
    }
    if (kind === 'error') throw bedrockError(this.opts.deployment, m.headers[':error-code'], m.headers[':error-message'] ?? 'unknown error');
    const type = m.headers[':event-type'] as keyof StreamEvents;
    switch (type) {
      case 'contentBlockStart': {
        const ev = parse<StreamEvents['contentBlockStart']>(m.body);
        const tool = ev?.start?.toolUse;
        if (!ev || !tool) return [];
        if (this.opts.jsonMode && tool.name === JSON_TOOL) {
          this.jsonBlocks.add(ev.contentBlockIndex);
          return this.chunks.next(undefined);
        }
        const index = this.toolIndex.size;
        this.toolIndex.set(ev.contentBlockIndex, index);
        return this.chunks.next({ tool_calls: [{ index, id: tool.toolUseId, type: 'function', function: { name: tool.name, arguments: '' } }] });
      }
      case 'contentBlockDelta': {
        const ev = parse<StreamEvents['contentBlockDelta']>(m.body);
        const d = ev?.delta;
        if (!ev || !d) return [];
        if (typeof d.text === 'string') return this.chunks.next({ content: d.text });
        if (typeof d.reasoningContent?.text === 'string') return this.chunks.next({ reasoning_content: d.reasoningContent.text });
        const input = d.toolUse?.input;
        if (typeof input !== 'string') return [];
        if (this.jsonBlocks.has(ev.contentBlockIndex)) return this.chunks.next({ content: input });
        const index = this.toolIndex.get(ev.contentBlockIndex);
        return index === undefined ? [] : this.chunks.next({ tool_calls: [{ index, function: { arguments: input } }] });
      }
      case 'messageStop': {
        const ev = parse<StreamEvents['messageStop']>(m.body);
        this.stopped = true;
        return this.chunks.next({}, finishReason(ev?.stopReason ?? 'end_turn', !this.opts.jsonMode || this.toolIndex.size > 0));
      }
      case 'metadata':
        this.usage = parse<StreamEvents['metadata']>(m.body)?.usage ?? this.usage;
        return [];
      default: // messageStart (the role chunk waits for content, so an early error still retries unseen), contentBlockStop
        return [];
    }
  }

  /** The usage chunk (if asked) and [DONE]. */
  end(): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.opts.includeUsage) out.push(encodeEvent({ ...this.base(), choices: [], usage: toUsage(this.usage) }));
    out.push(DONE_EVENT);
    return out;
  }

  private base(): Omit<ChatChunk, 'choices'> {
    return { id: this.opts.id, object: 'chat.completion.chunk', created: this.created, model: this.opts.model };
  }
}

const decoder = new TextDecoder();

function parse<T>(body: Uint8Array): T | undefined {
  try {
    return JSON.parse(decoder.decode(body)) as T;
  } catch {
    return undefined;
  }
}
