// The soak's upstream: OpenAI-shaped on 127.0.0.1, one path prefix per deployment (/d1/v1, /d2/v1, ...), each
// with its own fault mix. Faults: 5xx (echoing the caller's key, as real upstreams do in auth errors), 429
// with Retry-After, a timeout (never answers), a reset before the answer, a stream cut mid-way, slow chunks,
// garbage bytes (a 200 whose body is not JSON, a stream whose data lines are not JSON), an in-band error event.
// Counts every call per deployment per UTC minute, to hold against each deployment's rpm.
import http from 'node:http';

/** The kinds of answer, and their weights per deployment profile. */
export const PROFILES = {
  steady: { ok: 90, e500: 3, e429: 2, slow: 5 },
  flaky: { ok: 55, e500: 12, e429: 10, reset: 6, drop: 6, garbage: 4, inband: 4, timeout: 3 },
  slow: { ok: 60, slow: 25, timeout: 5, drop: 5, e500: 5 },
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

/**
 * @param {{ deployments: Record<string, keyof PROFILES>, random?: () => number }} o deployment name -> profile
 * @returns {Promise<{ port: number, hits: Map<string, Map<number, number>>, earlyHits: Map<string, Map<number, number>>, faults: Record<string, number>, keysSeen: Set<string>, close: () => Promise<void> }>}
 */
export function startChaosUpstream({ deployments, random = Math.random }) {
  const hits = new Map(); // deployment -> minute -> calls
  const earlyHits = new Map(); // deployment -> minute -> calls in its first second (picked, maybe, in the minute before)
  const faults = {};
  const keysSeen = new Set();
  const sockets = new Set();
  const server = http.createServer(async (req, res) => {
    const [, name] = /^\/(\w+)\/v1\/chat\/completions$/.exec(req.url ?? '') ?? [];
    const profile = PROFILES[deployments[name]];
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
    const key = (req.headers.authorization ?? '').replace(/^Bearer /, '');
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
          res.write(chunk(model, { role: 'assistant', content: '' }));
          return res.end('data: {not json at all\n\ndata: \u0000\u00ff garbage\n\n');
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('<html>502 Bad Gateway</html>\u0000\u00ff');
      case 'inband':
        if (!stream) return json(500, { error: { message: `upstream overloaded, key ${key}`, type: 'server_error', param: null, code: null } });
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(chunk(model, { role: 'assistant', content: '' }));
        res.write(chunk(model, { content: 'partial ' }));
        return res.end(`data: ${JSON.stringify({ error: { message: `stream failed: Bearer ${key} revoked`, type: 'server_error', param: null, code: null } })}\n\n`);
      default:
        break;
    }
    const slow = kind === 'slow';
    if (!stream) {
      if (slow) await wait(200 + random() * 800);
      return json(200, {
        id: 'chatcmpl-soak',
        object: 'chat.completion',
        created: CREATED,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: 'A fixed answer from the soak upstream.' }, finish_reason: 'stop', logprobs: null }],
        usage: USAGE,
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const events = [chunk(model, { role: 'assistant', content: '' })];
    for (let i = 0; i < 6; i++) events.push(chunk(model, { content: `word${i} ` }));
    events.push(chunk(model, {}, 'stop'), chunk(model, {}, null, { choices: [], usage: USAGE }), 'data: [DONE]\n\n');
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
