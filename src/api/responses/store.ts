// Responses the gateway answered by translation, kept so that a follow-up's previous_response_id works on any
// deployment: the conversation (input items, then output items) is stored under the response id, scoped to the
// caller (a hash of its key, never the key), in Workers KV (binding CACHE) or, without it, the isolate's memory.
// A response OpenAI or Azure answered directly is theirs to keep: its id passes through untouched.

import { sha256Hex } from '../../cache/key';
import { MAX_NAME_LENGTH } from '../../schema/common';
import { tooLong } from '../../schema/issues';
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

/** The storage key: a hash of the caller's scope and the id, so no client string (KV takes 512 bytes) is a key. */
const conversationKey = async (scope: string | undefined, responseId: string) => `responses:${await sha256Hex(`${scope ?? 'public'}\n${responseId}`)}`;

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
  // OpenAI's ids are about 50 characters; the id also passes through upstream and into error messages.
  if (typeof id === 'string' && id.length > MAX_NAME_LENGTH) throw tooLong('previous_response_id', id, MAX_NAME_LENGTH);
  const items = await ctx.conversations.get(await conversationKey(ctx.callerScope, String(id)));
  if (!items) return req;
  const { previous_response_id: _, ...rest } = req;
  return { ...rest, input: [...items, ...inputItems(req.input)] };
}

/** Keeps a translated response's conversation (unless the request said store: false), after the answer. */
export function rememberConversation(req: ResponsesBody, answer: unknown, ctx: ApiContext): void {
  if (req.store === false) return;
  const res = answer as { id?: string; output?: Item[] };
  if (!res.id || !Array.isArray(res.output)) return;
  const items = [...inputItems(req.input), ...res.output];
  ctx.defer(conversationKey(ctx.callerScope, res.id).then((key) => ctx.conversations.put(key, items, STORED_TTL_S)));
}
