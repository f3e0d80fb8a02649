// The soak's upstream on 127.0.0.1, one path prefix per deployment (/d1/v1, /d2/v1, ...), each with its own fault
// mix, speaking OpenAI's chat completions and Responses and Anthropic's Messages. Faults: 5xx (echoing the caller's
// key, as real upstreams do in auth errors), 429 with Retry-After, a timeout (never answers), a reset before the
// answer, a stream cut mid-way, slow chunks, garbage bytes (a 200 whose body is not JSON, a stream whose data lines
// are not JSON), an in-band error event, and a stream echoing the key in an event of a shape its API does not use
// for errors (`event: error` with {"type":"error","message"} on chat, a chat-style {"error"} on Messages and
// Responses, `event: response.failed`) or in its content. Counts every call per deployment per UTC minute, to hold
// against each deployment's rpm.
import http from 'node:http';

/** The kinds of answer, and their weights per deployment profile. */
export const PROFILES = {
  steady: { ok: 88, e500: 3, e429: 2, slow: 5, echo: 2 },
  flaky: { ok: 50, e500: 12, e429: 10, reset: 6, drop: 6, garbage: 4, inband: 4, echo: 5, timeout: 3 },
  slow: { ok: 58, slow: 25, timeout: 5, drop: 5, e500: 5, echo: 2 },
};

const CREATED = 1700000000;
const USAGE = { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 };
const wait = (ms) => new Promise((r) => setTimeout(r, ms));

function pick(weights, random) {
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  let r = random() * total;
  for (const [k, w] of Object.entries(weights)) if ((r -= w) < 0) return k;
  return 'ok';
}

const chunk = (model, delta, finish = null, extra = {}) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-soak', object: 'chat.completion.chunk', created: CREATED, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
const named = (data) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
const data = (value) => `data: ${JSON.stringify(value)}\n\n`;
const WORDS = Array.from({ length: 6 }, (_, i) => `word${i} `);
const ANSWER = 'A fixed answer from the soak upstream.';

/** Each API's answer, stream and faults in its own wire format. */
const APIS = {
  chat: {
    json: (model) => ({ id: 'chatcmpl-soak', object: 'chat.completion', created: CREATED, model, choices: [{ index: 0, message: { role: 'assistant', content: ANSWER }, finish_reason: 'stop', logprobs: null }], usage: USAGE }),
    stream: (model) => [chunk(model, { role: 'assistant', content: '' }), ...WORDS.map((w) => chunk(model, { content: w })), chunk(model, {}, 'stop'), chunk(model, {}, null, { choices: [], usage: USAGE }), 'data: [DONE]\n\n'],
    delta: (model, text) => chunk(model, { content: text }),
    inband: (key) => data({ error: { message: `stream failed: Bearer ${key} revoked`, type: 'server_error', param: null, code: null } }),
    echoes: (key) => [['event: error', named({ type: 'error', message: `invalid api key ${key}` })], ['event: response.failed', named({ type: 'response.failed', message: `Bearer ${key} revoked` })]],
  },
  messages: {
    json: (model) => ({ id: 'msg_soak', type: 'message', role: 'assistant', model, content: [{ type: 'text', text: ANSWER }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 12, output_tokens: 9 } }),
    stream: (model) => [
      named({ type: 'message_start', message: { id: 'msg_soak', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } } }),
      named({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      ...WORDS.map((w) => named({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: w } })),
      named({ type: 'content_block_stop', index: 0 }),
      named({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 9 } }),
      named({ type: 'message_stop' }),
    ],
    delta: (_model, text) => named({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }),
    inband: (key) => named({ type: 'error', error: { type: 'overloaded_error', message: `overloaded, key ${key}` } }),
    echoes: (key) => [['chat-style {"error"}', data({ error: { message: `Incorrect API key provided: ${key}`, type: 'invalid_request_error' } })], ['event: response.failed', named({ type: 'response.failed', message: `Bearer ${key} revoked` })]],
  },
  responses: {
    json: (model) => ({ id: 'resp_soak', object: 'response', created_at: CREATED, status: 'completed', model, output: [{ type: 'message', id: 'msg_soak', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: ANSWER, annotations: [] }] }], usage: { input_tokens: 12, output_tokens: 9, total_tokens: 21 } }),
    stream: (model) => {
      const response = { id: 'resp_soak', object: 'response', created_at: CREATED, status: 'in_progress', model, output: [], usage: null };
      let n = 0;
      return [
        named({ type: 'response.created', response, sequence_number: n++ }),
        ...WORDS.map((w) => named({ type: 'response.output_text.delta', item_id: 'msg_soak', output_index: 0, content_index: 0, delta: w, sequence_number: n++ })),
        named({ type: 'response.completed', response: { ...response, status: 'completed', usage: { input_tokens: 12, output_tokens: 9, total_tokens: 21 } }, sequence_number: n++ }),
      ];
    },
    delta: (_model, text) => named({ type: 'response.output_text.delta', item_id: 'msg_soak', output_index: 0, content_index: 0, delta: text, sequence_number: 1 }),
    inband: (key) => named({ type: 'error', code: 'server_error', message: `stream failed for ${key}`, sequence_number: 2 }),
    echoes: (key) => [['chat-style {"error"}', data({ error: { message: `Incorrect API key provided: ${key}`, type: 'invalid_request_error' } })], ['event: response.failed', named({ type: 'response.failed', message: `Bearer ${key} revoked` })]],
  },
};
const API_OF = { 'chat/completions': 'chat', messages: 'messages', responses: 'responses' };

