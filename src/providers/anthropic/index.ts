// anthropic/<model> and bare claude-*: Anthropic's Messages API, translated to and from OpenAI's chat format.
import type { Deployment } from '../../router/deployment';
import { postJson, upstreamJson } from '../http';
import type { NativeCall, Provider } from '../provider';
import { isJsonMode } from './json-mode';
import { toMessagesRequest } from './request';
import { toChatCompletion } from './response';
import { toChatChunkStream } from './stream';
import type { Message } from './types';

const DEFAULT_BASE = 'https://api.anthropic.com';
const API_VERSION = '2023-06-01';

const base = (d: Deployment) => (d.params.api_base ?? DEFAULT_BASE).replace(/\/+$/, '');

function headers(d: Deployment): Record<string, string> {
  const h: Record<string, string> = { 'anthropic-version': API_VERSION };
  if (d.params.api_key) h['x-api-key'] = d.params.api_key;
  return h;
}

/** A Messages API call passed through: the client's anthropic-version and anthropic-beta win over ours. */
const native = (path: string) => (call: NativeCall) =>
  postJson(call, `${base(call.deployment)}${path}`, { ...headers(call.deployment), ...call.headers }, call.body);

export const anthropic: Provider = {
  name: 'anthropic',
  apiBase: base,
  env: { api_key: ['ANTHROPIC_API_KEY'], api_base: ['ANTHROPIC_API_BASE', 'ANTHROPIC_BASE_URL'] },
  // What request.ts translates; anything else is dropped (drop_params) or refused by name.
  supportedParams: new Set([
    'model', 'messages', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens', 'stop', 'temperature', 'top_p',
    'tools', 'tool_choice', 'parallel_tool_calls', 'response_format', 'user',
  ]),

  prefill: () => true,
  passthrough: { messages: native('/v1/messages'), count_tokens: native('/v1/messages/count_tokens') },

  async chat(call) {
    const d = call.deployment;
    const res = await postJson(call, `${base(d)}/v1/messages`, headers(d), toMessagesRequest(call.body, d.info.max_output_tokens));
    const jsonMode = isJsonMode(call.body.response_format);
    if (!call.body.stream) return { kind: 'json', body: toChatCompletion(await upstreamJson<Message>(res, d), jsonMode) };
    const includeUsage = call.body.stream_options?.include_usage === true;
    const body = res.body ?? new ReadableStream<Uint8Array>();
    return { kind: 'stream', stream: body.pipeThrough(toChatChunkStream({ deployment: d, includeUsage, jsonMode })) };
  },
};
