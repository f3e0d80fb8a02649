// OpenAI's legacy text completions (POST /v1/completions) as an inbound API of the Router: passed through to a
// deployment that serves them (model_info.mode `completion`, or OpenAI's own text models), else translated to
// chat, one user message, and the answer back to text_completion, as LiteLLM's text_completion() does.
import type { ChatCompletion, ChatRequest, Usage } from '../../providers/openai-types';
import type { Deployment } from '../../router/deployment';
import { badRequest } from '../../router/errors';
import { estimateTokens, requireModel, takeControls } from '../../router/request';
import { chatDialect, chatDialectHidingUsage } from '../../stream/relay';
import { DONE_EVENT, encodeEvent, translateEvents } from '../../stream/sse';
import type { InboundApi, InboundRequest } from '../inbound';

interface CompletionsBody extends InboundRequest {
  prompt: unknown;
  stream_options?: { include_usage?: boolean };
}

/** Chat parameters a completion request shares (echo, suffix, best_of and logprobs have no chat equivalent). */
const SHARED = ['max_tokens', 'temperature', 'top_p', 'n', 'stop', 'presence_penalty', 'frequency_penalty', 'logit_bias', 'user', 'seed', 'stream', 'stream_options'];

const TEXT_MODEL = /(^|\/)(gpt-3\.5-turbo-instruct|davinci-002|babbage-002)/;

/** A deployment served natively: a text completion model, by model_info.mode or by name. */
export const completesNatively = (d: Deployment) => d.info.mode === 'completion' || TEXT_MODEL.test(d.upstreamModel);

type Choice = { text: string; index: number; logprobs: null; finish_reason: string | null };
const completion = (c: { id: string; created: number; model: string }, choices: Choice[], usage?: Usage | null) => ({
  id: c.id,
  object: 'text_completion',
  created: c.created,
  model: c.model,
  choices,
  ...(usage !== undefined && { usage }),
});

export const completionsApi: InboundApi<CompletionsBody> = {
  call: 'completions',
  parse(body) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The request body must be a JSON object');
    const { rest, controls } = takeControls(body as Record<string, unknown>);
    requireModel(rest);
    if (rest.prompt === undefined) throw badRequest('prompt: Field required', 'prompt', 'missing_required_parameter');
    return { request: rest as CompletionsBody, controls };
  },
  estimate: (r) => estimateTokens(r.prompt),
  content: (r) => r.prompt,
  native: 'completions',
  nativeFor: completesNatively,
  usage: (body) => (body as { usage?: Usage } | undefined)?.usage,
  dialect: (r) => (r.stream_options?.include_usage ? chatDialect : chatDialectHidingUsage),
  toChat(r) {
    const prompt = Array.isArray(r.prompt) && r.prompt.length === 1 ? r.prompt[0] : r.prompt;
    if (typeof prompt !== 'string') {
      throw badRequest('prompt: this model group answers completions through chat, which takes one prompt string', 'prompt', 'invalid_value');
    }
    const chat: Record<string, unknown> = { model: r.model, messages: [{ role: 'user', content: prompt }] };
    for (const k of SHARED) if (r[k] !== undefined) chat[k] = r[k];
    return chat as unknown as ChatRequest;
  },
  fromChat: (chat: ChatCompletion) =>
    completion(chat, chat.choices.map((c) => ({ text: typeof c.message.content === 'string' ? c.message.content : '', index: c.index, logprobs: null, finish_reason: c.finish_reason })), chat.usage),
  fromChatStream: () =>
    translateEvents({
      translate(ev) {
        if (ev.data === '[DONE]') return [DONE_EVENT];
        if (!ev.data) return [];
        const c = JSON.parse(ev.data);
        if (c.error) return [encodeEvent(c)];
        const choices = (c.choices ?? []).map((x: any) => ({ text: x.delta?.content ?? '', index: x.index, logprobs: null, finish_reason: x.finish_reason ?? null }));
        return [encodeEvent(completion(c, choices, c.usage))];
      },
    }),
};
