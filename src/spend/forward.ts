// LiteLLM's spend endpoints, answered by the companion Worker (src/companion/) over its service binding: the
// gateway has authenticated the caller and passes its scope, all rows (the master key) or one key's hash.
import type { Context } from 'hono';
import type { KeyedEnv } from '../keys/auth';
import { forwardToCompanion } from '../http/companion';

export const SPEND_ROUTES = ['/spend/logs', '/spend/logs/v2', '/global/spend/report', '/global/spend/models', '/spend/tags'];

export const spendForward = (c: Context<KeyedEnv>) => forwardToCompanion(c, 'Spend logs need the companion Worker (npm run deploy)');
