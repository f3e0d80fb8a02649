// npm run bench:relay-shapes: the ways a Worker can hand an upstream's stream to its client, nothing else
// (no routing, no checks), one per path. What each costs on workerd is the floor of a gateway built that way.
import { relayInJs } from './floor-worker.js';
export default {
  async fetch(request, env, ctx) {
    const shape = new URL(request.url).pathname.slice(1);
    const upstream = await fetch(`${env.UPSTREAM}/v1/chat/completions`, { method: 'POST', headers: request.headers, body: request.body });
    const headers = upstream.headers;
    switch (shape) {
      case 'pass': // the runtime pipes the body: the pass-through floor
        return upstream;
      case 'pull': // a JavaScript ReadableStream, one read and one enqueue a chunk: the relay's shape (the JS floor's)
        return new Response(relayInJs(upstream.body), { headers });
      case 'transform': // a JavaScript TransformStream
        return new Response(upstream.body.pipeThrough(new TransformStream({ transform: (chunk, c) => c.enqueue(chunk) })), { headers });
      case 'writer': { // a native IdentityTransformStream, written from JavaScript chunk by chunk
        const { readable, writable } = new IdentityTransformStream();
        const w = writable.getWriter();
        const reader = upstream.body.getReader();
        ctx.waitUntil(
          (async () => {
            for (;;) {
              const { done, value } = await reader.read();
              if (done) break;
              await w.write(value);
            }
            await w.close();
          })(),
        );
        return new Response(readable, { headers });
      }
      case 'tee': { // the client gets one branch unchecked; JavaScript reads the other in waitUntil
        const [client, watched] = upstream.body.tee();
        ctx.waitUntil(
          (async () => {
            const r = watched.getReader();
            while (!(await r.read()).done);
          })(),
        );
        return new Response(client, { headers });
      }
      case 'pipe': { // native pipeTo into an IdentityTransformStream: no JavaScript per chunk, nothing checked
        const { readable, writable } = new IdentityTransformStream();
        ctx.waitUntil(upstream.body.pipeTo(writable));
        return new Response(readable, { headers });
      }
      default:
        return new Response('unknown shape', { status: 404 });
    }
  },
};
