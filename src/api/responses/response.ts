// An OpenAI chat.completion as a Responses API `response` object: the message's text becomes a message output
// item with an output_text part, each tool call a function_call item; usage in the Responses' names.
import type { ChatCompletion, Usage } from '../../providers/openai-types';
import type { ResponsesBody } from './request';
import { callName } from './request';

export interface OutputItem {
  type: 'message' | 'function_call';
  id: string;
  status: 'in_progress' | 'completed' | 'incomplete';
  [k: string]: unknown;
}

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** resp_, msg_, fc_ followed by 32 hex digits, as OpenAI's ids look. */
export const newId = (prefix: string) => `${prefix}_${crypto.randomUUID().replace(/-/g, '')}`;

export function responsesUsage(u: Usage | undefined): ResponsesUsage {
  const details = (key: string, field: string) => Number((u?.[key] as Record<string, number> | undefined)?.[field] ?? 0);
  const input = u?.prompt_tokens ?? 0;
  const output = u?.completion_tokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: details('prompt_tokens_details', 'cached_tokens') },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: details('completion_tokens_details', 'reasoning_tokens') },
    total_tokens: u?.total_tokens ?? input + output,
  };
}

/** Responses usage back in chat's names, for the router's books. */
export function chatUsage(u: Partial<ResponsesUsage> | undefined): Usage | undefined {
  if (!u) return undefined;
  const prompt = u.input_tokens ?? 0;
  const completion = u.output_tokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: u.total_tokens ?? prompt + completion };
}

export const messageItem = (id: string, text: string, status: OutputItem['status']): OutputItem => ({
  type: 'message',
  id,
  status,
  role: 'assistant',
  content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
});

export const functionCallItem = (
  id: string,
  callId: string,
  { name, namespace }: { name: string; namespace?: string },
  args: string,
  status: OutputItem['status'],
): OutputItem => ({
  type: 'function_call',
  id,
  call_id: callId,
  name,
  ...(namespace ? { namespace } : {}),
  arguments: args,
  status,
});

/** The response object around its output: the request's settings echoed, as OpenAI does. */
export function responseObject(
  req: ResponsesBody,
  fields: { id: string; createdAt: number; status: 'in_progress' | 'completed' | 'incomplete'; output: OutputItem[]; usage?: ResponsesUsage | null },
) {
  return {
    id: fields.id,
    object: 'response',
    created_at: fields.createdAt,
    status: fields.status,
    background: false,
    error: null,
    incomplete_details: fields.status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: req.instructions ?? null,
    max_output_tokens: req.max_output_tokens ?? null,
    model: req.model,
    output: fields.output,
    parallel_tool_calls: req.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    // Kept by the gateway (store.ts) unless the request said store: false.
    store: req.store !== false,
    temperature: req.temperature ?? 1,
    text: req.text ?? { format: { type: 'text' } },
    tool_choice: req.tool_choice ?? 'auto',
    tools: req.tools ?? [],
    top_p: req.top_p ?? 1,
    truncation: 'disabled',
    usage: fields.usage ?? null,
    user: req.user ?? null,
    metadata: (req.metadata as Record<string, string> | undefined) ?? {},
  };
}

export function toResponse(chat: ChatCompletion, req: ResponsesBody) {
  const choice = chat.choices[0];
  const output: OutputItem[] = [];
  const text = typeof choice?.message.content === 'string' ? choice.message.content : '';
  const incomplete = choice?.finish_reason === 'length';
  if (text) output.push(messageItem(newId('msg'), text, incomplete ? 'incomplete' : 'completed'));
  for (const call of choice?.message.tool_calls ?? []) {
    output.push(functionCallItem(newId('fc'), call.id, callName(req, call.function.name), call.function.arguments, 'completed'));
  }
  return responseObject(req, {
    id: newId('resp'),
    createdAt: chat.created ?? Math.floor(Date.now() / 1000),
    status: incomplete ? 'incomplete' : 'completed',
    output,
    usage: responsesUsage(chat.usage),
  });
}
