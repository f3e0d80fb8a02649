// Responses the gateway answered by translation, kept so that a follow-up's previous_response_id works on any
// deployment: the conversation (input items, then output items) is stored under the response id, scoped to the
// caller (a hash of its key, never the key), in Workers KV (binding CACHE) or, without it, the isolate's memory.
// A response OpenAI or Azure answered directly is theirs to keep: its id passes through untouched.

import type { ApiContext } from '../inbound';
import type { ResponsesBody } from './request';

/** OpenAI keeps stored responses 30 days. */
export const STORED_TTL_S = 30 * 24 * 3600;

type Item = Record<string, unknown>;

export interface ConversationStore {
  get(key: string): Promise<Item[] | undefined>;
  put(key: string, items: Item[], ttlS: number): Promise<void>;
}

export class KVConversations implements ConversationStore {
  constructor(private readonly kv: KVNamespace) {}

  async get(key: string) {
    return (await this.kv.get<Item[]>(key, 'json')) ?? undefined;
  }

  async put(key: string, items: Item[], ttlS: number) {
    await this.kv.put(key, JSON.stringify(items), { expirationTtl: ttlS });
  }
}

/** For a Router used as a library without KV: per isolate, the latest 1000 conversations. */
export class MemoryConversations implements ConversationStore {
  private readonly entries = new Map<string, string>();

  async get(key: string) {
    const text = this.entries.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as Item[]);
  }

  async put(key: string, items: Item[]) {
    this.entries.set(key, JSON.stringify(items));
    while (this.entries.size > 1000) this.entries.delete(this.entries.keys().next().value!);
  }
}

export const conversationKey = (scope: string | undefined, responseId: string) => `responses:${scope ?? 'public'}:${responseId}`;

/** `input` as items: a string is one user message. */
export const inputItems = (input: unknown): Item[] =>
  typeof input === 'string' ? [{ type: 'message', role: 'user', content: input }] : Array.isArray(input) ? (input as Item[]) : [];

/**
 * A previous_response_id this gateway stored for this caller: the request with that conversation before its
 * input, and no previous_response_id (so any deployment can answer it). Any other id is left for the upstream.
 */
export async function restoreConversation(req: ResponsesBody, ctx: ApiContext): Promise<ResponsesBody> {
  const id = req.previous_response_id;
  if (!id) return req;
  const items = await ctx.conversations.get(conversationKey(ctx.callerScope, id));
  if (!items) return req;
  const { previous_response_id: _, ...rest } = req;
  return { ...rest, input: [...items, ...inputItems(req.input)] };
}

/** Keeps a translated response's conversation (unless the request said store: false), after the answer. */
export function rememberConversation(req: ResponsesBody, answer: unknown, ctx: ApiContext): void {
  if (req.store === false) return;
  const res = answer as { id?: string; output?: Item[] };
  if (!res.id || !Array.isArray(res.output)) return;
  ctx.defer(ctx.conversations.put(conversationKey(ctx.callerScope, res.id), [...inputItems(req.input), ...res.output], STORED_TTL_S));
}