/**
 * @param {{ deployments: Record<string, keyof PROFILES>, random?: () => number }} o deployment name -> profile
 * @returns {Promise<{ port: number, hits: Map<string, Map<number, number>>, earlyHits: Map<string, Map<number, number>>, faults: Record<string, number>, echoes: Record<string, number>, keysSeen: Set<string>, close: () => Promise<void> }>}
 */
export function startChaosUpstream({ deployments, random = Math.random }) {
  const hits = new Map(); // deployment -> minute -> calls
  const earlyHits = new Map(); // deployment -> minute -> calls in its first second (picked, maybe, in the minute before)
  const faults = {};
  const echoes = {}; // shape of a key echo -> count
  const keysSeen = new Set();
  const sockets = new Set();
  const server = http.createServer(async (req, res) => {
    const [, name, route] = /^\/(\w+)\/v1\/(chat\/completions|messages|responses)$/.exec(req.url ?? '') ?? [];
    const profile = PROFILES[deployments[name]];
    const api = APIS[API_OF[route]];
    if (req.method !== 'POST' || !profile) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end('{"error":{"message":"no such route","type":"invalid_request_error","param":null,"code":null}}');
    }
    const minute = Math.floor(Date.now() / 60_000);
    const perMinute = hits.get(name) ?? new Map();
    perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
    hits.set(name, perMinute);
    if (Date.now() % 60_000 < 1000) {
      const early = earlyHits.get(name) ?? new Map();
      early.set(minute, (early.get(minute) ?? 0) + 1);
      earlyHits.set(name, early);
    }
    const key = req.headers['x-api-key'] ?? (req.headers.authorization ?? '').replace(/^Bearer /, '');
    keysSeen.add(key);
    let text = '';
    for await (const part of req) text += part;
    let body = {};
    try {
      body = JSON.parse(text);
    } catch {}
    const model = String(body.model ?? 'soak');
    const stream = body.stream === true;
    const kind = pick(profile, random);
    faults[kind] = (faults[kind] ?? 0) + 1;
    const json = (status, value, headers = {}) => {
      const s = JSON.stringify(value);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s), ...headers });
      res.end(s);
    };
    switch (kind) {
      case 'e500':
        // Upstreams echo the key they were given in auth-ish errors: the gateway must never pass it on.
        return json(500, { error: { message: `Internal error for key ${key} (Bearer ${key})`, type: 'server_error', param: null, code: null } });
      case 'e429':
        return json(429, { error: { message: 'Rate limit reached, retry later', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' } }, { 'retry-after': '1' });
      case 'timeout':
        return; // never answers; the gateway's timeout ends it
      case 'reset':
        return req.socket.destroy();
      case 'garbage':
        if (stream) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(api.stream(model)[0]);
          return res.end('data: {not json at all\n\ndata: \u0000\u00ff garbage\n\n');
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('<html>502 Bad Gateway</html>\u0000\u00ff');
      case 'inband':
        if (!stream) return json(500, { error: { message: `upstream overloaded, key ${key}`, type: 'server_error', param: null, code: null } });
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const e of api.stream(model).slice(0, 2)) res.write(e);
        return res.end(api.inband(key));
      default:
        break;
    }
    const slow = kind === 'slow';
    if (!stream) {
      if (slow) await wait(200 + random() * 800);
      return json(200, api.json(model)); // an echo is a stream's fault: a non-stream answer is the plain one
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const events = api.stream(model);
    if (kind === 'echo') {
      const shapes = [...api.echoes(key), ['in content', api.delta(model, `your key is ${key} `)]];
      const [label, shape] = shapes[Math.floor(random() * shapes.length)];
      const what = `${API_OF[route]}, ${label}`;
      echoes[what] = (echoes[what] ?? 0) + 1;
      events.splice(random() < 0.2 ? 0 : 2, 0, shape);
    }
    for (const [i, e] of events.entries()) {
      if (res.destroyed) return;
      if (kind === 'drop' && i === 3) return req.socket.destroy(); // cut mid-stream
      res.write(e);
      if (slow) await wait(100 + random() * 400);
    }
    res.end();
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: server.address().port,
        hits,
        earlyHits,
        faults,
        echoes,
        keysSeen,
        close: () =>
          new Promise((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      }),
    ),
  );
}
