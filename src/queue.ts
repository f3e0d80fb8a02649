// The Worker's queue handler: SPEND_QUEUE's batches of spend log rows, into SPEND_DB (src/spend/consumer.ts).
import type { Env } from './env';
import type { GatewayOptions } from './gateway';
import { gatewayFor } from './gateway';
import { consumeSpendBatch } from './spend/consumer';
import { logLine } from './security/scrub';

export function queueHandler(options: GatewayOptions = {}) {
  return async (batch: MessageBatch<unknown>, env: Env): Promise<void> => {
    const gateway = gatewayFor(env, options);
    if (!env.SPEND_DB) {
      logLine('error', { msg: 'spend log batch with no SPEND_DB binding: dropped', queue: batch.queue, messages: batch.messages.length });
      return batch.ackAll();
    }
    // A broken config still has rows worth keeping: they are written with the default retention.
    const retentionMs = gateway.ok && gateway.observability.spend ? gateway.observability.spend.retentionMs : 30 * 86_400_000;
    const loss = gateway.ok ? gateway.observability.loss : undefined;
    await consumeSpendBatch(batch as MessageBatch<string>, env.SPEND_DB, retentionMs, loss);
  };
}
