// Responses streams. Translated: an OpenAI chat chunk stream becomes the Responses' typed events as it arrives
// (response.created, response.in_progress; per output item: output_item.added, content_part.added,
// output_text.delta/.done or function_call_arguments.delta/.done, output_item.done; then response.completed
// with usage), each with its sequence_number. Passed through: the relay watches OpenAI's own events.
import type { ChatChunk, Usage } from '../../providers/openai-types';
import { RouterError } from '../../router/errors';
import type { StreamDialect } from '../../stream/dialect';
import { notSSE } from '../../stream/dialect';
import { translateEvents } from '../../stream/sse';
import { namedEvent } from '../sse';
import { responsesErrorEvent } from './errors';
import type { ResponsesBody } from './request';
import { callName } from './request';
import type { OutputItem } from './response';
import { chatUsage, functionCallItem, messageItem, newId, responseObject, responsesUsage } from './response';

export function toResponsesStream(req: ResponsesBody, onAnswer?: (response: unknown) => void): TransformStream<Uint8Array, Uint8Array> {
  const t = new ResponsesTranslator(req, onAnswer);
  return translateEvents({ translate: (ev) => t.translate(ev.data) });
}

type Open = { kind: 'text'; item: OutputItem; index: number; text: string } | { kind: 'call'; item: OutputItem; index: number; args: string; chatIndex: number };

class ResponsesTranslator {
  private seq = 0;
  private started = false;
  private readonly id = newId('resp');
  private readonly createdAt = Math.floor(Date.now() / 1000);
  private readonly output: OutputItem[] = [];
  private open?: Open;
  private finish: string | null = null;
  private usage?: Usage;

  constructor(
    private readonly req: ResponsesBody,
    private readonly onAnswer?: (response: unknown) => void,
  ) {}

  private event(type: string, fields: Record<string, unknown>): Uint8Array {
    return namedEvent({ type, ...fields, sequence_number: this.seq++ } as { type: string });
  }

  private response(status: 'in_progress' | 'completed' | 'incomplete') {
    return responseObject(this.req, {
      id: this.id,
      createdAt: this.createdAt,
      status,
      output: status === 'in_progress' ? [] : this.output,
      usage: status === 'in_progress' ? null : responsesUsage(this.usage),
    });
  }

  translate(data: string): Uint8Array[] {
    if (data === '[DONE]') return this.end();
    let chunk: ChatChunk & { error?: { message?: string; type?: string; code?: string | null } };
    try {
      chunk = JSON.parse(data);
    } catch {
      return [];
    }
    if (chunk.error) {
      const err = new RouterError('InternalServerError', chunk.error.message ?? 'Upstream stream error', { code: chunk.error.code ?? null, type: chunk.error.type });
      return [responsesErrorEvent(err, this.seq++)];
    }
    const out: Uint8Array[] = [];
    if (!this.started) {
      this.started = true;
      out.push(this.event('response.created', { response: this.response('in_progress') }));
      out.push(this.event('response.in_progress', { response: this.response('in_progress') }));
    }
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (!choice) return out;
    const { content, tool_calls } = choice.delta ?? {};
    if (typeof content === 'string' && content !== '') {
      if (this.open?.kind !== 'text') out.push(...this.close(), ...this.openText());
      const open = this.open as Extract<Open, { kind: 'text' }>;
      open.text += content;
      out.push(this.event('response.output_text.delta', { item_id: open.item.id, output_index: open.index, content_index: 0, delta: content, logprobs: [] }));
    }
    for (const tc of tool_calls ?? []) {
      if (this.open?.kind !== 'call' || this.open.chatIndex !== tc.index) {
        out.push(...this.close());
        const item = functionCallItem(newId('fc'), tc.id ?? newId('call'), callName(this.req, tc.function?.name ?? ''), '', 'in_progress');
        this.open = { kind: 'call', item, index: this.output.length, args: '', chatIndex: tc.index };
        this.output.push(item);
        out.push(this.event('response.output_item.added', { output_index: this.open.index, item: { ...item } }));
      }
      const args = tc.function?.arguments;
      if (args) {
        this.open.args += args;
        out.push(this.event('response.function_call_arguments.delta', { item_id: this.open.item.id, output_index: this.open.index, delta: args }));
      }
    }
    if (choice.finish_reason) this.finish = choice.finish_reason;
    return out;
  }

  private openText(): Uint8Array[] {
    const item = messageItem(newId('msg'), '', 'in_progress');
    this.open = { kind: 'text', item, index: this.output.length, text: '' };
    this.output.push(item);
    return [
      this.event('response.output_item.added', { output_index: this.open.index, item: { ...item, content: [] } }),
      this.event('response.content_part.added', { item_id: item.id, output_index: this.open.index, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } }),
    ];
  }

  /** Ends the open item: its done events, and its final form in the output. */
  private close(): Uint8Array[] {
    const open = this.open;
    if (!open) return [];
    this.open = undefined;
    const status = this.finish === 'length' ? 'incomplete' : 'completed';
    if (open.kind === 'text') {
      const item = messageItem(open.item.id, open.text, status);
      this.output[open.index] = item;
      const part = (item.content as unknown[])[0];
      return [
        this.event('response.output_text.done', { item_id: item.id, output_index: open.index, content_index: 0, text: open.text, logprobs: [] }),
        this.event('response.content_part.done', { item_id: item.id, output_index: open.index, content_index: 0, part }),
        this.event('response.output_item.done', { output_index: open.index, item }),
      ];
    }
    const item = { ...open.item, arguments: open.args, status: 'completed' as const };
    this.output[open.index] = item;
    return [
      this.event('response.function_call_arguments.done', { item_id: item.id, output_index: open.index, name: open.item.name, arguments: open.args }),
      this.event('response.output_item.done', { output_index: open.index, item }),
    ];
  }

  private end(): Uint8Array[] {
    if (!this.started) return [];
    const out = this.close();
    const status = this.finish === 'length' ? 'incomplete' : 'completed';
    const response = this.response(status);
    out.push(this.event(`response.${status}`, { response }));
    this.onAnswer?.(response);
    return out;
  }
}

const SEQ = /"sequence_number":(\d+)/;

/** Watches a passed-through Responses stream: usage and the end from response.completed/incomplete, failures. */
export function responsesDialect(): StreamDialect {
  let lastSeq = -1;
  return {
    see(ev, state, inBand) {
      const type = ev.event ?? '';
      const seq = SEQ.exec(ev.data);
      if (seq) lastSeq = Number(seq[1]);
      if (type === 'response.output_text.delta' || type === 'response.function_call_arguments.delta') {
        state.contentChars += ev.data.length >> 2; // a delta event is mostly its envelope: enough for an estimate
        return undefined;
      }
      if (type !== 'response.completed' && type !== 'response.incomplete' && type !== 'response.failed' && type !== 'error') return undefined;
      let json: { response?: { usage?: Parameters<typeof chatUsage>[0]; error?: { code?: string; message?: string } | null }; code?: string; message?: string };
      try {
        json = JSON.parse(ev.data);
      } catch {
        return notSSE(ev.data, inBand);
      }
      if (type === 'error') return inBand(json.code ?? undefined, json.message ?? 'unknown error');
      if (type === 'response.failed') return inBand(json.response?.error?.code, json.response?.error?.message ?? 'response failed');
      state.done = true;
      state.usage = chatUsage(json.response?.usage);
      return undefined;
    },
    errorEvent: (err) => responsesErrorEvent(err, ++lastSeq),
  };
}
