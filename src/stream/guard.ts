// The guard stage: post_call guardrails on a stream as it flows. Text deltas are held in a window: each read, the
// rules run over the held text (with the text just before it as context), and what lies more than a window's
// length from the end, and outside any match, goes on, masked; the rest waits for more text. A match split across
// events (a card number in three chunks) is therefore seen whole and masked before any of it reaches the client;
// a BLOCK match ends the stream with an error event (or, before the first byte, refuses the request). Any event
// that is not a text delta (a finish, a tool call, usage, the end) first sends what is held, checked to its end.
import type { RouterError } from '../router/errors';
import type { Hit, PiiTokens, TextRule } from '../guardrails/types';
import { applyHits } from '../guardrails/types';
import { outputSlots } from '../guardrails/texts';
import { eventEnd, nextEvent } from './framing';
import { parseBlock } from './sse';
import type { Send, Stage } from './stage';

/** The stream's format: OpenAI chat chunks, Anthropic's Messages events, or OpenAI's Responses events. */
export type TextFormat = 'chat' | 'messages' | 'responses' | 'completions';

export interface NamedRule {
  name: string;
  rule: TextRule;
}

type Obj = Record<string, any>;

/** A text delta: which text it continues, its text, and how to write another text into it. */
interface Delta {
  key: string;
  text: string;
  set(json: Obj, text: string): void;
}

function deltaOf(format: TextFormat, json: Obj): Delta | undefined {
  if (format === 'chat' || format === 'completions') {
    const c = json.choices?.length === 1 ? json.choices[0] : undefined;
    const o = format === 'chat' ? c?.delta : c;
    const k = format === 'chat' ? 'content' : 'text';
    if (typeof o?.[k] !== 'string' || c.finish_reason || o.tool_calls) return undefined;
    return { key: String(c.index ?? 0), text: o[k], set: (j, t) => void ((format === 'chat' ? j.choices[0].delta : j.choices[0])[k] = t) };
  }
  if (format === 'messages') {
    if (json.type !== 'content_block_delta' || json.delta?.type !== 'text_delta' || typeof json.delta.text !== 'string') return undefined;
    return { key: String(json.index), text: json.delta.text, set: (j, t) => void (j.delta.text = t) };
  }
  if (json.type !== 'response.output_text.delta' || typeof json.delta !== 'string') return undefined;
  return { key: `${json.item_id}:${json.content_index}`, text: json.delta, set: (j, t) => void (j.delta = t) };
}

/** Responses events that repeat the whole text so far: checked whole, as a non-stream answer is. */
function wholeTexts(json: Obj) {
  switch (json.type) {
    case 'response.output_text.done':
      return outputSlots('audio', json);
    case 'response.content_part.done':
      return outputSlots('audio', json.part);
    case 'response.output_item.done':
      return outputSlots('responses', { output: [json.item] });
    case 'response.completed':
    case 'response.incomplete':
      return outputSlots('responses', json.response);
  }
  return undefined;
}

interface Held {
  key: string;
  event?: string;
  /** The event the held text goes out in, and how its text is set. */
  template: Obj;
  set: Delta['set'];
  /** Text already sent just before the held text: context for the rules (a word boundary, a lookbehind), never sent again. */
  context: string;
  text: string;
}

const encoder = new TextEncoder();

export class GuardStage implements Stage {
  private held?: Held;
  private readonly decoder = new TextDecoder();
  private readonly window: number;
  /** What each guardrail found in this stream (names, never values). */
  readonly found = new Map<string, Set<string>>();

  constructor(
    private readonly format: TextFormat,
    private readonly rules: NamedRule[],
    private readonly tokens: PiiTokens | undefined,
    private readonly blocked: (guardrail: string, message: string) => RouterError,
  ) {
    this.window = Math.max(0, ...rules.map((r) => r.rule.window));
  }

  take(events: Uint8Array, send: Send): RouterError | undefined {
    const n = events.length;
    for (let start = 0; start < n; ) {
      const end = eventEnd(events, start);
      const next = nextEvent;
      const bytes = events.subarray(start, next);
      const ev = parseBlock(this.decoder.decode(events.subarray(start, end)), false);
      start = next;
      let json: Obj | undefined;
      if (ev && ev.data.startsWith('{')) {
        try {
          json = JSON.parse(ev.data);
        } catch {
          // not JSON: the watch stage has judged it; passed on as it is
        }
      }
      const delta = json && deltaOf(this.format, json);
      if (delta && json) {
        if (this.held && this.held.key !== delta.key) {
          const error = this.flush(send, true);
          if (error) return error;
        }
        if (this.held) {
          this.held.text += delta.text;
          this.held.template = json;
          this.held.set = delta.set;
        } else this.held = { key: delta.key, event: ev?.event, template: json, set: delta.set, context: '', text: delta.text };
        // The rules run once twice a window has gathered (then a window's worth goes on), not on every event:
        // each character is scanned about twice, whatever the size of the events.
        if (this.held.text.length < 2 * this.window) continue;
        const error = this.flush(send, false);
        if (error) return error;
        continue;
      }
      const error = this.flush(send, true) ?? (json ? this.whole(json, ev?.event, bytes, send) : send(bytes));
      if (error) return error;
    }
    return undefined;
  }

