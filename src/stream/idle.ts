// The idle deadline: the longest wait for the upstream's first chunk, then between chunks. The attempt's timer is
// taken over (one timer from the request to the stream's end), or the relay starts one of its own.
import { RouterError } from '../router/errors';
import { Deadline } from '../utils/deadline';

/** A Deadline that, once `ms` of one wait passed, aborts the upstream (`abort`) and cancels its reader. */
export function idleDeadline(ms: number, reader: ReadableStreamDefaultReader<Uint8Array>, abort: (reason: RouterError) => void, taken?: Deadline): Deadline {
  const onIdle = () => {
    const e = new RouterError('Timeout', `Upstream stream sent nothing for ${Math.round(ms / 1000)}s`, { code: 'stream_timeout' });
    abort(e);
    reader.cancel(e).catch(() => {});
    return e;
  };
  return taken ? taken.handOver(ms, onIdle) : new Deadline(ms, onIdle);
}

/** Reads once under the deadline: once it fired, a read ends (or fails, as the upstream aborts) with the timeout. */
export function readWithin(reader: ReadableStreamDefaultReader<Uint8Array>, idle: Deadline): Promise<ReadableStreamReadResult<Uint8Array>> {
  idle.waiting(true);
  return reader.read().then(
    (r) => {
      if (idle.fired) throw idle.fired;
      idle.waiting(false);
      return r;
    },
    (e: unknown) => {
      throw idle.fired ?? e;
    },
  );
}
