// OpenAI Responses requests (POST /v1/responses): checked, and translated to a chat request for deployments
// that do not speak Responses. `instructions` becomes a system message; `input` (a string, or message,
// function_call and function_call_output items) becomes messages; function tools, `text.format` and
// `max_output_tokens` their chat counterparts. A `previous_response_id` the gateway stored is restored before
// routing (store.ts); any other reaching a translated deployment is a 400, never a silent loss of context.
import type { ChatMessage, ChatRequest, ContentPart, ToolCall, TranslatedChat } from '../../providers/openai-types';
import { badRequest } from '../../router/errors';
import type { GatewayControls } from '../../router/request';
import { takeControls } from '../../router/request';
import { parseBody } from '../../schema/issues';
import { responsesBody } from '../../schema/responses';

type Item = { type?: string; [k: string]: unknown };

/** The request as the client sent it (its gateway controls taken out): what passes through to OpenAI or Azure. */
export interface ResponsesBody {
  model: string;
  input?: string | Item[];
  instructions?: string | null;
  stream?: boolean;
  tools?: Item[];
  tool_choice?: unknown;
  parallel_tool_calls?: boolean | null;
  text?: { format?: { type: string; name?: string; schema?: unknown; strict?: boolean | null; description?: string } } | null;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  user?: string;
  safety_identifier?: string;
  previous_response_id?: string | null;
  store?: boolean | null;
  background?: boolean | null;
  [extra: string]: unknown;
}

const invalid = (param: string, message: string) => badRequest(message, param, 'invalid_value');

/** Checked against OpenAI's schema (src/schema/responses.ts) before routing, whichever deployment then answers. */
export function parseResponsesRequest(body: unknown): { request: ResponsesBody; controls: GatewayControls } {
  parseBody(responsesBody, body);
  const { rest, controls } = takeControls(body as Record<string, unknown>);
  if (rest.background === true) throw invalid('background', 'Background responses are not supported by this gateway: send background: false');
  return { request: rest as ResponsesBody, controls };
}

export function toChatRequest(req: ResponsesBody): ChatRequest {
  // Restored before routing when the gateway stored that response (store.ts); still here, it is unknown to this
  // deployment: refused rather than answered without the conversation.
  if (req.previous_response_id) {
    throw invalid(
      'previous_response_id',
      `Previous response '${req.previous_response_id}' is not one this gateway stored for your key, and this deployment (reached by translation) cannot look it up: only openai/ and azure/ deployments resolve their own response ids. Send the whole conversation in 'input' instead.`,
    );
  }
  const messages: ChatMessage[] = [];
  if (req.instructions) messages.push({ role: 'system', content: req.instructions });
  const items = typeof req.input === 'string' ? [{ type: 'message', role: 'user', content: req.input }] : (req.input ?? []);
  items.forEach((item, i) => addItem(messages, item, `input[${i}]`));
  if (!messages.some((m) => m.role !== 'system')) throw invalid('input', "'input' must hold at least one message");
  const chat: TranslatedChat = { model: req.model, messages };
  if (typeof req.max_output_tokens === 'number') chat.max_tokens = req.max_output_tokens;
  if (typeof req.temperature === 'number') chat.temperature = req.temperature;
  if (typeof req.top_p === 'number') chat.top_p = req.top_p;
  const tools = (req.tools ?? []).flatMap(toTools);
  if (tools.length) {
    chat.tools = tools;
    if (req.tool_choice != null) chat.tool_choice = toToolChoice(req.tool_choice);
    if (typeof req.parallel_tool_calls === 'boolean') chat.parallel_tool_calls = req.parallel_tool_calls;
  }
  const format = req.text?.format;
  if (format?.type === 'json_schema') {
    const schema: Record<string, unknown> = { name: format.name ?? 'response', schema: format.schema };
    if (format.strict != null) schema.strict = format.strict;
    if (format.description) schema.description = format.description;
    chat.response_format = { type: 'json_schema', json_schema: schema };
  } else if (format?.type === 'json_object') chat.response_format = { type: 'json_object' };
  const user = req.safety_identifier ?? req.user;
  if (typeof user === 'string') chat.user = user;
  if (req.stream) {
    chat.stream = true;
    chat.stream_options = { include_usage: true };
  }
  return chat as ChatRequest;
}

