// least-busy: fewest requests in flight (counted across isolates in the Durable Object).
import { lowest } from './lowest';
import type { Strategy } from './types';

export const leastBusy: Strategy = (candidates, ctx) => lowest(candidates, ctx.random, (c) => ctx.stats(c.id).inFlight);
