// Enforcement at the edge: each limit refuses exactly at its boundary under concurrency, budgets stop within
// one request, spend is exact (streams too, abandoned ones included) and survives the object restarting.
import { env, evictDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { chatCompletion, chunk, streamOf } from '../helpers/fake-upstream';
import { minuteAlignedClock, user } from '../helpers/gateway';
import type { RequestLog } from '../../src/observability/events';
import { estimateTokens } from '../../src/router/request';
import { CALL_COST, keyGateway, manualClock, MASTER } from './helpers';

/** The admission estimate of one `user()` message (the Router's estimateTokens). */
const EST = estimateTokens(user());
const statuses = (rs: Response[]) => rs.map((r) => r.status).sort();
const count = (rs: Response[], status: number) => rs.filter((r) => r.status === status).length;

describe('rate limits', () => {
  it('rpm_limit: 10 admits exactly 10 of 50 parallel requests, the rest 429 with LiteLLM\'s message', async () => {
    const gw = keyGateway({ now: minuteAlignedClock() });
    const { key } = await gw.generate({ rpm_limit: 10 });
    const rs = await Promise.all(Array.from({ length: 50 }, () => gw.call(key)));
    expect(count(rs, 200)).toBe(10);
    expect(count(rs, 429)).toBe(40);
    const refused = await rs.find((r) => r.status === 429)!.json<any>();
    expect(refused.error.message).toMatch(/^LiteLLM Rate Limit Handler for rate limit type = key\. Crossed TPM \/ RPM \/ Max Parallel Request Limit\. current rpm: 10, rpm limit: 10/);
    expect(rs.find((r) => r.status === 429)!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(gw.upstream.calls).toHaveLength(10);
  });

  it('a refusal reaches the callbacks as a failure, with the key alias and team (metrics, logs, dashboard errors)', async () => {
    const failures: RequestLog[] = [];
    const gw = keyGateway({ now: minuteAlignedClock(), callbacks: [{ name: 'spy', onFailure: (log) => void failures.push(log) }] });
    await gw.admin('/team/new', { team_id: 'red', team_alias: 'Red team' });
    const { key, key_name } = await gw.generate({ key_alias: 'one-a-minute', team_id: 'red', rpm_limit: 1 });
    expect((await gw.call(key)).status).toBe(200);
    expect((await gw.call(key)).status).toBe(429);
    await gw.settle();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      model: 'gpt-4o',
      status: 429,
      errorClass: 'RateLimitError',
      attempts: 0,
      caller: { keyName: key_name, keyAlias: 'one-a-minute', teamId: 'red', teamAlias: 'Red team' },
    });
  });

  it('rpm resets with the minute, and the headers count down', async () => {
    const now = manualClock();
    const gw = keyGateway({ now });
    const { key } = await gw.generate({ rpm_limit: 2, tpm_limit: 1000 });
    const first = await gw.call(key);
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe('1000');
    expect(Number(first.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(1000);
    expect((await gw.call(key)).headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect((await gw.call(key)).status).toBe(429);
    now.advance(60_000);
    expect((await gw.call(key)).status).toBe(200);
  });

  it('tpm_limit counts each request\'s estimate at once and its real tokens after', async () => {
    const gw = keyGateway({ now: minuteAlignedClock() });
    // each request is estimated at EST tokens when admitted and uses 15 (10 prompt + 5 completion) in the end:
    // after 6 requests 90 are used, and 90 + EST is over 90 + EST - 1
    const { key } = await gw.generate({ tpm_limit: 90 + EST - 1 });
    const admitted: number[] = [];
    for (let i = 0; i < 10; i++) admitted.push((await gw.call(key)).status);
    expect(admitted.filter((s) => s === 200)).toHaveLength(6);
    expect(admitted.slice(6).every((s) => s === 429)).toBe(true);
  });

  it('tpm_limit holds under concurrency: parallel requests never take more than the limit in estimates', async () => {
    const gw = keyGateway({ now: minuteAlignedClock() });
    // answers come late, so no real token count corrects an estimate while the burst is admitted
    gw.upstream.on('/chat/completions', { json: chatCompletion('slow'), delayMs: 1_500 });
    const { key } = await gw.generate({ tpm_limit: EST * 7 });
    const rs = await Promise.all(Array.from({ length: 30 }, () => gw.call(key)));
    expect(count(rs, 200)).toBe(7);
  });

  it('max_parallel_requests: 3 of 12 at once go, and a slot frees when a request ends', async () => {
    const gw = keyGateway({ now: minuteAlignedClock() });
    // long enough that no slot frees while the burst is admitted, however slow the machine
    gw.upstream.on('/chat/completions', { json: chatCompletion('slow'), delayMs: 1_500 });
    const { key } = await gw.generate({ max_parallel_requests: 3 });
    const rs = await Promise.all(Array.from({ length: 12 }, () => gw.call(key)));
    expect(count(rs, 200)).toBe(3);
    expect(count(rs, 429)).toBe(9);
    expect((await gw.call(key)).status).toBe(200);
  });

  it("a team's rpm_limit is shared by its keys", async () => {
    const gw = keyGateway({ now: minuteAlignedClock() });
    await gw.admin('/team/new', { team_id: 'shared', rpm_limit: 6 });
    const a = await gw.generate({ team_id: 'shared' });
    const b = await gw.generate({ team_id: 'shared' });
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => gw.call(i % 2 ? a.key : b.key)));
    expect(count(rs, 200)).toBe(6);
    const refused = await rs.find((r) => r.status === 429)!.json<any>();
    expect(refused.error.message).toContain('rate limit type = team');
  });
});

describe('models', () => {
  it('403 for a model the key may not use; aliases resolve to their group first; wildcards match', async () => {
    const gw = keyGateway();
    const { key } = await gw.generate({ models: ['gpt-4o', 'emb*'] });
    expect((await gw.call(key, 'gpt-4o')).status).toBe(200);
    expect((await gw.call(key, 'gpt4')).status).toBe(200); // alias of gpt-4o
    const emb = await gw.request('/v1/embeddings', { method: 'POST', json: { model: 'embed', input: 'hi' }, headers: { authorization: `Bearer ${key}` } });
    expect(emb.status).toBe(200);
    const res = await gw.call(key, 'cheap');
    expect(res.status).toBe(403);
    expect((await res.json<any>()).error).toEqual({
      message: "key not allowed to access model. This key can only access models=['gpt-4o', 'emb*']. Tried to access cheap",
      type: 'key_model_access_denied',
      param: 'model',
      code: '403',
    });
    expect(gw.upstream.callsTo('/chat/completions')).toHaveLength(2);
  });

  it('/v1/models lists only what the key may call', async () => {
    const gw = keyGateway();
    const { key } = await gw.generate({ models: ['gpt-4o'] });
    const list = await (await gw.request('/v1/models', { headers: { authorization: `Bearer ${key}` } })).json<any>();
    expect(list.data.map((m: any) => m.id).sort()).toEqual(['gpt-4o', 'gpt4']);
    const all = await (await gw.request('/v1/models', { headers: { authorization: `Bearer ${MASTER}` } })).json<any>();
    expect(all.data).toHaveLength(4);
  });
});

describe('budgets and spend', () => {
  it('a $0.001 budget stops within one request of it, with 400 budget_exceeded', async () => {
    const gw = keyGateway();
    const { key, token_id } = await gw.generate({ key_alias: 'tiny', max_budget: 0.001 });
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await gw.call(key);
      seen.push(res.status);
      if (res.status !== 200) {
        const body = await res.json<any>();
        expect(body.error.type).toBe('budget_exceeded');
        expect(body.error.message).toMatch(/^Budget has been exceeded! Key=tiny \(sk-\.\.\.[\w-]{4}\) Current cost: 0\.001\d*, Max budget: 0\.001$/);
        break;
      }
    }
    // $0.0002 a call: five calls reach $0.001, the sixth is refused
    expect(seen).toEqual([200, 200, 200, 200, 200, 400]);
    const { info } = await gw.info(token_id);
    expect(info.spend).toBeCloseTo(0.001, 10);
    expect(info.spend).toBeLessThan(0.001 + CALL_COST);
  });

  it('holds under concurrency: requests in flight reserve what a request costs, so 30 at once stop at the budget', async () => {
    const gw = keyGateway();
    gw.upstream.on('/chat/completions', { json: chatCompletion('slow'), delayMs: 100 });
    const { key, token_id } = await gw.generate({ max_budget: 0.001 });
    expect((await gw.call(key)).status).toBe(200); // the first request tells the store what a request costs
    const rs = await Promise.all(Array.from({ length: 30 }, () => gw.call(key)));
    // $0.0002 booked, four more reserve $0.0008: the fifth would reach $0.001
    expect(count(rs, 200)).toBe(4);
    const refused = await rs.find((r) => r.status === 400)!.json<any>();
    expect(refused.error.message).toMatch(/Current cost: 0\.0002 \(\+0\.000\d+ in requests in flight\), Max budget: 0\.001$/);
    await gw.settle();
    expect((await gw.info(token_id)).info.spend).toBeCloseTo(0.001, 10);
    expect((await gw.call(key)).status).toBe(400);
  });

  it('adds exactly x-litellm-response-cost to the key and its team, and reports it in headers', async () => {
    const gw = keyGateway();
    await gw.admin('/team/new', { team_id: 'payers' });
    const { key, token_id } = await gw.generate({ team_id: 'payers', max_budget: 1 });
    let total = 0;
    for (let i = 0; i < 3; i++) {
      const res = await gw.call(key);
      expect(Number(res.headers.get('x-litellm-key-spend'))).toBeCloseTo(total, 12);
      expect(res.headers.get('x-litellm-key-max-budget')).toBe('1');
      total += Number(res.headers.get('x-litellm-response-cost'));
    }
    expect(total).toBeCloseTo(3 * CALL_COST, 12);
    expect((await gw.info(token_id)).info.spend).toBe(total);
    const team = await (await gw.admin('/team/info?team_id=payers')).json<any>();
    expect(team.team_info.spend).toBe(total);
  });

  it("a team's budget stops every key of the team", async () => {
    const gw = keyGateway();
    await gw.admin('/team/new', { team_id: 'small', max_budget: 0.0005 });
    const a = await gw.generate({ team_id: 'small' });
    const b = await gw.generate({ team_id: 'small' });
    expect((await gw.call(a.key)).status).toBe(200);
    expect((await gw.call(b.key)).status).toBe(200);
    expect((await gw.call(a.key)).status).toBe(200); // team at $0.0006 now
    const res = await gw.call(b.key);
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error.message).toMatch(/^Budget has been exceeded! Team=small Current cost: 0\.0006\d*, Max budget: 0\.0005$/);
  });

  it('spend goes back to zero each budget_duration', async () => {
    const now = manualClock();
    const gw = keyGateway({ now });
    const { key, token_id } = await gw.generate({ max_budget: 0.0003, budget_duration: '1h' });
    expect((await gw.call(key)).status).toBe(200);
    expect((await gw.call(key)).status).toBe(200);
    expect((await gw.call(key)).status).toBe(400);
    now.advance(3_600_000);
    expect((await gw.call(key)).status).toBe(200);
    expect((await gw.info(token_id)).info.spend).toBeCloseTo(CALL_COST, 12);
  });

  it("counts a stream's cost when it ends, and an abandoned stream's too", async () => {
    const gw = keyGateway();
    const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
    gw.upstream.on('/chat/completions', {
      stream: [...streamOf('Hello', ' world'), chunk(null, null, { choices: [], usage })],
    });
    const { key, token_id } = await gw.generate({});
    const res = await gw.call(key, 'gpt-4o', { stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    await res.text();
    await gw.settle();
    expect((await gw.info(token_id)).info.spend).toBeCloseTo(CALL_COST, 12);

    // A client that reads one chunk and leaves: the relay ends, the estimate is booked.
    gw.upstream.on('/chat/completions', { stream: streamOf('a', 'b', 'c', 'd', 'e'), chunkDelayMs: 50 });
    const left = await gw.call(key, 'gpt-4o', { stream: true });
    const reader = left.body!.getReader();
    await reader.read();
    await reader.cancel();
    await gw.settle();
    const after = (await gw.info(token_id)).info.spend;
    expect(after).toBeGreaterThan(CALL_COST);
  });

  it('spend and limits survive the object being evicted (they are in SQLite)', async () => {
    const ns = `${crypto.randomUUID()}:`;
    const now = minuteAlignedClock();
    const gw = keyGateway({ stateNamespace: ns, now });
    const { key, token_id } = await gw.generate({ rpm_limit: 5, max_budget: 1 });
    for (let i = 0; i < 3; i++) expect((await gw.call(key)).status).toBe(200);
    await evictDurableObject(env.KEYS!.get(env.KEYS!.idFromName(`${ns}keys`)));
    const fresh = keyGateway({ stateNamespace: ns, now });
    expect((await fresh.info(token_id)).info.spend).toBeCloseTo(3 * CALL_COST, 12);
    expect((await fresh.call(key)).status).toBe(200);
    expect((await fresh.call(key)).status).toBe(200);
    expect((await fresh.call(key)).status).toBe(429); // 5 this minute, counted before the restart too
  });
});

describe('across isolates', () => {
  it('a blocked key stops in another isolate within the stated 2 s', async () => {
    const ns = `${crypto.randomUUID()}:`;
    const now = manualClock();
    const a = keyGateway({ stateNamespace: ns, now });
    const b = keyGateway({ stateNamespace: ns, now });
    const { key } = await a.generate({}); // no limits: b answers from its cache
    expect((await b.call(key)).status).toBe(200);
    expect((await a.admin('/key/block', { key })).status).toBe(200);
    expect((await a.call(key)).status).toBe(401); // at once where it was blocked
    now.advance(500);
    expect((await b.call(key)).status).toBe(200); // b's record is 0.5 s old: within the bound, still served
    now.advance(1_500);
    expect((await b.call(key)).status).toBe(401); // 2 s: b reads the store again
  });

  it('a key with limits is checked in the store on every request: blocked is at once everywhere', async () => {
    const ns = `${crypto.randomUUID()}:`;
    const now = manualClock();
    const a = keyGateway({ stateNamespace: ns, now });
    const b = keyGateway({ stateNamespace: ns, now });
    const { key } = await a.generate({ rpm_limit: 100 });
    expect((await b.call(key)).status).toBe(200);
    await a.admin('/key/block', { key });
    expect((await b.call(key)).status).toBe(401);
  });

  it('the rpm limit is exact across two isolates', async () => {
    const ns = `${crypto.randomUUID()}:`;
    const now = minuteAlignedClock();
    const a = keyGateway({ stateNamespace: ns, now });
    const b = keyGateway({ stateNamespace: ns, now });
    const { key } = await a.generate({ rpm_limit: 10 });
    const rs = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).call(key)));
    expect(count(rs, 200)).toBe(10);
  });
});

describe('the master key', () => {
  it('is never limited, and gets no key headers', async () => {
    const gw = keyGateway();
    await gw.generate({ rpm_limit: 1 });
    const rs = await Promise.all(Array.from({ length: 5 }, () => gw.call(MASTER)));
    expect(statuses(rs)).toEqual([200, 200, 200, 200, 200]);
    expect(rs[0].headers.get('x-litellm-key-spend')).toBeNull();
  });
});
