// POST /v1/chat/completions: every parameter of OpenAI's Chat Completions API with its type and range, as
// OpenAI's API reference (and its official SDK's types) document them, plus LiteLLM's per-request controls.
// The gateway's ChatRequest type is this schema's output.
import * as v from './kit';
import { anyObject, body, dict, functionName, int, name, opt, range, shortText, text } from './common';
import { gatewayControls, tagList } from './controls';

const textPart = v.looseObject({ type: v.literal('text'), text });
const refusalPart = v.looseObject({ type: v.literal('refusal'), refusal: text });
const imagePart = v.looseObject({
  type: v.literal('image_url'),
  // LiteLLM also takes the bare URL string.
  image_url: v.union([text, v.looseObject({ url: text, detail: v.optional(v.picklist(['auto', 'low', 'high'])) })]),
});
const audioPart = v.looseObject({ type: v.literal('input_audio'), input_audio: v.looseObject({ data: text, format: v.picklist(['wav', 'mp3']) }) });
const filePart = v.looseObject({
  type: v.literal('file'),
  file: v.looseObject({ file_data: v.optional(text), file_id: v.optional(text), filename: v.optional(text) }),
});

const parts = <const O extends readonly v.Schema[]>(options: O) => v.pipe(v.array(v.variant('type', options)), v.minLength(1));
const textContent = v.union([text, parts([textPart])], 'a string or an array of text parts');
export const userContent = v.union([text, parts([textPart, imagePart, audioPart, filePart])], 'a string or an array of content parts');
const assistantContent = v.union([text, parts([textPart, refusalPart])], 'a string or an array of text and refusal parts');

const toolCall = v.variant('type', [
  v.looseObject({ id: text, type: v.literal('function'), function: v.looseObject({ name: text, arguments: text }) }),
  v.looseObject({ id: text, type: v.literal('custom'), custom: v.looseObject({ name: text, input: text }) }),
]);

// Messages keep keys beyond OpenAI's (cache_control and the like) for the providers that read them.
export const chatMessage = v.variant('role', [
  v.looseObject({ role: v.literal('system'), content: textContent, name: v.optional(text) }),
  v.looseObject({ role: v.literal('developer'), content: textContent, name: v.optional(text) }),
  v.looseObject({ role: v.literal('user'), content: userContent, name: v.optional(text) }),
  v.looseObject({
    role: v.literal('assistant'),
    content: opt(assistantContent),
    name: v.optional(text),
    refusal: opt(text),
    audio: opt(v.looseObject({ id: text })),
    tool_calls: v.optional(v.array(toolCall)),
    function_call: opt(v.looseObject({ name: text, arguments: text })),
  }),
  v.looseObject({ role: v.literal('tool'), content: textContent, tool_call_id: text }),
  v.looseObject({ role: v.literal('function'), content: v.nullable(text), name: text }),
]);

const functionDef = v.looseObject({
  name: functionName,
  description: v.optional(text),
  parameters: v.optional(anyObject),
  strict: opt(v.boolean()),
});

const tool = v.variant('type', [
  v.looseObject({ type: v.literal('function'), function: functionDef }),
  v.looseObject({ type: v.literal('custom'), custom: v.looseObject({ name: text, description: v.optional(text), format: v.optional(anyObject) }) }),
]);

const toolChoice = v.union(
  [
    v.picklist(['none', 'auto', 'required']),
    v.variant('type', [
      v.looseObject({ type: v.literal('function'), function: v.looseObject({ name: text }) }),
      v.looseObject({ type: v.literal('custom'), custom: v.looseObject({ name: text }) }),
      v.looseObject({
        type: v.literal('allowed_tools'),
        allowed_tools: v.looseObject({ mode: v.picklist(['auto', 'required']), tools: v.array(anyObject) }),
      }),
    ]),
  ],
  '"none", "auto", "required" or an object naming a tool',
);

