// The price table is an asset read once per isolate: an isolate's first requests wait for that one read, so none
// is priced without it. This file runs in an isolate of its own, with nothing read before its first test.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { parseConfigYaml } from '../../src/config/yaml';
import { gatewayFor } from '../../src/gateway';
import { testGateway, user } from '../helpers/gateway';

const config = `
model_list:
  - { model_name: m, litellm_params: { model: openai/gpt-4o, api_key: sk-test-123456, api_base: "https://openai.test/v1" } }
`;
// The fake upstream reports 10 prompt and 5 completion tokens; gpt-4o costs $2.5 in and $10 out per million.
const GPT_4O_COST = 10 * 2.5e-6 + 5 * 10e-6;

/** The real ASSETS binding, counting the reads of the price table (or failing them, when told to). */
function assets(fail = false) {
  const reads: string[] = [];
  const binding = {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      const path = new URL(input instanceof Request ? input.url : input).pathname;
      reads.push(path);
      return fail ? Promise.resolve(new Response('gone', { status: 404 })) : env.ASSETS!.fetch(input, init);
    },
  } as Fetcher;
  return { binding, reads };
}

describe("an isolate's first requests", () => {
  it('get no gateway built without the table: gatewayFor (the app, a queue handler) gives the promise of one', async () => {
    const broken = assets(true);
    const ready = gatewayFor({ ...env, ASSETS: broken.binding }, { configText: config, parseConfig: parseConfigYaml });
    expect(ready).toBeInstanceOf(Promise);
    await expect(ready).rejects.toThrow('the price table (public/prices.json) could not be read from the ASSETS binding: 404');
  });

  it('answer 500 while the table cannot be read, and the next request reads it again', async () => {
    const broken = assets(true);
    const res = await testGateway(config, {}, { ASSETS: broken.binding }).chat({ model: 'm', messages: user() });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: { type: 'api_error', message: 'Internal error in the gateway' } });
    expect(broken.reads).toEqual(['/prices.json', '/guardrails.json']);
  });

  it('arriving together, are all priced by the table; once it is read, no request reads it again', async () => {
    const counted = assets();
    const gw = testGateway(config, {}, { ASSETS: counted.binding });
    const answers = await Promise.all([1, 2, 3].map(() => gw.chat({ model: 'm', messages: user() })));
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(Number(res.headers.get('x-litellm-response-cost'))).toBeCloseTo(GPT_4O_COST, 12);
    }
    // Each of those read it (only a table already read is shared between requests, never a read in flight).
    const reads = counted.reads.length;
    expect(reads).toBeGreaterThan(0);
    const later = await testGateway(config, {}, { ASSETS: counted.binding }).chat({ model: 'm', messages: user() });
    expect(Number(later.headers.get('x-litellm-response-cost'))).toBeCloseTo(GPT_4O_COST, 12);
    expect(counted.reads).toHaveLength(reads);
  });
});
