// POST /v1/responses: OpenAI's Responses API body, as its API reference and its official SDK's types
// (ResponseCreateParams) describe it, plus LiteLLM's per-request controls. Every parameter is checked to its type,
// the input items, content parts and tools the gateway translates to their fields; kinds of item and tool only
// OpenAI runs, and parameters the gateway does not know yet, are an OpenAI or Azure deployment's to judge and are
// left out of a translated request.
import * as v from 'valibot';
import { anyObject, byType, dict, int, isObject, nonEmpty, openBody, opt, range, text, typedObject } from './common';
import { gatewayControls } from './controls';

const part = byType({
  input_text: v.looseObject({ type: v.literal('input_text'), text }),
  output_text: v.looseObject({ type: v.literal('output_text'), text }),
  refusal: v.looseObject({ type: v.literal('refusal'), refusal: text }),
  input_image: v.looseObject({ type: v.literal('input_image'), image_url: opt(text), file_id: opt(text), detail: opt(text) }),
  input_file: v.looseObject({ type: v.literal('input_file'), file_data: opt(text), file_id: opt(text), file_url: opt(text), filename: opt(text) }),
});
const parts = v.array(part);

const message = v.looseObject({
  type: v.optional(v.literal('message')),
  role: v.picklist(['user', 'assistant', 'system', 'developer']),
  content: v.union([text, parts], 'a string or an array of content parts'),
});

const items = {
  message,
  function_call: v.looseObject({ type: v.literal('function_call'), call_id: text, name: text, arguments: text, namespace: opt(text) }),
  function_call_output: v.looseObject({
    type: v.literal('function_call_output'),
    call_id: text,
    output: v.union([text, parts], 'a string or an array of content parts'),
  }),
  reasoning: v.looseObject({ type: v.literal('reasoning'), summary: v.optional(v.array(anyObject)) }),
  item_reference: v.looseObject({ type: opt(v.literal('item_reference')), id: text }),
};
/** An item without a type is a message (EasyInputMessage), or, with an id and no role, a reference to a stored item. */
const item = v.lazy((x) => {
  if (!isObject(x)) return typedObject;
  const type = x.type ?? (x.role === undefined && x.id !== undefined ? 'item_reference' : 'message');
  return typeof type === 'string' && Object.hasOwn(items, type) ? items[type as keyof typeof items] : typedObject;
});

const functionTool = v.looseObject({
  type: v.literal('function'),
  name: nonEmpty,
  description: opt(text),
  parameters: opt(anyObject),
  strict: opt(v.boolean()),
});
const tool = byType({
  function: functionTool,
  namespace: v.looseObject({ type: v.literal('namespace'), name: nonEmpty, tools: v.array(byType({ function: functionTool })) }),
});

const toolChoice = v.union([v.picklist(['none', 'auto', 'required']), typedObject], '"none", "auto", "required" or an object naming a tool');

const format = byType({
  text: v.looseObject({ type: v.literal('text') }),
  json_object: v.looseObject({ type: v.literal('json_object') }),
  json_schema: v.looseObject({ type: v.literal('json_schema'), name: opt(text), schema: anyObject, strict: opt(v.boolean()), description: opt(text) }),
});

export const responsesParams = {
  model: nonEmpty,
  input: v.optional(v.union([text, v.array(item)], 'a string or an array of input items')),
  instructions: opt(text),
  background: opt(v.boolean()),
  context_management: opt(v.array(anyObject)),
  conversation: opt(v.union([text, v.looseObject({ id: text })], 'a conversation id or {"id": ...}')),
  include: opt(v.array(text)),
  max_output_tokens: opt(int(1)),
  metadata: opt(dict(v.pipe(v.string(), v.maxLength(64)), v.pipe(v.string(), v.maxLength(512)))),
  moderation: opt(anyObject),
  parallel_tool_calls: opt(v.boolean()),
  previous_response_id: opt(text),
  prompt: opt(v.looseObject({ id: text })),
  prompt_cache_key: opt(text),
  prompt_cache_options: opt(anyObject),
  prompt_cache_retention: opt(v.picklist(['in_memory', '24h'])),
  reasoning: opt(v.looseObject({ effort: opt(text), summary: opt(text) })),
  safety_identifier: opt(text),
  service_tier: opt(v.picklist(['auto', 'default', 'flex', 'scale', 'priority'])),
  store: opt(v.boolean()),
  stream: opt(v.boolean()),
  stream_options: opt(v.looseObject({ include_obfuscation: opt(v.boolean()) })),
  temperature: opt(range(0, 2)),
  text: opt(v.looseObject({ format: opt(format), verbosity: opt(v.picklist(['low', 'medium', 'high'])) })),
  tool_choice: opt(toolChoice),
  tools: opt(v.array(tool)),
  top_logprobs: opt(int(0, 20)),
  top_p: opt(range(0, 1)),
  truncation: opt(v.picklist(['auto', 'disabled'])),
  user: opt(text),
};

export const responsesBody = openBody({ ...responsesParams, ...gatewayControls });