function addItem(messages: ChatMessage[], item: Item, at: string) {
  const type = item.type ?? 'message';
  const last = messages.at(-1);
  switch (type) {
    case 'message': {
      const role = item.role as string;
      if (!['user', 'assistant', 'system', 'developer'].includes(role)) throw invalid(`${at}.role`, `${at}.role must be user, assistant, system or developer`);
      const content = typeof item.content === 'string' ? item.content : contentParts(item.content, `${at}.content`, role === 'assistant');
      if (role === 'assistant') {
        const text = typeof content === 'string' ? content : content.map((p) => (p as { text?: string }).text ?? '').join('');
        // Text after the same turn's function calls joins that turn.
        if (last?.role === 'assistant' && last.content == null) last.content = text;
        else messages.push({ role: 'assistant', content: text });
      } else messages.push({ role: role as ChatMessage['role'], content: collapse(content) });
      return;
    }
    case 'function_call': {
      const name = item.namespace ? `${item.namespace}${SEP}${item.name}` : String(item.name);
      const call: ToolCall = { id: String(item.call_id), type: 'function', function: { name, arguments: String(item.arguments ?? '') } };
      // Consecutive calls (and the text before them) are one assistant turn in chat.
      if (last?.role === 'assistant') {
        last.tool_calls = [...(last.tool_calls ?? []), call];
      } else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
      return;
    }
    case 'function_call_output': {
      const output = item.output;
      const text = typeof output === 'string' ? output : contentParts(output, `${at}.output`, false).map((p) => (p as { text?: string }).text ?? '').join('');
      messages.push({ role: 'tool', tool_call_id: String(item.call_id), content: text });
      return;
    }
    case 'reasoning':
      return; // a reasoning model's own notes: nothing another model can read
    default:
      throw invalid(`${at}.type`, `Input items of type '${type}' are served only by openai/ and azure/ deployments`);
  }
}

const collapse = (parts: string | ContentPart[]) => (typeof parts !== 'string' && parts.length === 1 && parts[0].type === 'text' ? (parts[0] as { text: string }).text : parts);

function contentParts(content: unknown, at: string, assistant: boolean): ContentPart[] {
  if (!Array.isArray(content)) throw invalid(at, `${at} must be a string or a list of content parts`);
  return content.map((p: Item, k) => {
    const where = `${at}[${k}]`;
    switch (p.type) {
      case 'input_text':
      case 'output_text':
        return { type: 'text', text: String(p.text) };
      case 'refusal':
        return { type: 'text', text: String(p.refusal) };
      case 'input_image':
        if (typeof p.image_url !== 'string') throw invalid(where, `${where}: an image needs image_url (file_id is served only by openai/ and azure/ deployments)`);
        return { type: 'image_url', image_url: { url: p.image_url, ...(p.detail && p.detail !== 'auto' ? { detail: String(p.detail) } : {}) } };
      case 'input_file':
        if (typeof p.file_data !== 'string') throw invalid(where, `${where}: a file needs file_data (file_id and file_url are served only by openai/ and azure/ deployments)`);
        return { type: 'file', file: { file_data: p.file_data, ...(p.filename ? { filename: String(p.filename) } : {}) } };
      default:
        throw invalid(where, `${where}: content of type '${p.type}' is not supported${assistant ? ' in an assistant message' : ''}`);
    }
  });
}

/**
 * OpenAI's hosted tools: only OpenAI runs them, so a translated request leaves them out and the model answers
 * without them (Codex sends web_search on every turn; refusing it would refuse Codex).
 */
const HOSTED = /^(web_search|file_search|code_interpreter|image_generation|computer_use|mcp$|local_shell$|shell$|apply_patch$|tool_search)/;

/** A namespace's functions reach chat as `<namespace>__<name>`, and their calls come back split again. */
const SEP = '__';

function toTools(t: Item, i: number): unknown[] {
  if (t.type === 'function') return [functionTool(t, String(t.name))];
  if (t.type === 'namespace' && Array.isArray(t.tools)) {
    return (t.tools as Item[]).map((inner, k) => {
      if (inner.type !== 'function') throw invalid(`tools[${i}].tools[${k}].type`, `Tools of type '${inner.type}' are served only by openai/ and azure/ deployments; others take function tools`);
      return functionTool(inner, `${t.name}${SEP}${inner.name}`);
    });
  }
  if (HOSTED.test(String(t.type))) return [];
  throw invalid(`tools[${i}].type`, `Tools of type '${t.type}' are served only by openai/ and azure/ deployments; others take function tools`);
}

function functionTool(t: Item, name: string) {
  const fn: Record<string, unknown> = { name, parameters: t.parameters ?? { type: 'object', properties: {} } };
  if (t.description) fn.description = t.description;
  if (t.strict != null) fn.strict = t.strict;
  return { type: 'function', function: fn };
}

/** A chat tool call's name as the Responses API names it: `name`, and its `namespace` when it came from one. */
export function callName(req: ResponsesBody, chatName: string): { name: string; namespace?: string } {
  const at = chatName.indexOf(SEP);
  if (at > 0) {
    const namespace = chatName.slice(0, at);
    const name = chatName.slice(at + SEP.length);
    if (req.tools?.some((t) => t.type === 'namespace' && t.name === namespace)) return { name, namespace };
  }
  return { name: chatName };
}

function toToolChoice(choice: unknown): unknown {
  if (typeof choice === 'string') return choice;
  const c = choice as { type?: string; name?: string };
  if (c?.type === 'function' && typeof c.name === 'string') return { type: 'function', function: { name: c.name } };
  throw invalid('tool_choice', `Invalid value for 'tool_choice': ${JSON.stringify(choice)}`);
}
