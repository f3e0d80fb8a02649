// Simulated distance to the gateway's Durable Objects (routing state, virtual keys), for the bench
// (`npm run bench -- --state-rtt-ms 100`) and tests only: every call to a stub waits half the round-trip
// time on the way there and half on the way back, as a far region's isolate would. Production never sets
// STATE_RTT_MS.

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function withDistance<N>(namespace: N, rttMs: number): N {
  if (!(rttMs > 0)) return namespace;
  const ns = namespace as unknown as { idFromName(name: string): DurableObjectId; get(id: DurableObjectId): unknown };
  const half = rttMs / 2;
  const far = {
    idFromName: (name: string) => ns.idFromName(name),
    get(id: DurableObjectId) {
      const stub = ns.get(id) as unknown as Record<string | symbol, (...args: unknown[]) => Promise<unknown>>;
      return new Proxy(stub, {
        get: (target, prop) => {
          if (prop === 'then') return undefined; // a stub is not a promise
          return async (...args: unknown[]) => {
            await wait(half);
            const result = await target[prop](...args);
            await wait(half);
            return result;
          };
        },
      });
    },
  };
  return far as unknown as N;
}
