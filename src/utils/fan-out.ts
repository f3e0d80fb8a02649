// Calls that fan out from one request, a few at a time: a Worker request holds at most 6 outgoing connections
// open at once (Durable Object calls included), and the runtime queues any beyond that anyway.

/** A Worker request's simultaneous outgoing connections. */
export const MAX_CONNECTIONS = 6;

/** `call` for every item, at most `limit` in flight; the results in the items' order. The first failure fails all. */
export async function fanOut<T, R>(items: readonly T[], call: (item: T) => Promise<R>, limit = MAX_CONNECTIONS): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await call(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
