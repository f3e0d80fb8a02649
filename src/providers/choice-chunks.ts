// One choice's chat.completion.chunk events, as the translated streams (anthropic/, bedrock/) send them.
import { encodeEvent } from '../stream/sse';
import type { ChatChunk, ChunkDelta } from './openai-types';

export class ChoiceChunks {
  private started = false;

  /** `base`: the chunk's id, created and model, read when each chunk is made (they may be learnt mid-stream). */
  constructor(private readonly base: () => Omit<ChatChunk, 'choices'>) {}

  /** The role chunk first (once), then this delta if any. */
  next(delta: ChunkDelta | undefined, finish: string | null = null): Uint8Array[] {
    const out: Uint8Array[] = [];
    const event = (d: ChunkDelta, f: string | null) => encodeEvent({ ...this.base(), choices: [{ index: 0, delta: d, finish_reason: f }] });
    if (!this.started) {
      this.started = true;
      out.push(event({ role: 'assistant', content: '' }, null));
    }
    if (delta) out.push(event(delta, finish));
    return out;
  }
}
