// A fake upstream for npm run test:clients, on 127.0.0.1: Anthropic's Messages API under /anthropic, OpenAI's
// chat completions and Responses API under /openai/v1, each answering (streamed or not, in the real wire format)
// a fixed sentence that names the path it took. Every request is kept for GET /calls.
import http from 'node:http';

/** A prompt `Read the file <path>` gets a call of the client's Read tool first; its result is quoted back after. */
const READ = /Read the file (\S+)/;
const allText = (messages) => JSON.stringify(messages);
export const TOOL_SAID = 'the tool said: ';

/** The client's file-reading tool and its input: Claude Code's Read, or Codex's exec_command running cat. */
function readCall(toolNames, file) {
  if (toolNames.includes('Read')) return { name: 'Read', input: { file_path: file } };
  if (toolNames.includes('exec_command')) return { name: 'exec_command', input: { cmd: `cat ${file}` } };
  return undefined;
}

export const ANSWERS = {
  anthropic: 'PONG via the anthropic upstream',
  chat: 'PONG via the openai chat upstream',
  responses: 'PONG via the openai responses upstream',
};

const sse = (res, events) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const e of events) res.write(e);
  res.end();
};
const named = (data) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;

/** The tool result a conversation ends with, if any (Anthropic tool_result block or chat tool message). */
function toolResult(messages) {
  const last = messages.at(-1);
  if (last?.role === 'tool') return String(last.content);
  const block = Array.isArray(last?.content) ? last.content.find((b) => b.type === 'tool_result') : undefined;
  if (!block) return undefined;
  return typeof block.content === 'string' ? block.content : block.content.map((b) => b.text ?? '').join('');
}

function anthropic(body, res) {
  const said = toolResult(body.messages);
  const text = ANSWERS.anthropic + (said ? `; ${TOOL_SAID}${said}` : '');
  const file = !said && READ.exec(allText(body.messages))?.[1];
  const call = file && readCall((body.tools ?? []).map((t) => t.name), file);
  if (call) return anthropicToolUse(body, res, call);
  const usage = { input_tokens: 12, output_tokens: 6, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const message = { id: 'msg_fake01', type: 'message', role: 'assistant', model: body.model, content: [{ type: 'text', text }], stop_reason: 'end_turn', stop_sequence: null, usage };
  if (!body.stream) return json(res, message);
  sse(res, [
    named({ type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } }),
    named({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    named({ type: 'ping' }),
    ...text.split(/(?<= )/).map((t) => named({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } })),
    named({ type: 'content_block_stop', index: 0 }),
    named({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 6 } }),
    named({ type: 'message_stop' }),
  ]);
}

function anthropicToolUse(body, res, call) {
  const block = { type: 'tool_use', id: 'toolu_fake01', ...call };
  const usage = { input_tokens: 12, output_tokens: 6 };
  const message = { id: 'msg_fake02', type: 'message', role: 'assistant', model: body.model, content: [block], stop_reason: 'tool_use', stop_sequence: null, usage };
  if (!body.stream) return json(res, message);
  sse(res, [
    named({ type: 'message_start', message: { ...message, content: [], stop_reason: null } }),
    named({ type: 'content_block_start', index: 0, content_block: { ...block, input: {} } }),
    named({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } }),
    named({ type: 'content_block_stop', index: 0 }),
    named({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 6 } }),
    named({ type: 'message_stop' }),
  ]);
}

function chat(body, res) {
  const said = toolResult(body.messages);
  const text = ANSWERS.chat + (said ? `; ${TOOL_SAID}${said}` : '');
  const file = !said && READ.exec(allText(body.messages))?.[1];
  const call = file && readCall((body.tools ?? []).map((t) => t.function?.name), file);
  if (call) return chatToolCall(body, res, call);
  const base = { id: 'chatcmpl-fake', created: 1700000000, model: body.model };
  const usage = { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 };
  if (!body.stream) return json(res, { ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage });
  const c = (delta, finish = null) => `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  sse(res, [
    c({ role: 'assistant', content: '' }),
    ...text.split(/(?<= )/).map((t) => c({ content: t })),
    c({}, 'stop'),
    `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`,
    'data: [DONE]\n\n',
  ]);
}

function chatToolCall(body, res, { name, input }) {
  const base = { id: 'chatcmpl-fake2', created: 1700000000, model: body.model };
  const call = { id: 'call_fake01', type: 'function', function: { name, arguments: JSON.stringify(input) } };
  if (!body.stream) return json(res, { ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [call] }, finish_reason: 'tool_calls' }] });
  const c = (delta, finish = null) => `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  sse(res, [
    c({ role: 'assistant', content: null }),
    c({ tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name, arguments: '' } }] }),
    c({ tool_calls: [{ index: 0, function: { arguments: call.function.arguments } }] }),
    c({}, 'tool_calls'),
    'data: [DONE]\n\n',
  ]);
}

