// POST /v1/messages and /v1/messages/count_tokens: Anthropic's Messages API bodies, as its API reference and its
// official SDK's types (MessageCreateParams, MessageCountTokensParams, and their beta forms) describe them, plus
// LiteLLM's per-request controls. Every field the gateway knows is checked to its type, the content blocks and
// tools it reads to their fields; kinds of block and tool it does not read, and top-level fields it does not know
// (Anthropic adds them with each beta, which the gateway forwards), are an Anthropic deployment's to judge and are
// left out of a translated request.
import * as v from 'valibot';
import { anyObject, byType, int, nonEmpty, openBody, opt, range, text } from './common';
import { gatewayControls } from './controls';

const cacheControl = opt(anyObject);
const textBlock = v.looseObject({ type: v.literal('text'), text, cache_control: cacheControl, citations: opt(v.array(anyObject)) });

/** Where an image or a document comes from: inline data, a URL, a file, plain text, or blocks. */
const source = byType({
  base64: v.looseObject({ type: v.literal('base64'), media_type: text, data: text }),
  url: v.looseObject({ type: v.literal('url'), url: text }),
  file: v.looseObject({ type: v.literal('file'), file_id: text }),
  text: v.looseObject({ type: v.literal('text'), media_type: v.optional(text), data: text }),
  content: v.looseObject({ type: v.literal('content'), content: v.union([text, v.array(anyObject)]) }),
});

const imageBlock = v.looseObject({ type: v.literal('image'), source, cache_control: cacheControl });
const documentBlock = v.looseObject({ type: v.literal('document'), source, title: opt(text), context: opt(text), cache_control: cacheControl });

/** What a tool result may hold: text, images, documents, and blocks Anthropic alone reads. */
const resultBlock = byType({ text: textBlock, image: imageBlock, document: documentBlock });

const block = byType({
  text: textBlock,
  image: imageBlock,
  document: documentBlock,
  tool_use: v.looseObject({ type: v.literal('tool_use'), id: text, name: text, input: v.unknown(), cache_control: cacheControl }),
  tool_result: v.looseObject({
    type: v.literal('tool_result'),
    tool_use_id: text,
    content: v.optional(v.union([text, v.array(resultBlock)], 'a string or an array of content blocks')),
    is_error: v.optional(v.boolean()),
    cache_control: cacheControl,
  }),
  thinking: v.looseObject({ type: v.literal('thinking'), thinking: text, signature: text }),
  redacted_thinking: v.looseObject({ type: v.literal('redacted_thinking'), data: text }),
});

const content = v.union([text, v.array(block)], 'a string or an array of content blocks');

/** Claude Code also sends `system` turns inside messages; Anthropic takes them. */
const message = v.looseObject({ role: v.picklist(['user', 'assistant', 'system']), content });

const system = v.union([text, v.array(textBlock)], 'a string or an array of text blocks');

/** A tool of the client's own (no type, or `custom`), else a server tool Anthropic runs, checked there. */
const customTool = v.looseObject({
  type: v.nullish(v.literal('custom')),
  name: nonEmpty,
  description: v.optional(text),
  input_schema: anyObject,
  cache_control: cacheControl,
});
const tool = v.lazy((t) => (typeof t === 'object' && t !== null && ((t as { type?: unknown }).type ?? 'custom') === 'custom' ? customTool : v.looseObject({ type: text })));

const toolChoice = v.variant('type', [
  v.looseObject({ type: v.literal('auto'), disable_parallel_tool_use: v.optional(v.boolean()) }),
  v.looseObject({ type: v.literal('any'), disable_parallel_tool_use: v.optional(v.boolean()) }),
  v.looseObject({ type: v.literal('tool'), name: text, disable_parallel_tool_use: v.optional(v.boolean()) }),
  v.looseObject({ type: v.literal('none') }),
]);

const thinking = byType({
  enabled: v.looseObject({ type: v.literal('enabled'), budget_tokens: int(1) }),
  disabled: v.looseObject({ type: v.literal('disabled') }),
});

/** What both bodies share: the prompt and the fields that shape it. */
const prompt = {
  model: nonEmpty,
  messages: v.pipe(v.array(message), v.minLength(1)),
  system: opt(system),
  tools: opt(v.array(tool)),
  tool_choice: opt(toolChoice),
  thinking: opt(thinking),
  cache_control: cacheControl,
  output_config: opt(anyObject),
  output_format: opt(anyObject),
  context_management: opt(anyObject),
  mcp_servers: opt(v.array(anyObject)),
  speed: opt(text),
  billing_policy: opt(anyObject),
  compaction: opt(anyObject),
  user_profile_id: opt(text),
  workspace_id: opt(text),
};

export const messagesParams = {
  ...prompt,
  max_tokens: int(1),
  metadata: opt(v.looseObject({ user_id: opt(text) })),
  stop_sequences: opt(v.array(text)),
  stream: opt(v.boolean()),
  temperature: opt(range(0, 1)),
  top_p: opt(range(0, 1)),
  top_k: opt(int(0)),
  service_tier: opt(text),
  container: opt(v.union([text, anyObject])),
  diagnostics: opt(anyObject),
  inference_geo: opt(text),
  fallback_credit_token: opt(v.union([text, anyObject])),
  thread: opt(anyObject),
};

export const messagesBody = openBody({ ...messagesParams, ...gatewayControls });
export const countTokensBody = openBody({ ...prompt, ...gatewayControls });
