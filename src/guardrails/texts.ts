// Where text flows, in a request, an answer or a stream's event, whatever the API: the strings under the keys that
// carry text (chat's and Messages' `content`, `system`, completions' `prompt` and `text`, Responses' `input`,
// `instructions` and `output`, embeddings' and moderations' `input`, a transcript's `text`), reached through the
// keys that hold them. Images, audio, tool calls and token arrays are left as they are. Each is a slot a guardrail
// reads and may rewrite in place.

export interface Slot {
  get(): string;
  set(text: string): void;
}

const TEXT = new Set(['content', 'text', 'prompt', 'input', 'instructions', 'system', 'output', 'output_text']);
/** Keys that hold text further in: messages, choices and their deltas, a stream event's part, item or response. */
const HOLDS = new Set([...TEXT, 'messages', 'choices', 'message', 'delta', 'part', 'item', 'response']);

/** The texts of `v` in order; `listed`: a list's strings are texts themselves (`input: ["a", "b"]`). */
export function textSlots(v: unknown, out: Slot[] = [], listed = false): Slot[] {
  const at = (o: any, k: string | number): Slot => ({ get: () => o[k], set: (t) => void (o[k] = t) });
  if (Array.isArray(v)) v.forEach((x, i) => (typeof x === 'string' ? listed && out.push(at(v, i)) : textSlots(x, out, listed)));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'string') TEXT.has(k) && out.push(at(v, k));
      else if (HOLDS.has(k)) textSlots(x, out, TEXT.has(k));
    }
  }
  return out;
}
