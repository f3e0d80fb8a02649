// Streams and the cache: a streamed answer is kept as the chat.completion it adds up to, once it ended
// cleanly with [DONE]; a cached answer is served as a stream again by splitting it into chunks.
import type { ChatChunk, ChatCompletion, ChatMessage, ChunkDelta, ToolCallDelta, Usage } from '../providers/openai-types';
import { DONE_EVENT, encodeEvent, SSEParser } from '../stream/sse';

type Choice = ChatCompletion['choices'][number];

/** The chunks an upstream would have sent for this answer: everything in one delta per choice, then the finish. */
export function completionToChunks(body: ChatCompletion, includeUsage: boolean): ChatChunk[] {
  const base = { id: body.id, object: 'chat.completion.chunk' as const, created: body.created, model: body.model };
  const extra = body.system_fingerprint === undefined ? {} : { system_fingerprint: body.system_fingerprint };
  const chunks: ChatChunk[] = [];
  for (const c of body.choices) {
    const delta: Record<string, unknown> = { ...c.message };
    if (c.message.tool_calls) delta.tool_calls = c.message.tool_calls.map((t, index) => ({ index, ...t }));
    const choice: Record<string, unknown> = { index: c.index, delta, finish_reason: null };
    if (c.logprobs !== undefined) choice.logprobs = c.logprobs;
    chunks.push({ ...base, ...extra, choices: [choice as ChatChunk['choices'][number]] });
  }
  for (const c of body.choices) chunks.push({ ...base, ...extra, choices: [{ index: c.index, delta: {}, finish_reason: c.finish_reason }] });
  if (includeUsage && body.usage) chunks.push({ ...base, ...extra, choices: [], usage: body.usage });
  return chunks;
}

/** The chat.completion a complete stream adds up to: string deltas concatenated, tool calls merged by index. */
export function chunksToCompletion(chunks: ChatChunk[], estimate: (contentChars: number) => Usage): ChatCompletion {
  const first = chunks[0];
  const choices = new Map<number, Choice & { logprobs?: { content?: unknown[] } | null }>();
  let usage: Usage | undefined;
  let contentChars = 0;
  for (const chunk of chunks) {
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices ?? []) {
      let choice = choices.get(c.index);
      if (!choice) choices.set(c.index, (choice = { index: c.index, message: { role: 'assistant', content: null }, finish_reason: null }));
      mergeDelta(choice.message, c.delta ?? {});
      if (typeof c.delta?.content === 'string') contentChars += c.delta.content.length;
      if (c.finish_reason) choice.finish_reason = c.finish_reason;
      const lp = (c as { logprobs?: { content?: unknown[] } | null }).logprobs;
      if (lp?.content) choice.logprobs = { content: [...(choice.logprobs?.content ?? []), ...lp.content] };
    }
  }
  const body: ChatCompletion = {
    id: first?.id ?? 'chatcmpl-cached',
    object: 'chat.completion',
    created: first?.created ?? 0,
    model: first?.model ?? '',
    choices: [...choices.values()].sort((a, b) => a.index - b.index),
    // Without stream_options.include_usage the upstream sends none: estimated, as the stream's own log is.
    usage: usage ?? estimate(contentChars),
  };
  const fingerprint = (first as { system_fingerprint?: string | null } | undefined)?.system_fingerprint;
  if (fingerprint !== undefined) body.system_fingerprint = fingerprint;
  return body;
}

function mergeDelta(message: ChatMessage, delta: ChunkDelta) {
  const m = message as Record<string, unknown>;
  for (const [k, v] of Object.entries(delta)) {
    if (v === null || v === undefined) continue;
    if (k === 'tool_calls') mergeToolCalls(message, v as ToolCallDelta[]);
    else if (k === 'function_call') {
      const fc = (m.function_call ??= { name: '', arguments: '' }) as { name: string; arguments: string };
      const d = v as { name?: string; arguments?: string };
      fc.name += d.name ?? '';
      fc.arguments += d.arguments ?? '';
    } else if (k === 'role') m.role = v;
    else if (typeof v === 'string') m[k] = ((m[k] as string | undefined) ?? '') + v;
    else m[k] = v;
  }
}

function mergeToolCalls(message: ChatMessage, deltas: ToolCallDelta[]) {
  const calls = (message.tool_calls ??= []);
  for (const d of deltas) {
    let call = calls[d.index];
    if (!call) calls[d.index] = call = { id: '', type: 'function', function: { name: '', arguments: '' } };
    if (d.id) call.id = d.id;
    if (d.function?.name) call.function.name += d.function.name;
    if (d.function?.arguments) call.function.arguments += d.function.arguments;
  }
}

/** A cached answer as the SSE byte stream a client asked for. */
export function replayStream(chunks: ChatChunk[]): ReadableStream<Uint8Array> {
  const events = [...chunks.map(encodeEvent), DONE_EVENT];
  return new ReadableStream({
    pull(controller) {
      const next = events.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

/**
 * Passes a relayed stream through untouched, collecting its chunks; `onComplete` runs only when the stream
 * closed after [DONE] with no error event (the relay ends a broken stream with one), never on a cut-off one.
 */
export function captureStream(stream: ReadableStream<Uint8Array>, onComplete: (chunks: ChatChunk[]) => void): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  const parser = new SSEParser();
  const chunks: ChatChunk[] = [];
  let done = false;
  let failed = false;
  const see = (bytes: Uint8Array) => {
    for (const ev of parser.push(bytes)) {
      if (ev.data === '[DONE]') done = true;
      else if (!failed) {
        try {
          const json = JSON.parse(ev.data) as ChatChunk & { error?: unknown };
          if (json.error) failed = true;
          else chunks.push(json);
        } catch {
          failed = true;
        }
      }
    }
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done: closed, value } = await reader.read();
        if (closed) {
          controller.close();
          if (done && !failed) onComplete(chunks);
          return;
        }
        see(value);
        controller.enqueue(value);
      },
      cancel(reason) {
        failed = true;
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
