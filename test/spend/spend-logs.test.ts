// Spend logs: one row per request, written off the request path through the queue into D1, and read back
// through LiteLLM's /spend/logs, /spend/logs/v2, /global/spend/report and /spend/tags.
import { describe, expect, it } from 'vitest';
import { digestHex as sha256Hex } from '../../src/utils/digest';
import { openAIError, streamOf } from '../helpers/fake-upstream';
import { readEvents, user } from '../helpers/gateway';
import { CALL_COST, keyGateway, MASTER } from '../keys/helpers';
import { companionStub } from './helpers';

const spendGateway = (general = '', extra = '') => {
  const stub = companionStub();
  const gw = keyGateway({}, extra, { SPEND_QUEUE: stub.SPEND_QUEUE, COMPANION: stub.COMPANION }, general);
  return Object.assign(gw, { stub });
};

const rows = async (gw: ReturnType<typeof spendGateway>, query: string) => {
  const res = await gw.admin(`/spend/logs${query}`);
  expect(res.status).toBe(200);
  return res.json<any[]>();
};

describe('spend logs', () => {
  it('writes one row per request with the key hash, tokens, cost and LiteLLM fields, never a secret', async () => {
    const gw = spendGateway();
    const { key } = await gw.generate({ key_alias: 'alice-key', team_id: undefined, user_id: 'alice' });
    const res = await gw.call(key, 'gpt-4o', { user: 'customer-7', metadata: { tags: ['prod', 'eu'] } });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-litellm-call-id')!;
    const [row] = await rows(gw, `?request_id=${requestId}`);
    expect(row).toMatchObject({
      request_id: requestId,
      call_type: 'acompletion',
      api_key: await sha256Hex(key),
      spend: CALL_COST,
      prompt_tokens: 10,
      completion_tokens: 5,
      total_tokens: 15,
      model: 'openai/gpt-4o',
      model_group: 'gpt-4o',
      model_id: 'gpt-4o-1',
      custom_llm_provider: 'openai',
      api_base: 'https://up.test/v1',
      user: 'alice',
      end_user: 'customer-7',
      cache_hit: 'False',
      request_tags: ['prod', 'eu'],
      status: 'success',
      key_alias: 'alice-key',
      messages: {},
      response: {},
    });
    expect(Date.parse(row.endTime)).toBeGreaterThanOrEqual(Date.parse(row.startTime));
    expect(row.metadata).toMatchObject({ user_api_key_alias: 'alice-key', attempts: 1, retries: 0, fallbacks: 0 });
    const text = JSON.stringify(row);
    expect(text).not.toContain(key);
    expect(text).not.toContain('sk-provider-secret-1');
    expect(text).not.toContain(MASTER);
  });

  it('records failures with their error class and a scrubbed message, and retries taken', async () => {
    const gw = spendGateway('', 'litellm_settings: { num_retries: 1 }');
    gw.upstream.on('/chat/completions', openAIError(500, 'upstream broke; key sk-provider-secret-1 leaked'));
    const res = await gw.admin('/v1/chat/completions', { model: 'gpt-4o', messages: user() });
    expect(res.status).toBe(500);
    const [failed] = await rows(gw, `?request_id=${res.headers.get('x-litellm-call-id')}`);
    expect(failed.status).toBe('failure');
    expect(failed.metadata.error_information).toMatchObject({ error_code: '500', error_class: 'InternalServerError' });
    expect(failed.metadata.error_information.error_message).not.toContain('sk-provider-secret-1');
    expect(failed.metadata).toMatchObject({ attempts: 2, retries: 1 });
    expect(failed.metadata.tries).toHaveLength(2);
    expect(failed.api_key).toBe('');
  });

  it('stores prompts and answers only with store_prompts_in_spend_logs: true', async () => {
    const off = spendGateway();
    const a = await off.admin('/v1/chat/completions', { model: 'gpt-4o', messages: user('secret plan') });
    const offRow = (await rows(off, `?request_id=${a.headers.get('x-litellm-call-id')}`))[0];
    expect(offRow.messages).toEqual({});
    expect(JSON.stringify(offRow)).not.toContain('secret plan');

    const on = spendGateway('  store_prompts_in_spend_logs: true');
    const b = await on.admin('/v1/chat/completions', { model: 'gpt-4o', messages: user('secret plan') });
    const onRow = (await rows(on, `?request_id=${b.headers.get('x-litellm-call-id')}`))[0];
    expect(onRow.messages).toEqual(user('secret plan'));
    expect(onRow.response.choices[0].message.content).toBe('fake answer from gpt-4o');
  });

  it('logs a stream at its end with its usage, and a cache hit at no cost', async () => {
    const gw = spendGateway('', 'litellm_settings: { cache: true }');
    gw.upstream.on((url, body) => body.stream, { stream: streamOf('Hi', ' there'), usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 } });
    const res = await gw.admin('/v1/chat/completions', { model: 'gpt-4o', messages: user('s'), stream: true, stream_options: { include_usage: true } });
    await readEvents(res);
    await gw.settle();
    const [row] = await rows(gw, `?request_id=${res.headers.get('x-litellm-call-id')}`);
    expect(row).toMatchObject({ prompt_tokens: 7, completion_tokens: 2, status: 'success' });
    expect(row.completionStartTime).not.toBeNull();

    await gw.admin('/v1/chat/completions', { model: 'cheap', messages: user('c') });
    const hit = await gw.admin('/v1/chat/completions', { model: 'cheap', messages: user('c') });
    const [hitRow] = await rows(gw, `?request_id=${hit.headers.get('x-litellm-call-id')}`);
    expect(hitRow).toMatchObject({ cache_hit: 'True', spend: 0 });
  });

  it('/spend/logs/v2 pages and filters; unknown filters and bad dates are 400s naming them', async () => {
    const gw = spendGateway();
    const { key } = await gw.generate({ key_alias: 'k1' });
    for (let i = 0; i < 5; i++) await gw.call(key, 'gpt-4o');
    for (let i = 0; i < 2; i++) await gw.call(key, 'cheap');
    const today = new Date().toISOString().slice(0, 10);
    const page = await (await gw.admin(`/spend/logs/v2?key_alias=k1&start_date=${today}%2000:00:00&end_date=${today}%2023:59:59&page_size=3&page=2`)).json<any>();
    expect(page).toMatchObject({ total: 7, page: 2, page_size: 3, total_pages: 3 });
    expect(page.data).toHaveLength(3);
    const cheap = await (await gw.admin(`/spend/logs/v2?key_alias=k1&model_group=cheap&status_filter=success`)).json<any>();
    expect(cheap.total).toBe(2);

    const unknown = await gw.admin('/spend/logs/v2?colour=blue&shape=round');
    expect(unknown.status).toBe(400);
    const e1 = await unknown.json<any>();
    expect(e1.error.message).toContain('colour, shape');
    const bad = await gw.admin('/spend/logs?start_date=2026-02-31&end_date=2026-03-01');
    expect(bad.status).toBe(400);
    expect((await bad.json<any>()).error).toMatchObject({ param: 'start_date' });
    const badEnd = await gw.admin('/spend/logs/v2?end_date=yesterday');
    expect((await badEnd.json<any>()).error.message).toContain('end_date');
  });

  it('/spend/logs with dates answers LiteLLM summary shape, days filled to end_date', async () => {
    const gw = spendGateway();
    const { key } = await gw.generate({ user_id: 'u1' });
    await gw.call(key);
    await gw.call(key);
    const today = new Date();
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const later = new Date(today.getTime() + 2 * 86_400_000);
    const summary = await rows(gw, `?api_key=${encodeURIComponent(key)}&start_date=${day(today)}&end_date=${day(later)}`);
    const hash = await sha256Hex(key);
    expect(summary).toHaveLength(3);
    expect(summary[0]).toMatchObject({ startTime: day(today), users: { u1: 2 * CALL_COST }, models: { 'openai/gpt-4o': 2 * CALL_COST } });
    expect(summary[0].spend).toBeCloseTo(2 * CALL_COST);
    expect(summary[0][hash]).toBeCloseTo(2 * CALL_COST);
    expect(summary[2]).toEqual({ startTime: day(later), spend: 0, users: {}, models: {} });
  });

  it('a virtual key reads only its own rows; the master key reads all', async () => {
    const gw = spendGateway();
    const a = await gw.generate({ key_alias: 'a' });
    const b = await gw.generate({ key_alias: 'b' });
    await gw.call(a.key);
    await gw.call(b.key);
    const asA = await gw.request('/spend/logs/v2', { headers: { authorization: `Bearer ${a.key}` } });
    expect(asA.status).toBe(200);
    const mine = await asA.json<any>();
    expect(mine.data.map((r: any) => r.key_alias)).toEqual(['a']);
    const other = await gw.request(`/spend/logs?api_key=${encodeURIComponent(b.key)}`, { headers: { authorization: `Bearer ${a.key}` } });
    expect(other.status).toBe(403);
    const report = await gw.request('/global/spend/report?start_date=2020-01-01&end_date=2100-01-01&group_by=api_key', { headers: { authorization: `Bearer ${a.key}` } });
    expect((await report.json<any[]>()).map((r) => r.api_key)).toEqual([await sha256Hex(a.key)]);
    const all = await (await gw.admin('/spend/logs/v2')).json<any>();
    expect(all.total).toBeGreaterThanOrEqual(2);
  });

  it('/global/spend/report groups by team, api_key and model; /spend/tags sums by tag', async () => {
    const gw = spendGateway();
    const team = await (await gw.admin('/team/new', { team_alias: 'research' })).json<any>();
    const k = await gw.generate({ team_id: team.team_id });
    await gw.call(k.key, 'gpt-4o', { metadata: { tags: ['batch'] } });
    await gw.call(k.key, 'cheap', { metadata: { tags: ['batch', 'night'] } });
    const range = 'start_date=2020-01-01&end_date=2100-01-01';
    const byTeam = await (await gw.admin(`/global/spend/report?${range}&group_by=team&team_id=${team.team_id}`)).json<any[]>();
    expect(byTeam[0].teams[0]).toMatchObject({ team_name: 'research' });
    expect(byTeam[0].teams[0].total_spend).toBeCloseTo(2 * CALL_COST);
    expect(byTeam[0].teams[0].metadata).toHaveLength(2);
    const byModel = await (await gw.admin(`/global/spend/report?${range}&group_by=model&team_id=${team.team_id}`)).json<any[]>();
    expect(byModel.map((m) => m.model).sort()).toEqual(['openai/cheap', 'openai/gpt-4o']);
    const bad = await gw.admin(`/global/spend/report?${range}&group_by=colour`);
    expect(bad.status).toBe(400);
    const missing = await gw.admin('/global/spend/report?start_date=2020-01-01');
    expect((await missing.json<any>()).error.message).toContain('end_date');
    const tags = await (await gw.admin(`/spend/tags?api_key=${k.token_id ?? (await sha256Hex(k.key))}`)).json<any[]>();
    expect(tags.find((t) => t.individual_request_tag === 'batch')).toMatchObject({ log_count: 2 });
    expect(tags.find((t) => t.individual_request_tag === 'night')).toMatchObject({ log_count: 1 });
  });

  it('/global/spend/models: the top models by spend over 30 days, as LiteLLM; a virtual key sees its own', async () => {
    const gw = spendGateway();
    const a = await gw.generate({ key_alias: 'a' });
    const b = await gw.generate({ key_alias: 'b' });
    await gw.call(a.key, 'gpt-4o');
    await gw.call(a.key, 'gpt-4o');
    await gw.call(b.key, 'cheap');
    const top = await (await gw.admin('/global/spend/models')).json<any[]>();
    expect(top.map((m) => m.model)).toEqual(['openai/gpt-4o', 'openai/cheap']);
    expect(top[0].total_spend).toBeCloseTo(2 * CALL_COST);
    expect(top[0].total_tokens).toBeGreaterThan(0);
    expect((await (await gw.admin('/global/spend/models?limit=1')).json<any[]>()).map((m) => m.model)).toEqual(['openai/gpt-4o']);
    const asB = await gw.request('/global/spend/models', { headers: { authorization: `Bearer ${b.key}` } });
    expect((await asB.json<any[]>()).map((m) => m.model)).toEqual(['openai/cheap']);
    expect((await gw.admin('/global/spend/models?limit=0')).status).toBe(400);
  });

  it('a full queue never affects the request; the loss is counted in a metric (D1 errors: store.test.ts)', async () => {
    const prometheus = 'litellm_settings: { callbacks: [prometheus] }';
    const full = { send: () => Promise.reject(new Error('Queue is full')) } as unknown as Queue;
    const gw = keyGateway({}, prometheus, { SPEND_QUEUE: full });
    for (let i = 0; i < 2; i++) expect((await gw.admin('/v1/chat/completions', { model: 'gpt-4o', messages: user() })).status).toBe(200);
    expect(await (await gw.admin('/metrics')).text()).toContain('litellm_gateway_dropped_records_total{sink="spend_logs"} 2.0');
  });
});
