// OpenAI's legacy text completions (POST /v1/completions) as an inbound API of the Router: passed through to a
// deployment that serves them (model_info.mode `completion`, or OpenAI's own text models), else translated to
// chat, one user message, and the answer back to text_completion, as LiteLLM's text_completion() does.
import type { ChatCompletion, ChatRequest, Usage } from '../../providers/openai-types';
import type { Deployment } from '../../router/deployment';
import { badRequest } from '../../router/errors';
import { estimateTokens, requireModel, takeControls } from '../../router/request';
import { chatDialect, chatDialectHidingUsage } from '../../stream/chat';
import { DONE_EVENT, encodeEvent, translateEvents } from '../../stream/sse';
import type { InboundApi, InboundRequest } from '../inbound';

interface CompletionsBody extends InboundRequest {
  prompt: unknown;
  stream_options?: { include_usage?: boolean };
}

const TEXT_MODEL = /(^|\/)(gpt-3\.5-turbo-instruct|davinci-002|babbage-002)/;

/** A deployment served natively: a text completion model, by model_info.mode or by name. */
export const completesNatively = (d: Deployment) => d.info.mode === 'completion' || TEXT_MODEL.test(d.upstreamModel);

/** A text_completion object from a chat completion or chunk, each choice's text taken by `text`. */
const completion = ({ id, created, model, choices, usage }: any, text: (c: any) => unknown) => ({
  id,
  object: 'text_completion',
  created,
  model,
  choices: (choices ?? []).map((c: any) => ({ text: text(c) ?? '', index: c.index, logprobs: null, finish_reason: c.finish_reason ?? null })),
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
  toChat({ prompt, echo, suffix, best_of, logprobs, ...rest }) {
    // echo, suffix, best_of and logprobs have no chat equivalent; the other parameters are chat's own.
    const one = Array.isArray(prompt) && prompt.length === 1 ? prompt[0] : prompt;
    if (typeof one !== 'string') {
      throw badRequest('prompt: this model group answers completions through chat, which takes one prompt string', 'prompt', 'invalid_value');
    }
    return { ...rest, messages: [{ role: 'user', content: one }] } as ChatRequest;
  },
  fromChat: (chat: ChatCompletion) => completion(chat, (c) => (typeof c.message.content === 'string' ? c.message.content : '')),
  fromChatStream: () =>
    translateEvents({
      translate(ev) {
        if (ev.data === '[DONE]') return [DONE_EVENT];
        if (!ev.data) return [];
        const c = JSON.parse(ev.data);
        return [encodeEvent(c.error ? c : completion(c, (x) => x.delta?.content))];
      },
    }),
};
