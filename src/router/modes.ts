// model_info.mode, as LiteLLM uses it: which routes a deployment serves. A deployment without a mode serves any
// route its provider serves (LiteLLM assumes chat, and calls whatever the route asks for).
import type { Endpoint } from '../providers/provider';
import type { Deployment } from './deployment';
import { RouterError } from './errors';

export type Route = 'chat' | 'completions' | 'embeddings' | 'messages' | 'responses' | Endpoint | 'realtime';

/** The mode serving each route (or its first segment: images/*, audio/*); none: a text route (chat, completion, responses). */
const MODES: Record<string, string> = {
  embeddings: 'embedding',
  moderations: 'moderation',
  rerank: 'rerank',
  images: 'image_generation',
  'audio/speech': 'audio_speech',
  audio: 'audio_transcription',
  realtime: 'realtime',
};

export function servesMode(d: Deployment, route: Route): boolean {
  const mode = d.info.mode;
  const wanted = MODES[route] ?? MODES[route.split('/')[0]];
  return mode === undefined || (wanted ? mode === wanted : mode === 'chat' || mode === 'completion' || mode === 'responses');
}

/** A group none of whose deployments serves the route: the request's own fault, refused before any call. */
export function wrongRoute(group: string, route: Route, deployments: readonly Deployment[]): RouterError {
  const mode = deployments.find((d) => !servesMode(d, route))?.info.mode;
  const why = mode ? `it is a ${mode} model (model_info.mode)` : "no deployment's provider serves it";
  return new RouterError('BadRequestError', `Model group ${group} does not serve ${route === 'chat' ? 'chat/completions' : route}: ${why}`, {
    code: 'invalid_model_mode',
    param: 'model',
  });
}
