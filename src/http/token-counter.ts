// LiteLLM's /utils/token_counter: the prompt's token count for a model, as this gateway estimates it for tpm limits
// and budgets (about 4 characters a token; LiteLLM runs the model's tokenizer, which a Worker cannot carry).
import { Hono } from 'hono/tiny';
import { jsonBody } from './body';
import { badRequest, RouterError } from '../router/errors';
import { estimateTokens } from '../router/request';
import type { KeyedEnv } from '../keys/auth';
import { modelVisible } from '../keys/auth';

export const tokenCounterRoutes = new Hono<KeyedEnv>().post('/utils/token_counter', async (c) => {
  const body = jsonBody(c) as Record<string, unknown> | null;
  const model = body?.model;
  if (typeof model !== 'string' || model === '') throw badRequest('model: required', 'model', 'missing_field');
  const input = body?.messages ?? body?.prompt ?? body?.contents;
  if (input === undefined) throw badRequest('messages or prompt: required', 'messages', 'missing_field');
  if (!modelVisible(c)(model)) throw new RouterError('PermissionDeniedError', `This key may not use model ${model}`, { param: 'model', code: '403' });
  const { groups } = c.var.gateway.router;
  // As LiteLLM: the model the request would reach (a group's first deployment's), else the name as given.
  const used = groups.known(model) ? groups.deployments(groups.resolve(model))[0]?.upstreamModel : undefined;
  return c.json({ total_tokens: estimateTokens(input), request_model: model, model_used: used ?? model, tokenizer_type: 'estimate', original_response: null });
});
