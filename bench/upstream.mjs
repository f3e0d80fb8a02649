// The bench's upstream: a tiny OpenAI-shaped server on 127.0.0.1 with fixed answers, so what the bench
// measures is the gateway, not a model. Latency before the answer and between stream chunks is set by
// flags; GET /bench/stats counts the chat calls it served (cache hits never reach it).
//
//   node bench/upstream.mjs [--port 0] [--latency-ms 0] [--chunks 8] [--chunk-delay-ms 0] [--max-lifetime-s 600]
//
// Prints one JSON line {"port":N} once listening. Exits when its parent goes away (IPC disconnect) or
// after --max-lifetime-s, whichever comes first, so a bench can never leave it behind.
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'latency-ms': { type: 'string', default: '0' },
    chunks: { type: 'string', default: '8' },
    'chunk-delay-ms': { type: 'string', default: '0' },
    'max-lifetime-s': { type: 'string', default: '600' },
  },
});
const latencyMs = Number(opts['latency-ms']);
const chunkDelayMs = Number(opts['chunk-delay-ms']);
const chunkCount = Number(opts.chunks);

const CREATED = 1700000000;
const USAGE = { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 };

/** Answers are the same for every call of a model, so they are built once. */
const answers = new Map();
function answersFor(model) {
  let a = answers.get(model);
  if (a) return a;
  const json = JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: CREATED,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'This is a fixed answer from the bench upstream.' }, finish_reason: 'stop', logprobs: null }],
    usage: USAGE,
    system_fingerprint: 'fp_bench',
  });
  const chunk = (delta, finish = null, extra = {}) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: CREATED, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
  const events = [chunk({ role: 'assistant', content: '' })];
  for (let i = 0; i < chunkCount; i++) events.push(chunk({ content: `word${i} ` }));
  events.push(chunk({}, 'stop'), chunk({}, null, { choices: [], usage: USAGE }), 'data: [DONE]\n\n');
  a = { json, events };
  answers.set(model, a);
  return a;
}

const stats = { chat: 0, stream: 0 };
const wait = (ms) => new Promise((r) => setTimeout(r, ms));

const server = http.createServer(async (req, res) => {
  if (req.method === 'GET' && req.url === '/bench/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify(stats));
  }
  if (req.method === 'POST' && req.url === '/bench/reset') {
    stats.chat = stats.stream = 0;
    return res.end('{}');
  }
  if (req.method !== 'POST' || !req.url.endsWith('/chat/completions')) {
    res.writeHead(404, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ error: { message: `bench upstream: no route ${req.method} ${req.url}`, type: 'invalid_request_error', param: null, code: null } }));
  }
  let text = '';
  for await (const part of req) text += part;
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    res.writeHead(400, { 'content-type': 'application/json' });
    return res.end('{"error":{"message":"bad json","type":"invalid_request_error","param":null,"code":null}}');
  }
  const { json, events } = answersFor(String(body.model ?? 'bench'));
  stats.chat++;
  if (latencyMs > 0) await wait(latencyMs);
  if (body.stream !== true) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
    return res.end(json);
  }
  stats.stream++;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const e of events) {
    if (res.destroyed) return;
    res.write(e);
    if (chunkDelayMs > 0) await wait(chunkDelayMs);
  }
  res.end();
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 61_000;

server.listen(Number(opts.port), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});

process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
setTimeout(() => process.exit(0), Number(opts['max-lifetime-s']) * 1000).unref();
