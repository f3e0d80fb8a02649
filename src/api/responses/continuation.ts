// stream_failure: continue for a Responses stream passed through: the output items the client got, and the rest
// (OpenAI's own events, or translated from chat chunks) spliced into the same response: no second
// response.created or in_progress, the rest's text going on in the open message item (its ids, its indexes), its
// other items after the client's, sequence numbers going on from the client's last, one response.completed with
// the first response's id, the whole output and the usage of both calls.
import { CONTINUE_INSTRUCTION } from '../../router/continuation';
import type { Splicer } from '../../stream/continuation';
import { addUsage, EventTranscript, restText } from '../../stream/continuation';
import { translateEvents } from '../../stream/sse';
import { namedEvent } from '../sse';
import type { ResponsesBody } from './request';
import type { ResponsesUsage } from './response';
import { chatUsage, responsesUsage } from './response';
import { inputItems } from './store';

type Item = { type: string; id: string; content?: Array<{ type: string; text?: string }>; [k: string]: unknown };

interface ResponsesEvent {
  type: string;
  sequence_number?: number;
  output_index?: number;
  content_index?: number;
  item_id?: string;
  item?: Item;
  part?: { type: string; text?: string };
  delta?: string;
  text?: string;
  response?: { id?: string; created_at?: number; model?: string; output?: Item[]; usage?: ResponsesUsage | null };
}

/** Text goes on from a prefill; reasoning that ended is kept as it is; a tool call, or reasoning cut open, cannot. */
const CONTINUABLE = new Set(['message', 'reasoning']);

class ResponsesTranscript extends EventTranscript<ResponsesEvent> {
  seq = -1;
  response: ResponsesEvent['response'] = {};
  /** The items the client has, as last sent. */
  readonly output: Item[] = [];
  /** The item open now; for a message, its output_text part open and that part's text. */
  open?: { index: number; type: string; id: string; part?: number; text: string };

  override get continuable(): boolean {
    return !this.blocked && (this.open === undefined || this.open.type === 'message');
  }

  protected see(e: ResponsesEvent) {
    if (typeof e.sequence_number === 'number') this.seq = e.sequence_number;
    const index = e.output_index ?? 0;
    switch (e.type) {
      case 'response.created':
        this.response = e.response ?? {};
        break;
      case 'response.output_item.added':
        this.output[index] = e.item!;
        this.open = { index, type: e.item?.type ?? '', id: e.item?.id ?? '', text: '' };
        if (!CONTINUABLE.has(this.open.type)) this.blocked = true;
        break;
      case 'response.content_part.added':
        if (e.part?.type !== 'output_text') this.blocked = true;
        else if (this.open) Object.assign(this.open, { part: e.content_index ?? 0, text: '' });
        break;
      case 'response.output_text.delta':
        this.text += e.delta ?? '';
        if (this.open) this.open.text += e.delta ?? '';
        break;
      case 'response.output_item.done':
        this.output[index] = e.item!;
        this.open = undefined;
    }
  }
}

export function responsesSplicer(onAnswer: (response: unknown) => void): Splicer {
  const t = new ResponsesTranscript();
  return {
    transcript: t,
    splice(prior, trimmed) {
      const rest = restText(trimmed);
      const output = [...t.output];
      let seq = t.seq;
      // The rest's output_index plus `shift` is the client's; unset until the rest's first item.
      let shift: number | undefined;
      // The rest's message item that goes on in the client's open one, and the text it added there.
      let joined: string | undefined;
      let added = '';
      const open = t.open?.part === undefined ? undefined : t.open;
      const emit = (e: ResponsesEvent) => namedEvent({ ...e, sequence_number: ++seq } as ResponsesEvent);
      const whole = () => open!.text + added;
      // The client's open message ends (its done events) before the rest's first other item, or before the end.
      const closeOpen = (): Uint8Array[] => {
        if (!open || shift !== undefined) return [];
        const part = { type: 'output_text', text: open.text, annotations: [] };
        const item = { ...output[open.index], status: 'completed', content: [part] };
        output[open.index] = item;
        const at = { item_id: open.id, output_index: open.index, content_index: open.part };
        return [
          emit({ type: 'response.output_text.done', ...at, text: open.text }),
          emit({ type: 'response.content_part.done', ...at, part }),
          emit({ type: 'response.output_item.done', output_index: open.index, item }),
        ];
      };
      return translateEvents({
        translate(ev) {
          let e: ResponsesEvent;
          try {
            e = JSON.parse(ev.data);
          } catch {
            return [];
          }
          const type = e.type;
          if (type === 'response.created' || type === 'response.in_progress' || type === 'response.queued') return [];
          let out: Uint8Array[] = [];
          if (type === 'response.output_item.added') {
            if (shift === undefined && open && e.item?.type === 'message') {
              shift = open.index - (e.output_index ?? 0);
              joined = e.item.id;
              return [];
            }
            out = closeOpen();
            shift ??= t.output.length - (e.output_index ?? 0);
          }
          if (typeof e.output_index === 'number') e.output_index += shift ?? 0;
          if (joined !== undefined && e.item_id === joined) {
            if (type === 'response.content_part.added') return [];
            e.item_id = open!.id;
            e.content_index = (e.content_index ?? 0) + open!.part!;
            if (type === 'response.output_text.delta') added += e.delta = rest(e.delta ?? '');
            if (type === 'response.output_text.done') e.text = whole();
            if (type === 'response.content_part.done') e.part = { ...e.part!, text: whole() };
          }
          if (type === 'response.output_item.done' && e.item) {
            if (e.item.id === joined) {
              const [first, ...others] = e.item.content ?? [];
              e.item = { ...e.item, id: open!.id, content: [{ ...first, type: 'output_text', text: whole() }, ...others] };
            }
            output[e.output_index!] = e.item;
          }
          if ((type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') && e.response) {
            out = closeOpen();
            const { id, created_at, model } = t.response!;
            e.response = { ...e.response, id, created_at, model, output, usage: responsesUsage(addUsage(prior, chatUsage(e.response.usage ?? undefined))) };
            if (type !== 'response.failed') onAnswer(e.response);
          }
          return [...out, emit(e)];
        },
      });
    },
  };
}

/** The request that goes on from `prefill`: the instruction, then the text as the assistant's own turn. */
export function prefilledResponses(request: ResponsesBody, prefill: string): ResponsesBody {
  if (!prefill) return request;
  return { ...request, input: [...inputItems(request.input), { role: 'system', content: CONTINUE_INSTRUCTION }, { role: 'assistant', content: prefill }] };
}
