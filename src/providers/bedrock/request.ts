// OpenAI chat request -> Bedrock Converse request. System messages become `system` blocks; tool calls and tool
// results become toolUse/toolResult blocks; consecutive same-role turns merge (Converse wants them alternating);
// response_format becomes a tool the model must call, as LiteLLM does it (../anthropic/json-mode.ts).
import { badRequest } from '../../router/errors';
import { jsonModeTool } from '../anthropic/json-mode';
import type { ChatMessage, ChatRequest, ContentPart, ToolCall } from '../openai-types';
import type { ContentBlock, ConverseRequest, ImageFormat, Message, ToolChoice, ToolSpec } from './types';

export function toConverseRequest(body: ChatRequest): ConverseRequest {
  const { system, messages } = translateMessages(body.messages);
  const req: ConverseRequest = { messages };
  if (system.length) req.system = system;
  const inference: NonNullable<ConverseRequest['inferenceConfig']> = {};
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (typeof maxTokens === 'number') inference.maxTokens = maxTokens;
  if (typeof body.temperature === 'number') inference.temperature = body.temperature;
  if (typeof body.top_p === 'number') inference.topP = body.top_p;
  if (body.stop != null) inference.stopSequences = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (Object.keys(inference).length) req.inferenceConfig = inference;

  const tools = (body.tools ?? []).map(toToolSpec);
  const json = jsonModeTool(body.response_format);
  // JSON mode: the model must answer through the JSON tool, or (when it has tools of its own) through some tool.
  const jsonChoice = json && (tools.length ? 'required' : { type: 'function', function: { name: json.name } });
  if (json) tools.push({ name: json.name, description: json.description, inputSchema: { json: json.input_schema } });
  if (tools.length) {
    req.toolConfig = { tools: tools.map((toolSpec) => ({ toolSpec })) };
    const choice = toToolChoice(body.tool_choice ?? jsonChoice);
    if (choice) req.toolConfig.toolChoice = choice;
  } else if (body.tool_choice != null && body.tool_choice !== 'none' && body.tool_choice !== 'auto') {
    throw badRequest("'tool_choice' needs 'tools'", 'tool_choice', 'invalid_value');
  }
  return req;
}

function translateMessages(input: ChatMessage[]): { system: Array<{ text: string }>; messages: Message[] } {
  const system: Array<{ text: string }> = [];
  const messages: Message[] = [];
  const push = (role: Message['role'], content: ContentBlock[]) => {
    if (!content.length) return;
    const last = messages.at(-1);
    if (last?.role === role) last.content.push(...content);
    else messages.push({ role, content });
  };
  input.forEach((m, i) => {
    const at = `messages[${i}]`;
    switch (m.role) {
      case 'system':
      case 'developer':
        for (const block of contentBlocks(m.content, at)) {
          if (!('text' in block)) throw badRequest(`${at}: a system message takes text only`, `${at}.content`, 'invalid_value');
          system.push(block);
        }
        return;
      case 'user':
        return push('user', contentBlocks(m.content, at));
      case 'assistant':
        return push('assistant', [...contentBlocks(m.content, at), ...(m.tool_calls ?? []).map((c, j) => toolUse(c, `${at}.tool_calls[${j}]`))]);
      case 'tool': {
        if (typeof m.tool_call_id !== 'string') throw badRequest(`${at}: a tool message needs tool_call_id`, `${at}.tool_call_id`, 'missing_required_parameter');
        const content = contentBlocks(m.content, at).map((b) => ('text' in b || 'image' in b ? b : badPart(`${at}.content`)));
        // A toolResult must have content: an empty result is sent as an empty text.
        return push('user', [{ toolResult: { toolUseId: m.tool_call_id, content: content.length ? content : [{ text: '' }] } }]);
      }
      default:
        throw badRequest(`${at}: role '${m.role}' is not supported by Bedrock; use tools and role 'tool'`, `${at}.role`, 'invalid_value');
    }
  });
  return { system, messages };
}

const badPart = (at: string): never => {
  throw badRequest(`${at}: a tool result takes text and images only`, at, 'invalid_value');
};

