// The official OpenAI SDK pointed at a test gateway: what a user's client does, end to end.
import OpenAI from 'openai';
import type { TestGateway } from './gateway';

export function sdkFor(gw: TestGateway): OpenAI {
  return new OpenAI({
    apiKey: 'sk-client',
    baseURL: 'http://gateway.test/v1',
    maxRetries: 0,
    fetch: async (url, init) => {
      const u = new URL(String(url));
      return gw.request(u.pathname + u.search, { method: init?.method, headers: init?.headers, body: init?.body as string });
    },
  });
}
