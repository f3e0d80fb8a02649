// model_info.mode, as LiteLLM uses it: which routes a deployment serves. A deployment without a mode serves any
// route its provider serves (LiteLLM assumes chat, and calls whatever the route asks for).
import type { Endpoint } from '../providers/provider';
import type { Deployment } from './deployment';
import { RouterError } from './errors';

export type Route = 'chat' | 'completions' | 'embeddings' | 'messages' | 'responses' | Endpoint | 'realtime';

const TEXT = ['chat', 'completion', 'responses'];
const AUDIO_IN = ['audio_transcription'];
const IMAGE = ['image_generation'];

/** The modes each route serves. */
const MODES: Record<Route, readonly string[]> = {
  chat: TEXT,
  completions: TEXT,
  messages: TEXT,
  responses: TEXT,
  embeddings: ['embedding'],
  moderations: ['moderation'],
  rerank: ['rerank'],
  'images/generations': IMAGE,
  'images/edits': IMAGE,
  'audio/transcriptions': AUDIO_IN,
  'audio/translations': AUDIO_IN,
  'audio/speech': ['audio_speech'],
  realtime: ['realtime'],
};

export const servesMode = (d: Deployment, route: Route) => d.info.mode === undefined || MODES[route].includes(d.info.mode);

/** A group none of whose deployments serves the route: the request's own fault, refused before any call. */
export function wrongRoute(group: string, route: Route, deployments: readonly Deployment[]): RouterError {
  const mode = deployments.find((d) => !servesMode(d, route))?.info.mode;
  const why = mode ? `it is a ${mode} model (model_info.mode)` : "no deployment's provider serves it";
  return new RouterError('BadRequestError', `Model group ${group} does not serve ${route === 'chat' ? 'chat/completions' : route}: ${why}`, {
    code: 'invalid_model_mode',
    param: 'model',
  });
}
