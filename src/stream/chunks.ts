// For library users: a streamed completion's SSE bytes as the chat.completion.chunk objects they carry,
// the way an OpenAI SDK iterates a stream. An error event (a stream that failed after its first byte) throws.
import type { ChatChunk } from '../providers/openai-types';
import { RouterError } from '../router/errors';
import { SSEParser } from './sse';

export async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<ChatChunk> {
  const parser = new SSEParser();
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      const events = done ? parser.flush() : parser.push(value);
      for (const ev of events) {
        if (ev.data === '[DONE]') return;
        const json = JSON.parse(ev.data) as ChatChunk & { error?: { message?: string; code?: string } };
        if (json.error) throw new RouterError('InternalServerError', json.error.message ?? 'stream failed', { code: json.error.code ?? null });
        yield json;
      }
      if (done) return;
    }
  } finally {
    reader.releaseLock();
  }
}