  /** Sends the held text that is safe to send (all of it when `all`), masked; holds the rest. */
  private flush(send: Send, all: boolean): RouterError | undefined {
    const h = this.held;
    if (!h) return undefined;
    const full = h.context + h.text;
    const offset = h.context.length;
    const hits = this.find(full).filter((x) => x.end > offset);
    const block = hits.find((x) => x.block);
    if (block) return this.blocked(block.guardrail, block.block!);
    let cut = all ? full.length : full.length - this.window;
    // Never through a match: a cut inside one moves to its start.
    for (let moved = true; moved; ) {
      moved = false;
      for (const x of hits) if (x.start < cut && x.end > cut) [cut, moved] = [x.start, true];
    }
    if (cut <= offset) return undefined;
    const text = applyHits(full, hits, offset, cut);
    const template = h.template;
    h.set(template, text);
    const sent = send(encode(h.event, template));
    const rest = full.slice(cut);
    if (rest === '') this.held = undefined;
    else Object.assign(h, { context: full.slice(Math.max(offset, cut - this.window), cut), text: rest });
    return sent;
  }

  /** An event that is not a text delta: a Responses event repeating the whole text is checked whole; others pass as they are. */
  private whole(json: Obj, event: string | undefined, bytes: Uint8Array, send: Send): RouterError | undefined {
    const slots = this.format === 'responses' ? wholeTexts(json) : undefined;
    if (!slots?.length) return send(bytes);
    let changed = false;
    for (const s of slots) {
      const text = s.get();
      const hits = this.find(text);
      const block = hits.find((x) => x.block);
      if (block) return this.blocked(block.guardrail, block.block!);
      if (hits.length) {
        s.set(applyHits(text, hits));
        changed = true;
      }
    }
    return send(changed ? encode(event, json) : bytes);
  }

  private find(text: string): Array<Hit & { guardrail: string }> {
    const out: Array<Hit & { guardrail: string }> = [];
    for (const { name, rule } of this.rules) {
      for (const hit of rule.find(text, this.tokens)) {
        out.push({ ...hit, guardrail: name });
        let names = this.found.get(name);
        if (!names) this.found.set(name, (names = new Set()));
        names.add(hit.name);
      }
    }
    return out;
  }
}

function encode(event: string | undefined, json: Obj): Uint8Array {
  return encoder.encode(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(json)}\n\n`);
}

/** What a post_call service says of a whole streamed answer: refused (an error), or its texts (masked or as they were). */
export type WholeCheck = (texts: string[]) => Promise<{ error?: RouterError; texts?: string[] }>;

/**
 * post_call guardrail services on a stream: a service is one call on the whole answer, so the stream is held to its
 * end (as LiteLLM holds it), checked, then sent: as it came, with its text masked (each text in its first delta,
 * and in the events that repeat it whole), or as one error event in the stream's format.
 */
export function heldForServices(format: TextFormat, check: WholeCheck, errorEvent: (e: RouterError) => Uint8Array): TransformStream<Uint8Array, Uint8Array> {
  const chunks: Uint8Array[] = [];
  return new TransformStream({
    transform: (chunk) => void chunks.push(chunk),
    async flush(controller) {
      const raw = new TextDecoder().decode(concatAll(chunks));
      const blocks = raw.split(/\n\n/);
      const parsed = blocks.map((b) => {
        const ev = parseBlock(b, false);
        if (!ev?.data.startsWith('{')) return { b };
        try {
          const json = JSON.parse(ev.data) as Obj;
          return { b, ev, json, delta: deltaOf(format, json) };
        } catch {
          return { b };
        }
      });
      const keys = [...new Set(parsed.flatMap((p) => (p.delta ? [p.delta.key] : [])))];
      const texts = keys.map((k) => parsed.filter((p) => p.delta?.key === k).map((p) => p.delta!.text).join(''));
      const verdict = await check(texts);
      if (verdict.error) return controller.enqueue(errorEvent(verdict.error));
      const masked = verdict.texts;
      if (!masked || masked.every((t, i) => t === texts[i])) return controller.enqueue(concatAll(chunks));
      const first = new Set<string>();
      const out = parsed.map((p) => {
        if (!p.json || !p.ev) return p.b;
        if (p.delta) {
          const i = keys.indexOf(p.delta.key);
          p.delta.set(p.json, first.has(p.delta.key) ? '' : masked[i]);
          first.add(p.delta.key);
        } else {
          let data = p.ev.data;
          texts.forEach((t, i) => t && (data = data.split(JSON.stringify(t).slice(1, -1)).join(JSON.stringify(masked[i]).slice(1, -1))));
          return `${p.ev.event ? `event: ${p.ev.event}\n` : ''}data: ${data}`;
        }
        return `${p.ev.event ? `event: ${p.ev.event}\n` : ''}data: ${JSON.stringify(p.json)}`;
      });
      controller.enqueue(encoder.encode(out.join('\n\n')));
    },
  });
}

function concatAll(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
