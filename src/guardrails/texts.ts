// Where text flows in each API's request and answer, as slots a guardrail reads and may rewrite in place:
// chat, Anthropic's Messages, OpenAI's Responses, embeddings and completions inputs. Images, audio and token
// arrays carry no text a text guardrail can read, and are left as they are.

export interface Slot {
  get(): string;
  set(text: string): void;
}

export type GuardedCall = 'chat' | 'messages' | 'responses' | 'embeddings' | 'completions' | 'moderations' | 'audio';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function field(o: Obj, key: string, out: Slot[]) {
  if (typeof o[key] === 'string') out.push({ get: () => o[key] as string, set: (t) => void (o[key] = t) });
}

/** A string, or a list of strings and text parts (`{type: text|input_text|output_text, text}`, tool results). */
function content(o: Obj, key: string, out: Slot[]) {
  const v = o[key];
  if (typeof v === 'string') return field(o, key, out);
  if (!Array.isArray(v)) return;
  v.forEach((part, i) => {
    if (typeof part === 'string') out.push({ get: () => v[i] as string, set: (t) => void (v[i] = t) });
    else if (isObj(part)) {
      field(part, 'text', out);
      if (part.type === 'tool_result') content(part, 'content', out);
    }
  });
}

/** The texts of a request, in order. */
export function inputSlots(call: GuardedCall, body: Obj): Slot[] {
  const out: Slot[] = [];
  switch (call) {
    case 'chat':
      for (const m of (body.messages as unknown[]) ?? []) if (isObj(m)) content(m, 'content', out);
      break;
    case 'messages':
      content(body, 'system', out);
      for (const m of (body.messages as unknown[]) ?? []) if (isObj(m)) content(m, 'content', out);
      break;
    case 'responses':
      field(body, 'instructions', out);
      if (typeof body.input === 'string') field(body, 'input', out);
      else if (Array.isArray(body.input)) {
        for (const item of body.input) {
          if (!isObj(item)) continue;
          content(item, 'content', out);
          if (item.type === 'function_call_output') field(item, 'output', out);
        }
      }
      break;
    case 'embeddings':
    case 'moderations':
      content(body, 'input', out);
      break;
    case 'completions':
      content(body, 'prompt', out);
      break;
  }
  return out;
}

/** The texts of an answer (JSON), in order. */
export function outputSlots(call: GuardedCall, body: unknown): Slot[] {
  const out: Slot[] = [];
  if (!isObj(body)) return out;
  switch (call) {
    case 'chat':
      for (const c of (body.choices as unknown[]) ?? []) if (isObj(c) && isObj(c.message)) field(c.message, 'content', out);
      break;
    case 'completions':
      for (const c of (body.choices as unknown[]) ?? []) if (isObj(c)) field(c, 'text', out);
      break;
    case 'messages':
      content(body, 'content', out);
      break;
    case 'responses':
      field(body, 'output_text', out);
      for (const item of (body.output as unknown[]) ?? []) if (isObj(item)) content(item, 'content', out);
      break;
    case 'audio':
      field(body, 'text', out);
      break;
  }
  return out;
}
