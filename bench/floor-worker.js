// The floor: a Worker on the same workerd that forwards every request to the bench upstream and does
// nothing else. What the gateway costs is what it adds above this.
//
// MODE "js" is the floor of a gateway that must see what it sends (the bench's second floor row): it reads a
// JSON answer into a string, parses it and answers it again, and relays a stream through a minimal JavaScript
// ReadableStream (one read and one enqueue a chunk, nothing checked). No gateway that books usage and checks
// each event before the client sees it can cost less than this on workerd.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const upstream = await fetch(env.UPSTREAM + url.pathname + url.search, request);
    if (env.MODE !== 'js') return upstream;
    const headers = { 'content-type': upstream.headers.get('content-type') ?? 'application/json' };
    if (!headers['content-type'].startsWith('text/event-stream')) {
      const text = await upstream.text();
      JSON.parse(text);
      return new Response(text, { status: upstream.status, headers });
    }
    const body = relayInJs(upstream.body);
    return new Response(body, { status: upstream.status, headers });
  },
};

/** A stream relayed through JavaScript with nothing else done: one read and one enqueue a chunk. */
export function relayInJs(upstream) {
  const reader = upstream.getReader();
  return new ReadableStream(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}
