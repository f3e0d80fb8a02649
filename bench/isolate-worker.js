// npm run bench:isolate's Worker: calls the gateway's own fetch (the bundle beside it) `n` times in one request,
// sequentially, with the upstream answered in-process (a fixed OpenAI answer or stream): what the gateway's own
// code costs a request, with no network, no HTTP parsing and no load generator in the figure. Its Durable Objects
// are the companion's, beside it (bench/isolate.mjs).
import worker from './index.js';

const encoder = new TextEncoder();
const USAGE = { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 };
const ANSWER = JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created: 1700000000, model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'This is a fixed answer from the bench upstream.' }, finish_reason: 'stop', logprobs: null }],
  usage: USAGE, system_fingerprint: 'fp_bench',
});
const chunk = (delta, finish = null, extra = {}) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
const EVENTS = [chunk({ role: 'assistant', content: '' }), ...Array.from({ length: 8 }, (_, i) => chunk({ content: `word${i} ` })), chunk({}, 'stop'), chunk({}, null, { choices: [], usage: USAGE }), 'data: [DONE]\n\n'].map((e) => encoder.encode(e));

const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input.url;
  if (!url.startsWith('http://upstream.test/')) return realFetch(input, init);
  if (!JSON.parse(init.body).stream) return new Response(ANSWER, { headers: { 'content-type': 'application/json' } });
  let i = 0;
  const body = new ReadableStream({ pull: (c) => (i < EVENTS.length ? c.enqueue(EVENTS[i++]) : c.close()) });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
};

const QUEUE = { send: async (body) => void structuredClone(body) };

export default {
  async fetch(request, baseEnv) {
    // --observe: the companion's queue, whose send copies its message as a real one does (spend logs on; with
    // otel|both, callbacks: [otel] too, and --observe otel sets disable_spend_logs). The companion's work is not
    // the request's, so none here.
    const observe = baseEnv.BENCH_OBSERVE;
    const env = observe ? { ...baseEnv, SPEND_QUEUE: QUEUE } : baseEnv;
    const u = new URL(request.url);
    // Any other path is the gateway's own (the bench creates its virtual key through /key/generate).
    if (u.pathname !== '/') return worker.fetch(request, env, { waitUntil() {}, passThroughOnException() {} });
    const n = Number(u.searchParams.get('n') ?? 100);
    const body = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'Say something short.' }], ...(u.searchParams.get('stream') === '1' ? { stream: true } : {}) });
    const pending = [];
    const ctx = { waitUntil: (p) => pending.push(p), passThroughOnException() {} };
    for (let i = 0; i < n; i++) {
      const req = new Request('http://gateway.test/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${u.searchParams.get('key')}`, 'content-type': 'application/json', 'content-length': String(body.length) },
        body,
      });
      const res = await worker.fetch(req, env, ctx);
      const text = await res.text();
      if (res.status !== 200) return new Response(text, { status: 500 });
      // Every 64 requests, whatever number of waitUntil promises each made (more callbacks must not mean more waits).
      if (i % 64 === 63) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    return new Response('ok');
  },
};
