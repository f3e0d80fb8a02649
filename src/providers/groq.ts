// groq/<model>: Groq's OpenAI-compatible API (https://console.groq.com/docs/openai). Chat only: Groq has no embeddings.
import { CHAT_PARAMS } from '../router/request';
import type { Deployment } from '../router/deployment';
import { openAIWire } from './openai';
import type { Provider } from './provider';

const DEFAULT_BASE = 'https://api.groq.com/openai/v1';

/** Groq answers these with a 400 (its OpenAI-compatibility page), so drop_params drops them before they go. */
const UNSUPPORTED = new Set(['logprobs', 'logit_bias', 'top_logprobs']);

const base = (d: Deployment) => (d.params.api_base ?? DEFAULT_BASE).replace(/\/+$/, '');

const wire = openAIWire(
  'groq',
  (d, endpoint) => `${base(d)}/${endpoint}`,
  (d): Record<string, string> => (d.params.api_key ? { authorization: `Bearer ${d.params.api_key}` } : {}),
  base,
);

export const groq: Provider = {
  name: wire.name,
  apiBase: wire.apiBase,
  chat: wire.chat,
  supportedParams: new Set([...CHAT_PARAMS].filter((p) => !UNSUPPORTED.has(p))),
};