const responseFormat = v.variant('type', [
  v.looseObject({ type: v.literal('text') }),
  v.looseObject({ type: v.literal('json_object') }),
  v.looseObject({
    type: v.literal('json_schema'),
    json_schema: v.looseObject({ name: functionName, description: v.optional(text), schema: v.optional(anyObject), strict: opt(v.boolean()) }),
  }),
]);

/**
 * Up to 16 pairs; keys up to 64 characters, values up to 512. LiteLLM's `metadata.tags` (a list, for tag routing)
 * and `metadata.guardrails` (a list of guardrail names) are taken too, and never sent upstream.
 */
const metadata = v.pipe(
  dict(v.pipe(v.string(), v.maxLength(64)), v.union([v.pipe(v.string(), v.maxLength(512)), tagList])),
  v.check((m: object) => Object.entries(m).every(([k, x]) => typeof x === 'string' || k === 'tags' || k === 'guardrails'), 'string values (a list only for tags and guardrails)'),
  v.check((m: object) => Object.keys(m).length <= 16, 'at most 16 key-value pairs'),
);

/** Token id (as a string) to a bias from -100 to 100. */
const logitBias = dict(v.pipe(v.string(), v.regex(/^\d+$/, 'token ids')), range(-100, 100));

const SEED = 9223372036854775807;

/** OpenAI's parameters: the ones sent upstream. */
export const chatParams = {
  model: name,
  messages: v.pipe(v.array(chatMessage), v.minLength(1)),
  audio: opt(v.looseObject({ voice: v.union([text, anyObject]), format: text })),
  frequency_penalty: opt(range(-2, 2)),
  function_call: v.optional(v.union([v.picklist(['none', 'auto']), v.looseObject({ name: text })], '"none", "auto" or {"name": ...}')),
  functions: v.optional(v.pipe(v.array(functionDef), v.minLength(1), v.maxLength(128))),
  logit_bias: opt(logitBias),
  logprobs: opt(v.boolean()),
  max_completion_tokens: opt(int(1)),
  max_tokens: opt(int(1)),
  metadata: opt(metadata),
  modalities: opt(v.array(v.picklist(['text', 'audio']))),
  moderation: opt(anyObject),
  n: opt(int(1, 128)),
  parallel_tool_calls: v.optional(v.boolean()),
  prediction: opt(v.looseObject({ type: v.literal('content'), content: textContent })),
  presence_penalty: opt(range(-2, 2)),
  prompt_cache_key: opt(text),
  prompt_cache_options: v.optional(anyObject),
  prompt_cache_retention: opt(v.picklist(['in_memory', '24h'])),
  reasoning_effort: opt(v.picklist(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'])),
  response_format: v.optional(responseFormat),
  safety_identifier: opt(v.pipe(v.string(), v.maxLength(64))),
  seed: opt(v.pipe(v.number(), v.integer(), v.minValue(-SEED - 1), v.maxValue(SEED))),
  service_tier: opt(v.picklist(['auto', 'default', 'flex', 'scale', 'priority'])),
  stop: opt(v.union([text, v.pipe(v.array(text), v.maxLength(4))], 'a string or an array of up to 4 strings')),
  store: opt(v.boolean()),
  stream: opt(v.boolean()),
  stream_options: opt(v.looseObject({ include_usage: v.optional(v.boolean()), include_obfuscation: v.optional(v.boolean()) })),
  temperature: opt(range(0, 2)),
  tool_choice: v.optional(toolChoice),
  tools: v.optional(v.pipe(v.array(tool), v.maxLength(128))),
  top_logprobs: opt(int(0, 20)),
  top_p: opt(range(0, 1)),
  user: v.optional(shortText),
  verbosity: opt(v.picklist(['low', 'medium', 'high'])),
  web_search_options: v.optional(anyObject),
};

/** The whole body: OpenAI's parameters and LiteLLM's controls; any other key is refused by name, as OpenAI does. */
export const chatBody = body({ ...chatParams, ...gatewayControls });

const chatRequest = v.strictObject(chatParams);
export type ChatRequest = v.Infer<typeof chatRequest>;
export type ChatMessageParam = v.Infer<typeof chatMessage>;
