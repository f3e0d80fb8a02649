// OpenAI chat request -> Anthropic Messages request. System messages move to `system`, tool calls and tool
// results become tool_use/tool_result blocks, consecutive same-role turns merge (as Anthropic requires),
// response_format becomes a JSON tool (json-mode.ts).
import { badRequest } from '../../router/errors';
import type { ChatMessage, ChatRequest, ContentPart, ToolCall } from '../openai-types';
import { jsonModeTool } from './json-mode';
import type { CacheControl, MessageParam, MessagesRequest, RequestBlock, Tool, ToolChoice } from './types';

/** Anthropic requires max_tokens; LiteLLM's default when the client sets none. */
const DEFAULT_MAX_TOKENS = 4096;

export function toMessagesRequest(body: ChatRequest, defaultMaxTokens = DEFAULT_MAX_TOKENS): MessagesRequest {
  const { system, messages } = translateMessages(body.messages);
  const req: MessagesRequest = {
    model: body.model,
    messages,
    max_tokens: body.max_completion_tokens ?? body.max_tokens ?? defaultMaxTokens,
  };
  if (system.length) req.system = system;
  if (body.stop != null) req.stop_sequences = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (typeof body.temperature === 'number') req.temperature = body.temperature;
  if (typeof body.top_p === 'number') req.top_p = body.top_p;
  const tools = (body.tools ?? []).map(toTool);
  const json = jsonModeTool(body.response_format);
  // JSON mode: the model must answer through the JSON tool, or (when it has tools of its own) through some tool.
  const jsonChoice = json && (tools.length ? 'required' : { type: 'function', function: { name: json.name } });
  if (json) tools.push(json);
  if (tools.length) req.tools = tools;
  const choice = toToolChoice(body.tool_choice ?? jsonChoice, body.parallel_tool_calls);
  if (choice) req.tool_choice = choice;
  if (typeof body.user === 'string') req.metadata = { user_id: body.user };
  if (body.stream) req.stream = true;
  return req;
}

type SystemBlock = NonNullable<MessagesRequest['system']>[number];

function translateMessages(input: ChatRequest['messages']): { system: SystemBlock[]; messages: MessageParam[] } {
  const system: SystemBlock[] = [];
  const messages: MessageParam[] = [];
  const push = (role: MessageParam['role'], content: string | RequestBlock[]) => {
    if (content.length === 0) return;
    const last = messages.at(-1);
    if (last?.role === role) last.content = [...asBlocks(last.content), ...asBlocks(content)];
    else messages.push({ role, content });
  };
  input.forEach((m, i) => {
    const at = `messages[${i}]`;
    switch (m.role) {
      case 'system':
      case 'developer':
        for (const block of contentBlocks(m.content, at)) {
          if (block.type !== 'text') throw badRequest(`${at}: a system message takes text only`, `${at}.content`, 'invalid_value');
          system.push(block);
        }
        return;
      case 'user':
        return push('user', typeof m.content === 'string' ? m.content : contentBlocks(m.content, at));
      case 'assistant': {
        const calls = (m.tool_calls ?? []).map((c, j) => toolUse(c, `${at}.tool_calls[${j}]`));
        return push('assistant', typeof m.content === 'string' && !calls.length ? m.content : [...contentBlocks(m.content, at), ...calls]);
      }
      case 'tool': {
        if (typeof m.tool_call_id !== 'string') throw badRequest(`${at}: a tool message needs tool_call_id`, `${at}.tool_call_id`, 'missing_required_parameter');
        const content = typeof m.content === 'string' ? m.content : contentBlocks(m.content, at);
        return push('user', [{ type: 'tool_result', tool_use_id: m.tool_call_id, content }]);
      }
      default:
        throw badRequest(`${at}: role '${m.role}' is not supported by Anthropic; use tools and role 'tool'`, `${at}.role`, 'invalid_value');
    }
  });
  return { system, messages };
}

const asBlocks = (content: string | RequestBlock[]): RequestBlock[] => (typeof content === 'string' ? [{ type: 'text', text: content }] : content);

type ContentBlock = Extract<RequestBlock, { type: 'text' | 'image' | 'document' }>;

