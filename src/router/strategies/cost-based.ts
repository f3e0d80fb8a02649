// cost-based-routing: the cheapest healthy deployment by model_info input + output cost per token.
// A deployment without known costs ranks after every priced one.
import { lowest } from './lowest';
import type { Strategy } from './types';

export const costBased: Strategy = (candidates, ctx) => lowest(candidates, ctx.random, (c) => c.cost ?? Number.MAX_VALUE);
