// Anthropic Messages requests (https://docs.anthropic.com/en/api/messages): checked, and translated to an
// OpenAI chat request for deployments that do not speak Messages. System prompts become a system message,
// tool_use blocks tool_calls, tool_result blocks `tool` messages, images image_url parts.
import type { ChatMessage, ChatRequest, ContentPart, ToolCall, TranslatedChat } from '../../providers/openai-types';
import { badRequest } from '../../router/errors';
import type { GatewayControls } from '../../router/request';
import { takeControls } from '../../router/request';
import { messagesBody } from '../../schema/messages';
import { anthropicIssueError, parseBody } from '../../schema/issues';

type Block = { type: string; [k: string]: unknown };

/** The request as the client sent it (its gateway controls taken out): what passes through to Anthropic. */
export interface MessagesBody {
  model: string;
  max_tokens: number;
  /** Claude Code also sends `system` turns inside messages; Anthropic takes them. */
  messages: Array<{ role: 'user' | 'assistant' | 'system'; content: string | Block[] }>;
  system?: string | Array<{ type: 'text'; text: string }>;
  stream?: boolean;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  tools?: Array<{ type?: string; name: string; description?: string; input_schema?: unknown }>;
  tool_choice?: { type: 'auto' | 'any' | 'tool' | 'none'; name?: string; disable_parallel_tool_use?: boolean };
  metadata?: { user_id?: string | null };
  [extra: string]: unknown;
}

const invalid = (param: string, message: string) => badRequest(`${param}: ${message}`, param, 'invalid_value');

/** Checked against Anthropic's schema (src/schema/messages.ts) before routing, whichever deployment then answers. */
export function parseMessagesRequest(body: unknown): { request: MessagesBody; controls: GatewayControls } {
  parseBody(messagesBody, body, anthropicIssueError);
  const { rest, controls } = takeControls(body as Record<string, unknown>);
  return { request: rest as MessagesBody, controls };
}

/** The chat request a non-Anthropic deployment is sent. Thinking blocks and top_k have no chat counterpart and are left out. */
export function toChatRequest(req: MessagesBody): ChatRequest {
  const messages: ChatMessage[] = [];
  const system = typeof req.system === 'string' ? req.system : (req.system ?? []).map((b) => b.text).join('\n\n');
  if (system) messages.push({ role: 'system', content: system });
  req.messages.forEach((m, i) => {
    if (m.role === 'system') messages.push({ role: 'system', content: typeof m.content === 'string' ? m.content : m.content.map((b) => String(b.text ?? '')).join('\n\n') });
    else messages.push(...(m.role === 'user' ? userTurn(m.content, i) : assistantTurn(m.content, i)));
  });
  const chat: TranslatedChat = { model: req.model, messages, max_tokens: req.max_tokens };
  if (req.stop_sequences?.length) chat.stop = req.stop_sequences;
  if (typeof req.temperature === 'number') chat.temperature = req.temperature;
  if (typeof req.top_p === 'number') chat.top_p = req.top_p;
  if (req.tools?.length) chat.tools = req.tools.map(toTool);
  const choice = req.tool_choice;
  if (choice) {
    chat.tool_choice = choice.type === 'any' ? 'required' : choice.type === 'tool' ? { type: 'function', function: { name: choice.name } } : choice.type;
    if (choice.disable_parallel_tool_use && req.tools?.length) chat.parallel_tool_calls = false;
  }
  if (typeof req.metadata?.user_id === 'string') chat.user = req.metadata.user_id;
  if (req.stream) {
    chat.stream = true;
    chat.stream_options = { include_usage: true };
  }
  return chat as ChatRequest;
}

const SKIPPED = new Set(['thinking', 'redacted_thinking']);

/** A user turn: its tool results first (chat wants them right after the assistant's calls), then the rest. */
function userTurn(content: string | Block[], i: number): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  const out: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  content.forEach((b, j) => {
    const at = `messages.${i}.content.${j}`;
    if (b.type === 'tool_result') {
      const inner = typeof b.content === 'string' ? [{ type: 'text', text: b.content }] : ((b.content as Block[] | undefined) ?? []);
      const text = inner.filter((p) => p.type === 'text').map((p) => p.text as string).join('\n');
      out.push({ role: 'tool', tool_call_id: String(b.tool_use_id), content: b.is_error ? `Error: ${text}` : text });
      // Images a tool returned follow as user content: a tool message carries text only.
      inner.forEach((p, k) => p.type !== 'text' && parts.push(contentPart(p, `${at}.content.${k}`)));
    } else if (!SKIPPED.has(b.type)) parts.push(contentPart(b, at));
  });
  if (parts.length) {
    const only = parts.length === 1 && parts[0].type === 'text' ? (parts[0] as { text: string }).text : undefined;
    out.push({ role: 'user', content: only ?? parts });
  }
  return out;
}

function assistantTurn(content: string | Block[], i: number): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'assistant', content }];
  let text = '';
  const calls: ToolCall[] = [];
  content.forEach((b, j) => {
    if (b.type === 'text') text += b.text as string;
    else if (b.type === 'tool_use') calls.push({ id: String(b.id), type: 'function', function: { name: String(b.name), arguments: JSON.stringify(b.input ?? {}) } });
    else if (!SKIPPED.has(b.type)) throw invalid(`messages.${i}.content.${j}.type`, `'${b.type}' blocks are served only by Anthropic deployments`);
  });
  const m: ChatMessage = { role: 'assistant', content: text || null };
  if (calls.length) m.tool_calls = calls;
  return [m];
}

function contentPart(b: Block, at: string): ContentPart {
  const source = b.source as { type?: string; media_type?: string; data?: string; url?: string } | undefined;
  if (b.type === 'text') return { type: 'text', text: String(b.text) };
  if (b.type === 'image' && source?.type === 'base64') return { type: 'image_url', image_url: { url: `data:${source.media_type};base64,${source.data}` } };
  if (b.type === 'image' && source?.type === 'url') return { type: 'image_url', image_url: { url: String(source.url) } };
  if (b.type === 'document' && source?.type === 'base64') return { type: 'file', file: { file_data: `data:${source.media_type};base64,${source.data}` } };
  if (b.type === 'document' && source?.type === 'text') return { type: 'text', text: String(source.data) };
  throw invalid(at, `'${b.type}' blocks${source?.type ? ` with a ${source.type} source` : ''} are served only by Anthropic deployments`);
}

function toTool(t: NonNullable<MessagesBody['tools']>[number], i: number) {
  if (t.type != null && t.type !== 'custom') {
    throw invalid(`tools.${i}.type`, `the server tool '${t.type}' is served only by Anthropic deployments`);
  }
  const fn: Record<string, unknown> = { name: t.name, parameters: t.input_schema ?? { type: 'object', properties: {} } };
  if (t.description) fn.description = t.description;
  return { type: 'function', function: fn };
}