/** Text, image and file parts as Anthropic blocks; empty text is left out (Anthropic refuses empty text blocks). */
function contentBlocks(content: ChatMessage['content'], at: string): ContentBlock[] {
  if (content == null || content === '') return [];
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.flatMap((part, k) => {
    const block = contentBlock(part, `${at}.content[${k}]`);
    return block.type === 'text' && block.text === '' ? [] : [block];
  });
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

function contentBlock(part: ContentPart, at: string): ContentBlock {
  const cache = (part as { cache_control?: CacheControl }).cache_control;
  const withCache = (block: ContentBlock): ContentBlock => (cache ? { ...block, cache_control: cache } : block);
  if (part.type === 'text' && typeof part.text === 'string') return withCache({ type: 'text', text: part.text });
  if (part.type === 'image_url') {
    const image = (part as { image_url?: string | { url?: string } }).image_url;
    const url = typeof image === 'string' ? image : image?.url;
    const data = DATA_URL.exec(url ?? '');
    if (data) return withCache({ type: 'image', source: { type: 'base64', media_type: data[1], data: data[2] } });
    if (url && /^https?:\/\//i.test(url)) return withCache({ type: 'image', source: { type: 'url', url } });
    throw badRequest(`${at}: an image must be a base64 data URL or an http(s) URL`, `${at}.image_url`, 'invalid_value');
  }
  if (part.type === 'file') {
    // OpenAI's inline file (file_data, a data URL): Anthropic reads PDFs as document blocks.
    const data = DATA_URL.exec((part as { file?: { file_data?: string } }).file?.file_data ?? '');
    if (data?.[1] === 'application/pdf') return withCache({ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: data[2] } });
    throw badRequest(`${at}: a file must be a PDF given as file_data (a base64 data URL)`, `${at}.file`, 'invalid_value');
  }
  throw badRequest(`${at}: content part type '${part.type}' is not supported by Anthropic (text, image_url and file are)`, `${at}.type`, 'invalid_value');
}

type RequestToolCall = NonNullable<Extract<ChatRequest['messages'][number], { role: 'assistant' }>['tool_calls']>[number];

function toolUse(call: RequestToolCall | ToolCall, at: string): RequestBlock {
  if (call.type !== 'function') throw badRequest(`${at}: custom tool calls are not supported by Anthropic`, `${at}.type`, 'invalid_value');
  const args = call.function?.arguments ?? '';
  let input: unknown;
  try {
    input = args.trim() === '' ? {} : JSON.parse(args);
  } catch {
    throw badRequest(`${at}.function.arguments must be a JSON object`, `${at}.function.arguments`, 'invalid_value');
  }
  return { type: 'tool_use', id: call.id, name: call.function.name, input };
}

function toTool(tool: unknown, i: number): Tool {
  const t = tool as { type?: string; function?: { name?: string; description?: string; parameters?: unknown } };
  if (t?.type !== 'function' || typeof t.function?.name !== 'string') {
    throw badRequest(`tools[${i}] must be {"type":"function","function":{"name":...}}`, `tools[${i}]`, 'invalid_value');
  }
  const out: Tool = { name: t.function.name, input_schema: t.function.parameters ?? { type: 'object', properties: {} } };
  if (t.function.description) out.description = t.function.description;
  return out;
}

function toToolChoice(choice: unknown, parallel: unknown): ToolChoice | undefined {
  let out: ToolChoice | undefined;
  if (choice === 'auto') out = { type: 'auto' };
  else if (choice === 'required') out = { type: 'any' };
  else if (choice === 'none') out = { type: 'none' };
  else if (choice != null) {
    const name = (choice as { function?: { name?: unknown } }).function?.name;
    if (typeof name !== 'string') throw badRequest(`Invalid value for 'tool_choice': ${JSON.stringify(choice)}`, 'tool_choice', 'invalid_value');
    out = { type: 'tool', name };
  }
  // OpenAI's parallel_tool_calls: false is a flag on Anthropic's tool_choice (which then defaults to auto).
  if (parallel === false && out?.type !== 'none') out = { ...(out ?? { type: 'auto' }), disable_parallel_tool_use: true };
  return out;
}
