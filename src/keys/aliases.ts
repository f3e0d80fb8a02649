// A virtual key's model aliases (LiteLLM's key `aliases`, then its team's `model_aliases`): the requested model
// name is replaced before the key's access is checked and the request is routed, as LiteLLM's proxy does
// (its key docs: `{"models": ["my-free-tier"], "aliases": {"gpt-3.5-turbo": "my-free-tier"}}`).
import type { Context } from 'hono';
import type { KeyedEnv } from './auth';
import type { KeyEntry } from './types';

export function aliasedModel({ key, team }: KeyEntry, model: string): string {
  return key.aliases?.[model] ?? team?.model_aliases?.[model] ?? model;
}

/** The body with `model` replaced by the calling key's alias target (the master key's bodies pass as they are). */
export function withKeyAliases<E extends KeyedEnv>(c: Context<E>, body: unknown): unknown {
  const key = c.get('virtualKey');
  if (!key || typeof body !== 'object' || body === null) return body;
  const model = (body as { model?: unknown }).model;
  if (typeof model !== 'string') return body;
  const target = aliasedModel(key.entry, model);
  return target === model ? body : { ...body, model: target };
}
