// What an internal user's settings mean for its keys: a key generated for a user stays within the user's models
// (LiteLLM checks a user's models on each request; here the key carries them, checked when it is generated).
import type { Context } from 'hono';
import { badRequest } from '../../router/errors';
import type { KeyedEnv } from '../auth';
import { modelAllowed } from '../policy';

export async function userModels(c: Context<KeyedEnv>, userId: string, keyModels: string[]): Promise<string[]> {
  const user = await c.var.gateway.keys?.users()?.get(userId);
  if (!user || user.models.length === 0) return keyModels;
  if (keyModels.length === 0) return user.models;
  const outside = keyModels.filter((m) => !modelAllowed(user.models, m, undefined));
  if (outside.length > 0) throw badRequest(`Model(s) ${outside.join(', ')} not in user ${userId}'s models: ${user.models.join(', ')}`, 'models', 'invalid_field');
  return keyModels;
}
