// The relay's stage contract. The relay (relay.ts) reads the upstream, frames its bytes into whole events
// (framing.ts), and hands them through its stages in order, the last one writing to the client:
//   watch (watch.ts: the stream's dialect books usage, sees the clean end, finds in-band errors, drops what the
//   client did not ask for) → scrub (scrub.ts: no secret value leaves, in any form) → the client.
// Beside the events, the relay's one timer (utils/deadline.ts) ends an idle upstream and beats a heartbeat
// (heartbeat.ts) into the client's stream while the upstream is silent. A new concern is a new stage here.
import type { RouterError } from '../router/errors';

/** Passes events on toward the client; an error returned ends the stream there (what went before is out). */
export type Send = (events: Uint8Array) => RouterError | undefined;

/**
 * One step between the upstream and the client. `take` gets one or more whole events as bytes (never a partial
 * one), in the upstream's order, and `send`s what the client is to get: the same bytes (uncopied, the common
 * case), fewer, or others. It returns an error instead of an event to end the stream (a failure after the first
 * byte becomes an error event in the client's format; before it, the attempt fails unseen and may be retried).
 * Stages run synchronously per read: one that holds events back (a window) keeps them and sends them later.
 */
export interface Stage {
  take(events: Uint8Array, send: Send): RouterError | undefined;
}

/** The stages in order, ending at `sink`, as one Send. */
export function pipeline(stages: Stage[], sink: Send): Send {
  return stages.reduceRight<Send>((next, stage) => (events) => stage.take(events, next), sink);
}
