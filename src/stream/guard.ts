// The guard stage: post_call guardrails on a stream as it flows. Text deltas are held in a window: when twice a
// window has gathered, the rules run over the held text (with the text just before it as context), and what lies
// more than a window's length from the end, outside any match, goes on, masked; the rest waits for more text. A
// match split across events (a card number in three chunks) is therefore seen whole and masked before any of it
// reaches the client; a BLOCK match ends the stream with an error event (or, before the first byte, refuses the
// request). Any event that is not a text delta (a finish, a tool call, usage, the end) first sends what is held,
// and has its own texts checked whole (Responses' events that repeat the text so far).
import type { RouterError } from '../router/errors';
import { blocked } from '../guardrails/engine';
import { textSlots } from '../guardrails/texts';
import type { GuardrailDecision, Hit, PiiTokens, TextRule } from '../guardrails/types';
import { applyHits } from '../guardrails/types';
import { eventEnd, nextEvent } from './framing';
import { eventText, parseBlock } from './sse';
import type { Send, Stage } from './stage';

type Obj = Record<string, any>;

/** A text delta, whatever the API: which text it continues, its text, and the event it came in (where `k` of `o` holds it). */
interface Delta {
  key: string;
  text: string;
  json: Obj;
  o: Obj;
  k: string;
}

/** A chat chunk's delta.content, a completion chunk's text, Anthropic's text_delta, Responses' output_text.delta. */
function deltaOf(json: Obj): Delta | undefined {
  const c = json.choices?.length === 1 ? json.choices[0] : undefined;
  const [o, k = '']: [Obj?, string?] = c ? (c.delta ? [c.delta, 'content'] : [c, 'text']) : json.delta?.type === 'text_delta' ? [json.delta, 'text'] : json.type === 'response.output_text.delta' ? [json, 'delta'] : [];
  if (typeof o?.[k] !== 'string' || c?.finish_reason || o.tool_calls) return undefined;
  return { key: `${c?.index ?? json.index ?? json.item_id}:${json.content_index}`, text: o[k], json, o, k };
}

const encoder = new TextEncoder();
const encode = (event: string | undefined, json: Obj) => encoder.encode(`${eventText(json, event)}\n\n`);

/** Each event's SSE fields and JSON (undefined when it is not JSON: the watch stage has judged it). */
function parse(text: string) {
  const ev = parseBlock(text, false);
  let json: Obj | undefined;
  try {
    json = ev?.data.startsWith('{') ? JSON.parse(ev.data) : undefined;
  } catch {}
  return { ev, json };
}

export class GuardStage implements Stage {
  /** The text held back, after `context` (text already sent just before it, for the rules' boundaries), and the event it goes out in. */
  private held?: Delta & { event?: string; context: string };
  private lead?: Uint8Array;
  private readonly decoder = new TextDecoder();
  private readonly window: number;

  constructor(
    /** Each guardrail's rule, and its decision in the request's record: what the stage finds is set there (names, never values). */
    private readonly rules: Array<{ name: string; rule: TextRule; decision?: GuardrailDecision }>,
    private readonly tokens: PiiTokens | undefined,
  ) {
    this.window = Math.max(0, ...rules.map((r) => r.rule.window));
  }

  take(events: Uint8Array, send: Send): RouterError | undefined {
    for (let start = 0; start < events.length; ) {
      const end = eventEnd(events, start);
      const bytes = events.subarray(start, nextEvent);
      const { ev, json } = parse(this.decoder.decode(events.subarray(start, end)));
      start = nextEvent;
      const delta = json && deltaOf(json);
      const h = this.held;
      let error: RouterError | undefined;
      if (delta && !delta.text && !h) {
        // An empty delta before any text (a chat stream's first chunk, with its role) waits, as it came, for the text after it.
        this.lead ??= bytes.slice();
        continue;
      }
      if (delta) {
        const same = h?.key === delta.key;
        if (!same) error = this.flush(send, true);
        this.held = { ...delta, event: ev?.event, context: same ? h.context : '', text: (same ? h.text : '') + delta.text };
        // The rules run once twice a window has gathered (then a window's worth goes on): each character is scanned about twice.
        if (!error && this.held.text.length >= 2 * this.window) error = this.flush(send, false);
      } else error = this.flush(send, true) ?? (json ? this.whole(json, ev?.event, bytes, send) : this.out(send, bytes));
      if (error) return error;
    }
    return undefined;
  }

