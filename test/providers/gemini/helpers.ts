// A Gemini deployment for unit tests of the translation (no Router around it).
import { gemini } from '../../../src/providers/gemini';
import type { Deployment } from '../../../src/router/deployment';

export const deployment = (model = 'gemini-2.0-flash'): Deployment => ({
  id: 'gem-1',
  group: 'g',
  provider: gemini,
  upstreamModel: model,
  params: { model: `gemini/${model}`, api_key: 'AIza-test-key-123456' },
  info: {},
  apiBase: 'https://generativelanguage.googleapis.com',
});
