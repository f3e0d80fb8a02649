// Builds the gateway app over a given YAML config and fake upstream, and calls it like a client would.
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { createApp } from '../../src/app';
import type { Env } from '../../src/env';
import type { GatewayOptions } from '../../src/gateway';
import { parseConfigYaml } from '../../src/config/yaml';
import { companionStub, withKeyManagement } from '../spend/helpers';
import { FakeUpstream } from './fake-upstream';

export interface TestGateway {
  upstream: FakeUpstream;
  app: ReturnType<typeof createApp>;
  /** Sends a request and waits for its waitUntil work (state reports, cache writes, callbacks). */
  request(path: string, init?: RequestInit & { json?: unknown }, extraEnv?: Partial<Env>): Promise<Response>;
  chat(body: Record<string, unknown>, headers?: Record<string, string>): Promise<Response>;
  /** Waits for the waitUntil work of every request so far (a stream queues its own once read to the end). */
  settle(): Promise<void>;
}

/**
 * A gateway over `configText` as a client calls it. Key management and the guardrail services are the companion
 * Worker's: unless `baseEnv` says otherwise, COMPANION is the companion's code in the test's isolate over the
 * gateway's own KEYS objects, state namespace, clock and fake upstream (and no spend log), so admin calls and
 * guardrail services behave as in one Worker. A COMPANION in `baseEnv`
 * (a spend test's) answers the rest; `COMPANION: undefined` leaves the gateway without one.
 */
export function testGateway(configText: string, options: Omit<GatewayOptions, 'configText'> = {}, baseEnv: Partial<Env> = {}): TestGateway {
  const upstream = new FakeUpstream();
  const contexts: ExecutionContext[] = [];
  const stateNamespace = options.stateNamespace ?? `${crypto.randomUUID()}:`;
  // Key management and the guardrail services (called on the fake upstream): no spend log here unless a test brings its own companion.
  const keys = companionStub({ KEYS: 'KEYS' in baseEnv ? baseEnv.KEYS : env.KEYS, SPEND_DB: undefined }, { stateNamespace, now: options.now, fetch: upstream.fetch }).COMPANION;
  const companion = 'COMPANION' in baseEnv ? baseEnv.COMPANION && withKeyManagement(baseEnv.COMPANION, keys) : keys;
  baseEnv = { ...baseEnv, COMPANION: companion };
  // Configs in tests are YAML, as users write them: the test reads them as an embedder would (the Worker takes JSON).
  // A short metrics window: each request's bookkeeping is awaited, and the deployed 1 s would add up.
  const app = createApp({ fetch: upstream.fetch, parseConfig: parseConfigYaml, metricsFlushMs: 50, ...options, stateNamespace, configText });
  const gw: TestGateway = {
    upstream,
    app,
    async request(path, init = {}, extraEnv = {}) {
      const { json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (json !== undefined) headers.set('content-type', 'application/json');
      const ctx = createExecutionContext();
      contexts.push(ctx);
      const res = await app.fetch(
        new Request(`http://gateway.test${path}`, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body }),
        { ...env, ...baseEnv, ...extraEnv } as Env,
        ctx,
      );
      // Streams settle their bookkeeping when read; a non-stream response's work is already queued.
      if (!res.headers.get('content-type')?.includes('event-stream')) await waitOnExecutionContext(ctx);
      return res;
    },
    chat(body, headers = {}) {
      return gw.request('/v1/chat/completions', { method: 'POST', json: body, headers });
    },
    async settle() {
      await Promise.all(contexts.map((ctx) => waitOnExecutionContext(ctx)));
    },
  };
  return gw;
}

export const user = (content = 'Hello') => [{ role: 'user', content }];

/** Reads an SSE response into its data payloads (parsed JSON, or the raw string such as [DONE]). */
export async function readEvents(res: Response): Promise<any[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((b) => b.startsWith('data: '))
    .map((b) => b.slice(6))
    .map((d) => (d === '[DONE]' ? d : JSON.parse(d)));
}

/**
 * A clock that runs in real time but starts one second into a minute, so a test that reads per-minute
 * counters (rpm used, the dashboard's minutes) never straddles a minute boundary however slow the machine.
 */
export function minuteAlignedClock(): () => number {
  const realStart = Date.now();
  const base = Math.floor(realStart / 60_000) * 60_000 + 1_000;
  return () => base + (Date.now() - realStart);
}
