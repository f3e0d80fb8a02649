// OpenAI, and any OpenAI-compatible server through api_base: the request passes through as is.
import type { Deployment } from '../router/deployment';
import { postJson, upstreamJson, upstreamJsonText } from './http';
import type { ChatCompletion, EmbeddingResponse } from './openai-types';
import type { Provider, UpstreamCall } from './provider';

const DEFAULT_BASE = 'https://api.openai.com/v1';

const trimSlash = (s: string) => s.replace(/\/+$/, '');

function headers(d: Deployment): Record<string, string> {
  const h: Record<string, string> = {};
  if (d.params.api_key) h.authorization = `Bearer ${d.params.api_key}`;
  if (d.params.organization) h['openai-organization'] = d.params.organization;
  return h;
}

/** An OpenAI-wire provider: the shape shared by OpenAI itself and Azure (which differs in URL and auth). */
export function openAIWire(
  name: string,
  url: (d: Deployment, endpoint: 'chat/completions' | 'embeddings' | 'responses') => string,
  auth: (d: Deployment) => Record<string, string>,
  base: (d: Deployment) => string,
  check?: Provider['check'],
): Provider {
  return {
    name,
    apiBase: base,
    check,
    // The Responses API passes through; the client's headers are not forwarded (only this deployment's auth).
    passthrough: { responses: (call) => postJson(call, url(call.deployment, 'responses'), auth(call.deployment), call.body) },
    async chat(call) {
      const res = await postJson(call, url(call.deployment, 'chat/completions'), auth(call.deployment), call.body);
      if (call.body.stream) return { kind: 'stream', stream: res.body ?? new ReadableStream() };
      const { value, text } = await upstreamJsonText<ChatCompletion>(res, call.deployment);
      return { kind: 'json', body: value, text };
    },
    async embeddings(call: UpstreamCall<Parameters<NonNullable<Provider['embeddings']>>[0]['body']>) {
      const res = await postJson(call, url(call.deployment, 'embeddings'), auth(call.deployment), call.body);
      return upstreamJson<EmbeddingResponse>(res, call.deployment);
    },
  };
}

const openaiBase = (d: Deployment) => trimSlash(d.params.api_base ?? DEFAULT_BASE);

export const openai: Provider = {
  ...openAIWire('openai', (d, endpoint) => `${openaiBase(d)}/${endpoint}`, headers, openaiBase),
  env: { api_key: ['OPENAI_API_KEY'], api_base: ['OPENAI_BASE_URL', 'OPENAI_API_BASE'], organization: ['OPENAI_ORGANIZATION'] },
};
