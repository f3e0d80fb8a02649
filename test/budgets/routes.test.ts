// Every route books what its admission holds: a forwarded call (rerank here) gives back a key's parallel slot
// and books its cost on the key and on the request's tag, as chat does.
import { describe, expect, it } from 'vitest';
import { budgetGateway, MASTER } from './helpers';

const CONFIG = `
model_list:
  - { model_name: cohere-rerank, litellm_params: { model: cohere/rerank-v3.5, api_key: co-key-123456 }, model_info: { mode: rerank, input_cost_per_query: 0.002 } }
general_settings:
  master_key: ${MASTER}
`;
const RERANK = { model: 'cohere-rerank', query: 'capital of France?', documents: ['Berlin', 'Paris'] };
const answer = { id: 'rr-1', results: [{ index: 1, relevance_score: 0.9 }], meta: { billed_units: { search_units: 1 } } };

describe('budgets on forwarded routes', () => {
  it('a rerank call frees its key slot and books its cost on the key and its tag', async () => {
    const gw = budgetGateway(CONFIG);
    gw.upstream.on('/rerank', { json: answer });
    await gw.admin('/tag/new', { name: 'search', max_budget: 1 });
    const { key } = await (await gw.admin('/key/generate', { max_parallel_requests: 1 })).json<any>();
    for (let i = 0; i < 3; i++) {
      const res = await gw.request('/v1/rerank', { method: 'POST', json: { ...RERANK, tags: ['search'] }, headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
    }
    expect((await (await gw.admin(`/key/info?key=${key}`)).json<any>()).info.spend).toBeCloseTo(0.006, 12);
    expect((await (await gw.admin('/tag/info', { names: ['search'] })).json<any>()).search.spend).toBeCloseTo(0.006, 12);
  });
});
