// OpenAI chat request -> Google's GenerateContentRequest. System messages become systemInstruction, assistant
// turns `model` turns; tool calls and results become functionCall/functionResponse parts (a result names its
// function, found by its tool_call_id); images inlineData (data URLs) or fileData (URLs); response_format
// responseMimeType + responseJsonSchema; sampling parameters generationConfig.
import { badRequest } from '../../router/errors';
import type { ChatMessage, ChatRequest } from '../openai-types';
import type { Content, FunctionDeclaration, GenerateContentRequest, GenerationConfig, Part } from './types';

/** The OpenAI parameters translated here; any other is dropped (drop_params) or refused by name. */
export const GEMINI_PARAMS: ReadonlySet<string> = new Set([
  'model', 'messages', 'stream', 'stream_options', 'temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'stop', 'n',
  'seed', 'presence_penalty', 'frequency_penalty', 'tools', 'tool_choice', 'response_format', 'reasoning_effort',
  // embeddings
  'input', 'dimensions', 'encoding_format',
]);

/** reasoning_effort as a thinking budget in tokens, as LiteLLM maps it. */
const THINKING_BUDGET: Record<string, number> = { none: 0, minimal: 128, low: 1024, medium: 2048, high: 4096 };

export function toGenerateContentRequest(body: ChatRequest): GenerateContentRequest {
  const { system, contents } = translateMessages(body.messages);
  const req: GenerateContentRequest = { contents };
  if (system.length) req.systemInstruction = { parts: system.map((text) => ({ text })) };
  const declarations = (body.tools ?? []).map(toDeclaration);
  if (declarations.length) req.tools = [{ functionDeclarations: declarations }];
  const toolConfig = toToolConfig(body.tool_choice);
  if (toolConfig) req.toolConfig = toolConfig;
  const config = generationConfig(body);
  if (Object.keys(config).length) req.generationConfig = config;
  return req;
}

function generationConfig(body: ChatRequest): GenerationConfig {
  const c: GenerationConfig = {};
  if (typeof body.temperature === 'number') c.temperature = body.temperature;
  if (typeof body.top_p === 'number') c.topP = body.top_p;
  const max = body.max_completion_tokens ?? body.max_tokens;
  if (typeof max === 'number') c.maxOutputTokens = max;
  if (body.stop != null) c.stopSequences = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (typeof body.n === 'number' && body.n > 1) c.candidateCount = body.n;
  if (typeof body.seed === 'number') c.seed = body.seed;
  if (typeof body.presence_penalty === 'number') c.presencePenalty = body.presence_penalty;
  if (typeof body.frequency_penalty === 'number') c.frequencyPenalty = body.frequency_penalty;
  const effort = body.reasoning_effort;
  if (typeof effort === 'string') {
    if (!(effort in THINKING_BUDGET)) throw badRequest(`Invalid value for 'reasoning_effort': ${JSON.stringify(effort)}`, 'reasoning_effort', 'invalid_value');
    c.thinkingConfig = { thinkingBudget: THINKING_BUDGET[effort] };
  }
  Object.assign(c, responseFormat(body.response_format));
  return c;
}

function responseFormat(format: unknown): Partial<GenerationConfig> {
  const f = format as { type?: string; json_schema?: { schema?: unknown } } | null | undefined;
  if (f == null || f.type === 'text') return {};
  if (f.type === 'json_object') return { responseMimeType: 'application/json' };
  if (f.type === 'json_schema' && typeof f.json_schema?.schema === 'object') {
    return { responseMimeType: 'application/json', responseJsonSchema: f.json_schema.schema };
  }
  throw badRequest(`Invalid value for 'response_format': ${JSON.stringify(format)}`, 'response_format', 'invalid_value');
}

function translateMessages(input: ChatMessage[]): { system: string[]; contents: Content[] } {
  const system: string[] = [];
  const contents: Content[] = [];
  // A tool result names its function: found from the assistant turn that made the call.
  const callNames = new Map<string, string>();
  const push = (role: Content['role'], parts: Part[]) => {
    if (!parts.length) return;
    const last = contents.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  input.forEach((m, i) => {
    const at = `messages[${i}]`;
    switch (m.role) {
      case 'system':
      case 'developer':
        for (const part of contentParts(m.content, at)) {
          if (!('text' in part)) throw badRequest(`${at}: a system message takes text only`, `${at}.content`, 'invalid_value');
          system.push(part.text);
        }
        return;
      case 'user':
        return push('user', contentParts(m.content, at));
      case 'assistant': {
        const calls = (m.tool_calls ?? []).map((c, j): Part => {
          callNames.set(c.id, c.function.name);
          const part: Part = { functionCall: { name: c.function.name, args: parseArgs(c.function.arguments, `${at}.tool_calls[${j}].function.arguments`) } };
          // Gemini's thought signature rides in the call id (response.ts), and must come back with the call.
          const signature = thoughtSignatureOf(c.id);
          return signature ? { ...part, thoughtSignature: signature } : part;
        });
        return push('model', [...contentParts(m.content, at), ...calls]);
      }
      case 'tool': {
        const id = m.tool_call_id;
        const name = (typeof id === 'string' && callNames.get(id)) || m.name;
        if (typeof name !== 'string') {
          throw badRequest(`${at}: a tool message needs the tool_call_id of an earlier assistant tool call`, `${at}.tool_call_id`, 'invalid_value');
        }
        return push('user', [{ functionResponse: { name, response: toolResponse(m.content) } }]);
      }
      default:
        throw badRequest(`${at}: role '${m.role}' is not supported by Gemini; use tools and role 'tool'`, `${at}.role`, 'invalid_value');
    }
  });
  return { system, contents };
}

/** A tool's output as functionResponse.response (a JSON object): a JSON object as is, anything else as `content`. */
function toolResponse(content: ChatMessage['content']): Record<string, unknown> {
  const text = typeof content === 'string' ? content : (content ?? []).map((p) => (p.type === 'text' ? String(p.text) : '')).join('');
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed;
  } catch {
    // not JSON: sent as text
  }
  return { content: text };
}

