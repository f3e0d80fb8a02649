// A SPEND_QUEUE that hands each message to the Worker's real queue handler at once (the consumer, into the
// test's D1), so a test reads its rows as soon as the request's waitUntil work is done.
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import type { Env } from '../../src/env';
import { queueHandler } from '../../src/queue';
import type { SpendEntry } from '../../src/spend/entry';

export interface DeliveringQueue extends Queue<string> {
  /** Messages sent, each with the entries it carried. */
  sent: SpendEntry[][];
}

export function deliveringQueue(baseEnv: Partial<Env> = {}): DeliveringQueue {
  const handle = queueHandler();
  let id = 0;
  const q = {
    sent: [] as SpendEntry[][],
    async send(text: string) {
      const body = JSON.parse(text) as SpendEntry[];
      q.sent.push(body);
      const batch = createMessageBatch<string>('edge-llm-router-spend', [{ id: String(id++), timestamp: Date.now(), attempts: 1, body: text }]);
      const ctx = createExecutionContext();
      await handle(batch, { ...env, ...baseEnv } as Env);
      const result = await getQueueResult(batch, ctx);
      if (!result.ackAll) throw new Error(`spend batch not acknowledged: ${JSON.stringify(result)}`);
    },
    async sendBatch() {
      throw new Error('not used');
    },
  };
  return q as unknown as DeliveringQueue;
}