  /** Sends the held text that is safe to send (all of it when `all`), masked; holds the rest. */
  private flush(send: Send, all: boolean): RouterError | undefined {
    const h = this.held;
    if (!h) return undefined;
    const full = h.context + h.text;
    const from = h.context.length;
    const hits = this.find(full).filter((x) => x.end > from);
    const block = hits.find((x) => x.block);
    if (block) return blocked(block.guardrail, block.block!);
    let cut = all ? full.length : full.length - this.window;
    // Never through a match: a cut inside one moves to its start.
    for (let moved = true; moved; ) {
      moved = false;
      for (const x of hits) if (x.start < cut && x.end > cut) [cut, moved] = [x.start, true];
    }
    if (cut <= from) return undefined;
    h.o[h.k] = applyHits(full, hits, from, cut);
    const rest = full.slice(cut);
    this.held = rest ? { ...h, context: full.slice(Math.max(from, cut - this.window), cut), text: rest } : undefined;
    return this.out(send, encode(h.event, h.json));
  }

  /** `events` on to the client, after what waited for the first text. */
  private out(send: Send, events: Uint8Array): RouterError | undefined {
    const lead = this.lead;
    this.lead = undefined;
    return (lead && send(lead)) || send(events);
  }

  /** An event that is not a text delta: its texts checked whole, sent masked or as they came. */
  private whole(json: Obj, event: string | undefined, bytes: Uint8Array, send: Send): RouterError | undefined {
    let changed = false;
    for (const s of textSlots(json)) {
      const hits = this.find(s.get());
      const block = hits.find((x) => x.block);
      if (block) return blocked(block.guardrail, block.block!);
      if (hits.length) (changed = true), s.set(applyHits(s.get(), hits));
    }
    return this.out(send, changed ? encode(event, json) : bytes);
  }

  private find(text: string): Array<Hit & { guardrail: string }> {
    return this.rules.flatMap(({ name, rule, decision: d }) =>
      rule.find(text, this.tokens).map((hit) => {
        if (d) {
          d.decision = hit.block ? 'blocked' : d.decision === 'blocked' ? 'blocked' : 'masked';
          d.found = [...new Set([...(d.found ?? []), hit.name])];
        }
        return { ...hit, guardrail: name };
      }),
    );
  }
}

/**
 * post_call guardrail services on a stream: a service is one call on the whole answer, so the stream is held to its
 * end (as LiteLLM holds it), checked, then sent: as it came, with its text masked (each text in its first delta,
 * and in the events that repeat it whole), or as one error event in the stream's format.
 */
export function heldForServices(check: (texts: string[]) => Promise<string[] | undefined>, errorEvent: (e: RouterError) => Uint8Array): TransformStream<Uint8Array, Uint8Array> {
  const chunks: Uint8Array[] = [];
  return new TransformStream({
    transform: (chunk) => void chunks.push(chunk),
    async flush(controller) {
      const events = (await new Blob(chunks).text()).split('\n\n').map((b) => ({ b, ...parse(b) }));
      const deltas = events.map((e) => e.json && deltaOf(e.json));
      const keys = [...new Set(deltas.flatMap((d) => (d ? [d.key] : [])))];
      const texts = keys.map((k) => deltas.map((d) => (d?.key === k ? d.text : '')).join(''));
      let masked: string[] | undefined;
      try {
        masked = await check(texts);
      } catch (e) {
        return controller.enqueue(errorEvent(e as RouterError));
      }
      if (!masked) return chunks.forEach((c) => controller.enqueue(c));
      const seen = new Set<string>();
      const out = events.map(({ b, ev, json }, i) => {
        const d = deltas[i];
        if (!json) return b;
        if (d) d.o[d.k] = seen.has(d.key) ? '' : masked[keys.indexOf(d.key)];
        else for (const s of textSlots(json)) if (texts.includes(s.get())) s.set(masked[texts.indexOf(s.get())]);
        if (d) seen.add(d.key);
        return eventText(json, ev?.event);
      });
      controller.enqueue(encoder.encode(out.join('\n\n')));
    },
  });
}