function parseArgs(args: string, at: string): Record<string, unknown> {
  try {
    const parsed = args.trim() === '' ? {} : JSON.parse(args);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed;
  } catch {
    // refused below
  }
  throw badRequest(`${at} must be a JSON object`, at, 'invalid_value');
}

/** A tool call id carries the part's thought signature after this marker (LiteLLM's convention). */
export const THOUGHT_MARK = '__thought__';

const thoughtSignatureOf = (id: string | undefined) => {
  const at = id?.indexOf(THOUGHT_MARK) ?? -1;
  return at >= 0 ? id!.slice(at + THOUGHT_MARK.length) : undefined;
};

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

/** Common media types by extension, for fileData (Google requires a mimeType). */
const MIME: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif', heic: 'image/heic',
  pdf: 'application/pdf', mp3: 'audio/mpeg', wav: 'audio/wav', mp4: 'video/mp4', txt: 'text/plain',
};

function fileData(uri: string, format: unknown, at: string): Part {
  const ext = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(uri)?.[1]?.toLowerCase();
  const mimeType = typeof format === 'string' ? format : MIME[ext ?? ''];
  if (!mimeType) throw badRequest(`${at}: cannot tell the media type of ${uri}; give it as 'format' or use a data URL`, at, 'invalid_value');
  return { fileData: { mimeType, fileUri: uri } };
}

function contentParts(content: ChatMessage['content'], at: string): Part[] {
  if (content == null || content === '') return [];
  if (typeof content === 'string') return [{ text: content }];
  return content.flatMap((part, k): Part[] => {
    const where = `${at}.content[${k}]`;
    if (part.type === 'text' && typeof part.text === 'string') return part.text === '' ? [] : [{ text: part.text }];
    if (part.type === 'image_url') {
      const image = (part as { image_url?: string | { url?: string; format?: string } }).image_url;
      const url = typeof image === 'string' ? image : image?.url;
      const data = DATA_URL.exec(url ?? '');
      if (data) return [{ inlineData: { mimeType: data[1], data: data[2] } }];
      if (url && /^(https?|gs):\/\//i.test(url)) return [fileData(url, typeof image === 'object' ? image.format : undefined, `${where}.image_url`)];
      throw badRequest(`${where}: an image must be a base64 data URL or an http(s) or gs:// URL`, `${where}.image_url`, 'invalid_value');
    }
    if (part.type === 'file') {
      const file = (part as { file?: { file_data?: string; file_id?: string; format?: string } }).file ?? {};
      const data = DATA_URL.exec(file.file_data ?? '');
      if (data) return [{ inlineData: { mimeType: data[1], data: data[2] } }];
      if (file.file_id) return [fileData(file.file_id, file.format, `${where}.file`)];
      throw badRequest(`${where}: a file needs file_data (a base64 data URL) or file_id (a URI)`, `${where}.file`, 'invalid_value');
    }
    throw badRequest(`${where}: content part type '${part.type}' is not supported by Gemini (text, image_url and file are)`, `${where}.type`, 'invalid_value');
  });
}

function toDeclaration(tool: unknown, i: number): FunctionDeclaration {
  const t = tool as { type?: string; function?: { name?: string; description?: string; parameters?: unknown } };
  if (t?.type !== 'function' || typeof t.function?.name !== 'string') {
    throw badRequest(`tools[${i}] must be {"type":"function","function":{"name":...}}`, `tools[${i}]`, 'invalid_value');
  }
  const out: FunctionDeclaration = { name: t.function.name };
  if (t.function.description) out.description = t.function.description;
  if (t.function.parameters) out.parametersJsonSchema = t.function.parameters;
  return out;
}

function toToolConfig(choice: unknown): GenerateContentRequest['toolConfig'] {
  if (choice == null) return undefined;
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  const name = (choice as { function?: { name?: unknown } }).function?.name;
  if (typeof name !== 'string') throw badRequest(`Invalid value for 'tool_choice': ${JSON.stringify(choice)}`, 'tool_choice', 'invalid_value');
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [name] } };
}
