// litellm_params.order (RT02) and tag routing (enable_tag_filtering), through the HTTP API.
import { describe, expect, it } from 'vitest';
import { chatCompletion, openAIError } from '../helpers/fake-upstream';
import { testGateway, user } from '../helpers/gateway';

const clock = () => {
  let t = Math.floor(Date.now() / 60_000) * 60_000 + 1000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

describe('order', () => {
  const config = (strategy: string) => `
model_list:
  - { model_name: m, litellm_params: { model: openai/x, api_key: k, api_base: https://backup.test/v1, order: 2 }, model_info: { id: backup } }
  - { model_name: m, litellm_params: { model: openai/x, api_key: k, api_base: https://primary.test/v1, order: 1 }, model_info: { id: primary } }
  - { model_name: m, litellm_params: { model: openai/x, api_key: k, api_base: https://unordered.test/v1 }, model_info: { id: unordered } }
router_settings:
  routing_strategy: ${strategy}
`;

  for (const strategy of ['simple-shuffle', 'least-busy', 'latency-based-routing', 'usage-based-routing-v2', 'cost-based-routing']) {
    it(`RT02: the lowest order serves while it is healthy, order 2 only while it cools (${strategy})`, async () => {
      const c = clock();
      const gw = testGateway(config(strategy), { now: c.now, sleep: async () => {} });
      const ok = { json: chatCompletion('hi') };
      gw.upstream.on('primary.test', ok, ok, ok, ok, openAIError(429, 'Rate limit reached', 'rate_limit_exceeded', 'requests'), ok);
      for (let i = 0; i < 4; i++) expect((await gw.chat({ model: 'm', messages: user() })).headers.get('x-litellm-model-id')).toBe('primary');
      // 429 cools the primary at once (group of 3), the retry goes to order 2
      const res = await gw.chat({ model: 'm', messages: user() });
      expect(res.headers.get('x-litellm-model-id')).toBe('backup');
      expect(res.headers.get('x-litellm-attempted-retries')).toBe('1');
      expect((await gw.chat({ model: 'm', messages: user() })).headers.get('x-litellm-model-id')).toBe('backup');
      // after the 5 s default cooldown the primary is back
      c.advance(6_000);
      expect((await gw.chat({ model: 'm', messages: user() })).headers.get('x-litellm-model-id')).toBe('primary');
      expect(gw.upstream.callsTo('unordered.test')).toHaveLength(0);
    });
  }
});

describe('tag routing', () => {
  const config = (filtering = true, withDefault = true) => `
model_list:
  - { model_name: m, litellm_params: { model: openai/x, api_key: k, api_base: https://eu.test/v1, tags: [eu] }, model_info: { id: eu } }
  - { model_name: m, litellm_params: { model: openai/x, api_key: k, api_base: https://us.test/v1, tags: [us, paid] }, model_info: { id: us } }
${withDefault ? '  - { model_name: m, litellm_params: { model: openai/x, api_key: k, api_base: https://any.test/v1, tags: [default] }, model_info: { id: any } }' : ''}
router_settings:
  enable_tag_filtering: ${filtering}
`;
  const served = async (gw: ReturnType<typeof testGateway>, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const ids = new Set<string>();
    // 16 random picks: every deployment allowed shows up (a miss has odds below 1e-4)
    for (let i = 0; i < 16; i++) ids.add((await gw.chat({ model: 'm', messages: user(), ...body }, headers)).headers.get('x-litellm-model-id')!);
    return [...ids].sort();
  };

  it('keeps tagged requests on deployments sharing a tag: body tags, metadata.tags, the x-litellm-tags header', async () => {
    const gw = testGateway(config());
    expect(await served(gw, { tags: ['eu'] })).toEqual(['eu']);
    expect(await served(gw, { metadata: { tags: ['paid'] } })).toEqual(['us']);
    expect(await served(gw, {}, { 'x-litellm-tags': 'eu, other' })).toEqual(['eu']);
    // tags are the gateway's: never sent upstream in the body's top level
    expect(gw.upstream.calls.every((c) => c.body.tags === undefined)).toBe(true);
  });

  it('untagged requests, and tags no deployment has, go to the `default` deployments', async () => {
    const gw = testGateway(config());
    expect(await served(gw, {})).toEqual(['any']);
    expect(await served(gw, { tags: ['nowhere'] })).toEqual(['any']);
  });

  it("tags matching nothing, with no default deployment: LiteLLM's 401, and no upstream call", async () => {
    const gw = testGateway(config(true, false));
    const res = await gw.chat({ model: 'm', messages: user(), tags: ['nowhere'] });
    expect(res.status).toBe(401);
    expect((await res.json<any>()).error.message).toMatch(/^Not allowed to access model due to tags configuration. Passed model=m and tags=\["nowhere"\]/);
    expect(gw.upstream.calls).toHaveLength(0);
    // untagged requests with no default deployment may use any
    expect(await served(gw, {})).toEqual(['eu', 'us']);
  });

  it('without enable_tag_filtering, tags do not steer', async () => {
    const gw = testGateway(config(false));
    expect((await served(gw, { tags: ['eu'] })).length).toBeGreaterThan(1);
  });

  it('a malformed tags value is a 400 naming it', async () => {
    const gw = testGateway(config());
    const res = await gw.chat({ model: 'm', messages: user(), tags: 'eu' });
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error.param).toBe('tags');
  });
});