function responses(body, res) {
  const items = Array.isArray(body.input) ? body.input : [{ role: 'user', content: body.input }];
  const output = items.findLast((i) => i.type === 'function_call_output')?.output;
  const said = output === undefined ? undefined : typeof output === 'string' ? output : output.map((p) => p.text ?? '').join('');
  const file = said === undefined && READ.exec(JSON.stringify(items))?.[1];
  const call = file && readCall((body.tools ?? []).map((t) => t.name), file);
  if (call) return responsesCall(body, res, call);
  const text = ANSWERS.responses + (said ? `; ${TOOL_SAID}${said}` : '');
  const usage = { input_tokens: 12, input_tokens_details: { cached_tokens: 0 }, output_tokens: 6, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 18 };
  const item = { id: 'msg_fake01', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] };
  const response = (status, output, u) => ({ id: 'resp_fake01', object: 'response', created_at: 1700000000, status, error: null, incomplete_details: null, model: body.model, output, usage: u, store: false, tools: [], parallel_tool_calls: true, tool_choice: 'auto' });
  if (!body.stream) return json(res, response('completed', [item], usage));
  let n = 0;
  const ev = (data) => named({ ...data, sequence_number: n++ });
  sse(res, [
    ev({ type: 'response.created', response: response('in_progress', [], null) }),
    ev({ type: 'response.in_progress', response: response('in_progress', [], null) }),
    ev({ type: 'response.output_item.added', output_index: 0, item: { ...item, status: 'in_progress', content: [] } }),
    ev({ type: 'response.content_part.added', item_id: item.id, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }),
    ...text.split(/(?<= )/).map((t) => ev({ type: 'response.output_text.delta', item_id: item.id, output_index: 0, content_index: 0, delta: t, logprobs: [] })),
    ev({ type: 'response.output_text.done', item_id: item.id, output_index: 0, content_index: 0, text, logprobs: [] }),
    ev({ type: 'response.content_part.done', item_id: item.id, output_index: 0, content_index: 0, part: item.content[0] }),
    ev({ type: 'response.output_item.done', output_index: 0, item }),
    ev({ type: 'response.completed', response: response('completed', [item], usage) }),
  ]);
}

function responsesCall(body, res, { name, input }) {
  const item = { id: 'fc_fake01', type: 'function_call', status: 'completed', call_id: 'call_fake01', name, arguments: JSON.stringify(input) };
  const response = (status, output) => ({ id: 'resp_fake02', object: 'response', created_at: 1700000000, status, error: null, incomplete_details: null, model: body.model, output, usage: status === 'completed' ? { input_tokens: 12, input_tokens_details: { cached_tokens: 0 }, output_tokens: 6, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 18 } : null, store: false, tools: [], parallel_tool_calls: true, tool_choice: 'auto' });
  if (!body.stream) return json(res, response('completed', [item]));
  let n = 0;
  const ev = (data) => named({ ...data, sequence_number: n++ });
  sse(res, [
    ev({ type: 'response.created', response: response('in_progress', []) }),
    ev({ type: 'response.output_item.added', output_index: 0, item: { ...item, status: 'in_progress', arguments: '' } }),
    ev({ type: 'response.function_call_arguments.delta', item_id: item.id, output_index: 0, delta: item.arguments }),
    ev({ type: 'response.function_call_arguments.done', item_id: item.id, output_index: 0, name, arguments: item.arguments }),
    ev({ type: 'response.output_item.done', output_index: 0, item }),
    ev({ type: 'response.completed', response: response('completed', [item]) }),
  ]);
}

function json(res, body, status = 200) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Starts the upstream on a free port; resolves with { port, calls, close }. */
export function startUpstream() {
  const calls = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const path = new URL(req.url, 'http://x').pathname;
      let body = {};
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {}
      calls.push({ path, headers: req.headers, body });
      if (path === '/anthropic/v1/messages/count_tokens') return json(res, { input_tokens: 42 });
      if (path === '/anthropic/v1/messages') return anthropic(body, res);
      if (path === '/openai/v1/chat/completions') return chat(body, res);
      if (path === '/openai/v1/responses') return responses(body, res);
      json(res, { error: { message: `fake upstream: no route ${req.method} ${path}`, type: 'invalid_request_error' } }, 404);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, calls, close: () => server.close() })));
}
