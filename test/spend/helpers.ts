// The companion Worker in the test's isolate: a SPEND_QUEUE that hands each message to the companion's queue
// handler at once (rows into the test's D1, spans to the test's collector), and a COMPANION service binding to its
// fetch handler, so a test reads its rows as soon as the request's waitUntil work is done. test/spend/
// companion-worker.test.ts runs the built companion as its own Worker, behind real bindings.
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { companion } from '../../src/companion/index';
import type { ConsumerDeps } from '../../src/companion/consume';
import type { KeyAdminDeps } from '../../src/companion/keys';
import type { GuardrailDeps } from '../../src/companion/guardrails/routes';
import { ADMIN_ROUTES } from '../../src/keys/admin-routes';
import type { Envelope } from '../../src/spend/entry';

export interface CompanionStub {
  SPEND_QUEUE: Queue<string>;
  COMPANION: Fetcher;
  /** The envelopes sent, in order. */
  sent: Envelope[];
}

/**
 * companionEnv: the companion's own vars (OTEL_*) and bindings over the runner's (SPEND_DB, METRICS, KEYS); deps:
 * its outbound fetch (the collector, the guardrail services), clock, timeout, and the state namespace of the gateway
 * whose keys it manages.
 */
export function companionStub(companionEnv: Record<string, unknown> = {}, deps: ConsumerDeps & KeyAdminDeps & GuardrailDeps = {}): CompanionStub {
  const cenv = { SPEND_DB: (env as { SPEND_DB?: D1Database }).SPEND_DB, METRICS: env.METRICS, KEYS: env.KEYS, ...companionEnv };
  const worker = companion(deps);
  let id = 0;
  const sent: Envelope[] = [];
  const queue = {
    async send(text: string) {
      sent.push(JSON.parse(text));
      const batch = createMessageBatch<string>('edge-llm-router-spend', [{ id: String(id++), timestamp: new Date(), attempts: 1, body: text }]);
      const ctx = createExecutionContext();
      await worker.queue(batch, cenv);
      const result = await getQueueResult(batch, ctx);
      if (!result.ackAll) throw new Error(`spend batch not acknowledged: ${JSON.stringify(result)}`);
    },
    async sendBatch() {
      throw new Error('not used');
    },
  };
  const fetcher = { fetch: (input: RequestInfo | URL, init?: RequestInit) => worker.fetch(new Request(input, init), cenv) };
  return { SPEND_QUEUE: queue as unknown as Queue<string>, COMPANION: fetcher as unknown as Fetcher, sent };
}

/** Key management's paths, as a URL's pathname is matched against ADMIN_ROUTES. */
const ADMIN_PATH = new RegExp(`^(${ADMIN_ROUTES.map((r) => r.replace(/\*$/, '.*')).join('|')})$`);

/**
 * A companion that answers key management with `keys` (the stub over a test gateway's own objects and clock) and
 * everything else with `rest` (a test's own stub, or the built companion Worker).
 */
export function withKeyManagement(rest: Fetcher, keys: Fetcher): Fetcher {
  const fetch = (input: RequestInfo | URL, init?: RequestInit) => (ADMIN_PATH.test(new URL(input instanceof Request ? input.url : input).pathname) ? keys : rest).fetch(input, init);
  return { fetch } as unknown as Fetcher;
}
