// Google's streamGenerateContent?alt=sse -> OpenAI chat.completion.chunk events, translated as they arrive (a
// TransformStream). Each event is a whole GenerateContentResponse holding the next parts of each candidate:
// text parts become content deltas, functionCall parts whole tool-call deltas, a finishReason the finish chunk,
// and the last usageMetadata the usage chunk (with stream_options.include_usage). Google sends no end marker:
// the upstream's end, after every candidate finished, is [DONE]; an end before that, or an in-band error, fails
// the stream with a classified RouterError (before the first byte the Router then retries or falls back unseen).
import type { Deployment } from '../../router/deployment';
import { DONE_EVENT, encodeEvent, type SSEEvent, translateEvents } from '../../stream/sse';
import { classifiedError } from '../http';
import type { ChatChunk, ChunkDelta, ToolCallDelta } from '../openai-types';
import { googleError } from './errors';
import { blocked, contentPolicyError, finishReason, toolCallId, toUsage } from './response';
import type { GenerateContentResponse, UsageMetadata } from './types';

export interface ChunkStreamOptions {
  deployment: Deployment;
  /** stream_options.include_usage: a last chunk with no choices and the whole usage. */
  includeUsage: boolean;
}

export function toChatChunkStream(opts: ChunkStreamOptions): TransformStream<Uint8Array, Uint8Array> {
  return translateEvents(new ChunkTranslator(opts));
}

interface ChoiceState {
  started: boolean;
  toolCalls: number;
  finished: boolean;
}

class ChunkTranslator {
  private id = `chatcmpl-${crypto.randomUUID()}`;
  private model: string;
  private readonly created = Math.floor(Date.now() / 1000);
  private usage: UsageMetadata = {};
  private readonly choices = new Map<number, ChoiceState>();

  constructor(private readonly opts: ChunkStreamOptions) {
    this.model = opts.deployment.upstreamModel;
  }

  translate(raw: SSEEvent): Uint8Array[] {
    let r: GenerateContentResponse;
    try {
      r = JSON.parse(raw.data);
    } catch {
      return [];
    }
    const d = this.opts.deployment;
    if (r.error) throw googleError(d, 200, r.error);
    if (r.responseId) this.id = r.responseId;
    if (r.modelVersion) this.model = r.modelVersion;
    if (r.usageMetadata) this.usage = r.usageMetadata;
    const why = blocked(r);
    // Blocked before a byte was sent: a ContentPolicyViolationError, so content_policy_fallbacks apply.
    if (why && ![...this.choices.values()].some((c) => c.started)) throw contentPolicyError(d, why);
    if (r.promptFeedback?.blockReason && !r.candidates?.length) return this.finishAll('content_filter');
    const out: Uint8Array[] = [];
    (r.candidates ?? []).forEach((c, i) => {
      const index = c.index ?? i;
      const state = this.state(index);
      for (const part of c.content?.parts ?? []) {
        if ('functionCall' in part) {
          const call: ToolCallDelta = {
            index: state.toolCalls++,
            id: toolCallId(part),
            type: 'function',
            function: { name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) },
          };
          out.push(...this.chunk(index, { tool_calls: [call] }));
        } else if ('text' in part && part.text) {
          out.push(...this.chunk(index, part.thought ? { reasoning_content: part.text } : { content: part.text }));
        }
      }
      const finish = finishReason(c.finishReason, state.toolCalls > 0);
      if (finish) {
        out.push(...this.chunk(index, {}, finish));
        state.finished = true;
      }
    });
    return out;
  }

  /** The upstream ended: [DONE] if every candidate finished, else the stream was cut short. */
  end(): Uint8Array[] {
    const states = [...this.choices.values()];
    if (states.length === 0 || states.some((s) => !s.finished)) {
      throw classifiedError(this.opts.deployment, 500, 'incomplete_stream', 'the stream ended before the answer finished');
    }
    const out: Uint8Array[] = [];
    if (this.opts.includeUsage) out.push(encodeEvent({ ...this.base(), choices: [], usage: toUsage(this.usage) }));
    out.push(DONE_EVENT);
    return out;
  }

  private finishAll(finish: string): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const [index, state] of this.choices) {
      if (state.finished) continue;
      out.push(...this.chunk(index, {}, finish));
      state.finished = true;
    }
    return out;
  }

  private state(index: number): ChoiceState {
    let s = this.choices.get(index);
    if (!s) this.choices.set(index, (s = { started: false, toolCalls: 0, finished: false }));
    return s;
  }

  private base(): Omit<ChatChunk, 'choices'> {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model };
  }

  /** The choice's role chunk first (once), then this delta. */
  private chunk(index: number, delta: ChunkDelta, finish: string | null = null): Uint8Array[] {
    const out: Uint8Array[] = [];
    const state = this.state(index);
    const event = (d: ChunkDelta, f: string | null) => encodeEvent({ ...this.base(), choices: [{ index, delta: d, finish_reason: f }] });
    if (!state.started) {
      state.started = true;
      out.push(event({ role: 'assistant', content: '' }, null));
    }
    out.push(event(delta, finish));
    return out;
  }
}