type PartBlock = Extract<ContentBlock, { text: string } | { image: unknown } | { document: unknown }>;

/** Text, image and file parts as Converse blocks; empty text is left out (Bedrock refuses blank text blocks). */
function contentBlocks(content: ChatMessage['content'], at: string): PartBlock[] {
  if (content == null || content === '') return [];
  if (typeof content === 'string') return [{ text: content }];
  return content.flatMap((part, k) => {
    const block = contentBlock(part, `${at}.content[${k}]`);
    return 'text' in block && block.text === '' ? [] : [block];
  });
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;
const IMAGE_FORMATS: Record<string, ImageFormat> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/jpg': 'jpeg', 'image/gif': 'gif', 'image/webp': 'webp' };

function contentBlock(part: ContentPart, at: string): PartBlock {
  if (part.type === 'text' && typeof part.text === 'string') return { text: part.text };
  if (part.type === 'image_url') {
    const image = (part as { image_url?: string | { url?: string } }).image_url;
    const url = typeof image === 'string' ? image : image?.url;
    const data = DATA_URL.exec(url ?? '');
    const format = data && IMAGE_FORMATS[data[1].toLowerCase()];
    if (data && format) return { image: { format, source: { bytes: data[2] } } };
    // Converse takes image bytes only; fetching a client's URL from the gateway is not done.
    throw badRequest(`${at}: Bedrock takes images as base64 data URLs (png, jpeg, gif, webp)`, `${at}.image_url`, 'invalid_value');
  }
  if (part.type === 'file') {
    const file = (part as { file?: { file_data?: string; filename?: string } }).file;
    const data = DATA_URL.exec(file?.file_data ?? '');
    if (data?.[1] === 'application/pdf') {
      // Bedrock's document names allow letters, digits, spaces, hyphens, parentheses and brackets.
      const name = (file?.filename ?? 'document').replace(/\.pdf$/i, '').replace(/[^A-Za-z0-9 \-()[\]]/g, '-') || 'document';
      return { document: { format: 'pdf', name, source: { bytes: data[2] } } };
    }
    throw badRequest(`${at}: a file must be a PDF given as file_data (a base64 data URL)`, `${at}.file`, 'invalid_value');
  }
  throw badRequest(`${at}: content part type '${part.type}' is not supported by Bedrock (text, image_url and file are)`, `${at}.type`, 'invalid_value');
}

function toolUse(call: ToolCall, at: string): ContentBlock {
  const args = call.function?.arguments ?? '';
  let input: unknown;
  try {
    input = args.trim() === '' ? {} : JSON.parse(args);
  } catch {
    throw badRequest(`${at}.function.arguments must be a JSON object`, `${at}.function.arguments`, 'invalid_value');
  }
  return { toolUse: { toolUseId: call.id, name: call.function.name, input } };
}

function toToolSpec(tool: unknown, i: number): ToolSpec {
  const t = tool as { type?: string; function?: { name?: string; description?: string; parameters?: unknown } };
  if (t?.type !== 'function' || typeof t.function?.name !== 'string') {
    throw badRequest(`tools[${i}] must be {"type":"function","function":{"name":...}}`, `tools[${i}]`, 'invalid_value');
  }
  const spec: ToolSpec = { name: t.function.name, inputSchema: { json: t.function.parameters ?? { type: 'object', properties: {} } } };
  if (t.function.description) spec.description = t.function.description;
  return spec;
}

function toToolChoice(choice: unknown): ToolChoice | undefined {
  if (choice == null) return undefined;
  if (choice === 'auto') return { auto: {} };
  if (choice === 'required') return { any: {} };
  // Converse has no "none" (LiteLLM refuses it too unless drop_params): leaving out tools is the way.
  if (choice === 'none') throw badRequest("Bedrock does not support tool_choice 'none': send the request without tools", 'tool_choice', 'invalid_value');
  const name = (choice as { function?: { name?: unknown } }).function?.name;
  if (typeof name !== 'string') throw badRequest(`Invalid value for 'tool_choice': ${JSON.stringify(choice)}`, 'tool_choice', 'invalid_value');
  return { tool: { name } };
}
