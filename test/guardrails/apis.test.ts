// Guardrails on Anthropic's Messages and OpenAI's Responses APIs (passed through and translated, streamed and
// not), config refusals with their key paths, per-key guardrails, and during_call.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import guardrailData from '../../public/guardrails.json';
import { sse as anthropicEvent, textMessage } from '../fixtures/anthropic';
import { textResponse, textResponseStream } from '../fixtures/responses';
import { chatCompletion, streamOf } from '../helpers/fake-upstream';
import { testGateway, user } from '../helpers/gateway';
import { keyGateway, MASTER } from '../keys/helpers';
import { loadTables } from '../../src/assets/tables';
import { loadProxyObject } from '../../src/config/load';
import { backtracks } from '../../src/guardrails/patterns';
import { GUARDRAIL_DATA } from '../../src/guardrails/table';

const FILTER = `
guardrails:
  - guardrail_name: cards
    litellm_params:
      guardrail: litellm_content_filter
      mode: [pre_call, post_call]
      default_on: true
      patterns: [{ pattern_type: prebuilt, pattern_name: credit_card, action: MASK }]
      blocked_words: [{ keyword: classified, action: BLOCK }]
`;
const CONFIG = `
model_list:
  - { model_name: gpt, litellm_params: { model: openai/gpt-4o, api_key: sk-oa-123456, api_base: https://openai.test/v1 } }
  - { model_name: claude, litellm_params: { model: anthropic/claude-sonnet-4-5, api_key: sk-ant-123456, api_base: https://anthropic.test } }
router_settings: { num_retries: 0 }
${FILTER}`;

const CARD = '4111-1111-1111-1111';
const text = (events: string) =>
  events
    .split('\n\n')
    .map((b) => b.split('\n').find((l) => l.startsWith('data: ')))
    .filter((l): l is string => !!l)
    .map((l) => JSON.parse(l.slice(6)));

describe('Messages', () => {
  it('masks the request passed through to Anthropic and the answer, and refuses in Anthropic\'s error shape', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/v1/messages', { json: { ...textMessage, content: [{ type: 'text', text: `Card ${CARD} noted.` }] } });
    const res = await gw.request('/v1/messages', { method: 'POST', json: { model: 'claude', max_tokens: 100, system: `card ${CARD}`, messages: user(`pay with ${CARD}`) } });
    const body = await res.json<any>();
    expect(body.content[0].text).toBe('Card [CREDIT_CARD_REDACTED] noted.');
    expect(gw.upstream.calls[0].body.system).toBe('card [CREDIT_CARD_REDACTED]');
    expect(gw.upstream.calls[0].body.messages[0].content).toBe('pay with [CREDIT_CARD_REDACTED]');
    const refused = await gw.request('/v1/messages', { method: 'POST', json: { model: 'claude', max_tokens: 100, messages: user('classified stuff') } });
    expect(refused.status).toBe(400);
    const err = await refused.json<any>();
    expect(err.type).toBe('error');
    expect(err.error.type).toBe('invalid_request_error');
    expect(err.error.message).toBe("Content blocked: keyword 'classified' detected (guardrail: cards)");
  });

  it('masks a card number split across Anthropic text_delta events, passed through and translated', async () => {
    const gw = testGateway(CONFIG);
    const delta = (t: string) => anthropicEvent({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } });
    gw.upstream.on('/v1/messages', {
      stream: [
        anthropicEvent({ type: 'message_start', message: { ...textMessage, content: [], stop_reason: null } }),
        anthropicEvent({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
        delta('Use 4111-11'),
        delta('11-1111-'),
        delta('1111 now'),
        anthropicEvent({ type: 'content_block_stop', index: 0 }),
        anthropicEvent({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 5 } }),
        anthropicEvent({ type: 'message_stop' }),
      ],
      noDone: true,
    });
    gw.upstream.on('/chat/completions', { stream: streamOf('Use 4111-11', '11-1111-', '1111 now') });
    for (const model of ['claude', 'gpt']) {
      const res = await gw.request('/v1/messages', { method: 'POST', json: { model, max_tokens: 100, stream: true, messages: user() } });
      const events = text(await res.text());
      const said = events.filter((e) => e.type === 'content_block_delta').map((e) => e.delta.text).join('');
      expect(said, model).toBe('Use [CREDIT_CARD_REDACTED] now');
      expect(events.at(-1).type, model).toBe('message_stop');
    }
  });
});

describe('Responses', () => {
  it('masks input and output, passed through to OpenAI, streamed and not', async () => {
    const gw = testGateway(CONFIG);
    const json = structuredClone(textResponse) as any;
    json.output[0].content[0].text = `Your card ${CARD}.`;
    const stream = textResponseStream.map((e) => e.replace('"delta":"Hi"', '"delta":"Card 4111-1111-"').replace('"delta":" there!"', '"delta":"1111-1111."').replaceAll('Hi there!', `Card ${CARD}.`));
    gw.upstream.on('/responses', { json }, { stream, noDone: true });
    const res = await gw.request('/v1/responses', { method: 'POST', json: { model: 'gpt', input: `charge ${CARD}`, instructions: 'be brief' } });
    expect((await res.json<any>()).output[0].content[0].text).toBe('Your card [CREDIT_CARD_REDACTED].');
    expect(gw.upstream.calls[0].body.input).toBe('charge [CREDIT_CARD_REDACTED]');
    const streamed = await gw.request('/v1/responses', { method: 'POST', json: { model: 'gpt', input: [{ role: 'user', content: [{ type: 'input_text', text: CARD }] }], stream: true } });
    const raw = await streamed.text();
    expect(raw).not.toContain('4111');
    expect(gw.upstream.calls[1].body.input[0].content[0].text).toBe('[CREDIT_CARD_REDACTED]');
    const events = text(raw);
    expect(events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('')).toBe('Card [CREDIT_CARD_REDACTED].');
    expect(events.find((e) => e.type === 'response.output_text.done').text).toBe('Card [CREDIT_CARD_REDACTED].');
    expect(events.at(-1).response.output[0].content[0].text).toBe('Card [CREDIT_CARD_REDACTED].');
  });
});

describe('config refusals, with the key path', () => {
  // The guardrails' data is a static asset, read before a gateway's config is loaded (gatewayFor): here by hand.
  beforeAll(() => loadTables(env.ASSETS, [GUARDRAIL_DATA]));
  const load = (guardrails: unknown) => loadProxyObject({ model_list: [{ model_name: 'm', litellm_params: { model: 'mock/m' } }], guardrails });
  const errors = (guardrails: unknown) => {
    const r = load(guardrails);
    return r.ok ? [] : r.errors;
  };
  const cf = (extra: Record<string, unknown>) => [{ guardrail_name: 'g', litellm_params: { guardrail: 'litellm_content_filter', mode: 'pre_call', ...extra } }];

  it('refuses an unknown type, a regex that does not compile or could backtrack, a missing pattern, a duplicate name', () => {
    expect(errors([{ guardrail_name: 'g', litellm_params: { guardrail: 'nope', mode: 'pre_call' } }])[0]).toMatch(/^guardrails\[0\]\.litellm_params\.guardrail: refused: "nope" is not implemented in this gateway \(it has litellm_content_filter, /);
    expect(errors(cf({ patterns: [{ pattern_type: 'regex', pattern: '([a-z', action: 'BLOCK' }] }))[0]).toMatch(/^guardrails\[0\]\.litellm_params\.patterns\[0\]\.pattern: not a valid regular expression/);
    expect(errors(cf({ patterns: [{ pattern_type: 'regex', pattern: '(a+)+$', action: 'BLOCK' }] }))[0]).toMatch(/^guardrails\[0\]\.litellm_params\.patterns\[0\]\.pattern: refused: a repeated group holds a repetition/);
    expect(errors(cf({ patterns: [{ pattern_type: 'regex', pattern: '(?:\\w+\\s?)*x', action: 'MASK' }] }))[0]).toMatch(/can backtrack catastrophically/);
    expect(errors(cf({ patterns: [{ pattern_type: 'prebuilt', pattern_name: 'nope', action: 'MASK' }] }))[0]).toMatch(/patterns\[0\]\.pattern_name: not a prebuilt pattern/);
    expect(errors(cf({ patterns: [{ pattern_type: 'prebuilt', pattern_name: 'email', action: 'DROP' }] }))[0]).toMatch(/patterns\[0\]\.action: expected one of BLOCK, MASK/);
    expect(errors(cf({ mode: 'sometimes', blocked_words: [{ keyword: 'x', action: 'BLOCK' }] }))[0]).toMatch(/^guardrails\[0\]\.litellm_params\.mode/);
    expect(errors(cf({ blocked_words_file: '/etc/words.yaml' }))[0]).toMatch(/blocked_words_file: refused/);
    const twice = [...cf({ blocked_words: [{ keyword: 'x', action: 'BLOCK' }] }), ...cf({ blocked_words: [{ keyword: 'y', action: 'BLOCK' }] })];
    expect(errors(twice)).toEqual(['guardrails[1].guardrail_name: "g" is defined twice']);
    // Linear shapes pass: bounded repetitions, alternations, the prebuilt patterns themselves.
    expect(errors(cf({ patterns: [{ pattern_type: 'regex', pattern: '\\b[A-Z]{3}-\\d{4}\\b', action: 'MASK' }, { pattern_type: 'regex', pattern: '(?:\\d[ -]?){12,18}\\d', action: 'MASK' }] }))).toEqual([]);
    const table = Object.values(guardrailData.patterns).flatMap(([source]) => (source ? [source] : []));
    expect(table.filter((source) => backtracks(source as string))).toEqual([]);
  });
});

describe('per-key guardrails', () => {
  const KEYED = `
guardrails:
  - guardrail_name: keyed
    litellm_params:
      guardrail: litellm_content_filter
      mode: pre_call
      patterns: [{ pattern_type: prebuilt, pattern_name: email, action: MASK }]
`;
  it('apply to the requests of the key that names them, and only to those', async () => {
    const gw = keyGateway({}, KEYED);
    gw.upstream.on('/chat/completions', { json: chatCompletion('ok') });
    const guarded = await gw.generate({ guardrails: ['keyed'] });
    const plain = await gw.generate({});
    expect((await gw.info(guarded.key)).info.metadata.guardrails).toEqual(['keyed']);
    await gw.chat({ model: 'gpt-4o', messages: user('a@b.co') }, { authorization: `Bearer ${guarded.key}` });
    await gw.chat({ model: 'gpt-4o', messages: user('a@b.co') }, { authorization: `Bearer ${plain.key}` });
    await gw.chat({ model: 'gpt-4o', messages: user('a@b.co') }, { authorization: `Bearer ${MASTER}` });
    expect(gw.upstream.calls.map((c) => c.body.messages[0].content)).toEqual(['[EMAIL_REDACTED]', 'a@b.co', 'a@b.co']);
  });

  it("apply to every key of a team that names them; a name the config lacks refuses the key's requests; disable_global_guardrails is refused", async () => {
    const gw = keyGateway({}, KEYED);
    gw.upstream.on('/chat/completions', { json: chatCompletion('ok') });
    const team = await (await gw.admin('/team/new', { team_alias: 'guarded', guardrails: ['keyed'] })).json<any>();
    const member = await gw.generate({ team_id: team.team_id });
    await gw.chat({ model: 'gpt-4o', messages: user('a@b.co') }, { authorization: `Bearer ${member.key}` });
    expect(gw.upstream.calls.at(-1)!.body.messages[0].content).toBe('[EMAIL_REDACTED]');
    const stale = await gw.generate({ guardrails: ['gone'] });
    const refused = await gw.chat({ model: 'gpt-4o', messages: user() }, { authorization: `Bearer ${stale.key}` });
    expect(refused.status).toBe(400);
    expect((await refused.json<any>()).error.message).toBe("Guardrail 'gone' is not defined (defined: keyed)");
    expect(gw.upstream.calls).toHaveLength(1);
    const off = await gw.admin('/key/generate', { disable_global_guardrails: true });
    expect(off.status).toBe(400);
    expect((await gw.admin('/key/generate', { disable_global_guardrails: false })).status).toBe(200);
  });
});

describe('during_call', () => {
  const DURING = `
model_list:
  - { model_name: gpt, litellm_params: { model: openai/gpt-4o, api_key: sk-oa-123456, api_base: https://openai.test/v1 } }
guardrails:
  - guardrail_name: parallel
    litellm_params:
      guardrail: litellm_content_filter
      mode: during_call
      default_on: true
      blocked_words: [{ keyword: classified, action: BLOCK }]
`;
  it('lets the call go out, then withholds its answer (streamed too) when the guardrail refuses', async () => {
    const gw = testGateway(DURING);
    gw.upstream.on('/chat/completions', { json: chatCompletion('the answer') }, { stream: streamOf('the answer') });
    const res = await gw.chat({ model: 'gpt', messages: user('classified') });
    expect(res.status).toBe(400);
    expect(await res.text()).not.toContain('the answer');
    const streamed = await gw.chat({ model: 'gpt', messages: user('classified'), stream: true });
    expect(streamed.status).toBe(400);
    expect(gw.upstream.calls).toHaveLength(2);
    expect(gw.upstream.calls[0].body.messages[0].content).toBe('classified'); // during_call rewrites nothing
  });
});

describe('the routes the endpoints add', () => {
  const ROUTES = `
model_list:
  - { model_name: mod, litellm_params: { model: openai/omni-moderation-latest, api_key: sk-oa-123456, api_base: https://openai.test/v1 }, model_info: { mode: moderation } }
  - { model_name: whisper, litellm_params: { model: openai/whisper-1, api_key: sk-oa-123456, api_base: https://openai.test/v1 }, model_info: { mode: audio_transcription } }
router_settings: { num_retries: 0 }
${FILTER}`;

  it('mask a moderation input and a transcript, and refuse a blocked word in either', async () => {
    const gw = testGateway(ROUTES);
    gw.upstream.on('/moderations', { json: { id: 'm', results: [{ flagged: false, categories: {} }] } });
    gw.upstream.on('/audio/transcriptions', { json: { text: `my card is ${CARD}` } }, { json: { text: 'that is classified' } });
    expect((await gw.request('/v1/moderations', { method: 'POST', json: { model: 'mod', input: `card ${CARD}` } })).status).toBe(200);
    expect(gw.upstream.callsTo('/moderations')[0].body.input).toBe('card [CREDIT_CARD_REDACTED]');
    expect((await gw.request('/v1/moderations', { method: 'POST', json: { model: 'mod', input: 'classified' } })).status).toBe(400);
    expect(gw.upstream.callsTo('/moderations')).toHaveLength(1);
    const form = () => {
      const f = new FormData();
      f.append('model', 'whisper');
      f.append('file', new File([new Uint8Array([1, 2, 3])], 'a.mp3', { type: 'audio/mpeg' }));
      return f;
    };
    const heard = await gw.request('/v1/audio/transcriptions', { method: 'POST', body: form() });
    expect((await heard.json<any>()).text).toBe('my card is [CREDIT_CARD_REDACTED]');
    const refused = await gw.request('/v1/audio/transcriptions', { method: 'POST', body: form() });
    expect(refused.status).toBe(400);
    expect((await refused.json<any>()).error.message).toBe("Content blocked: keyword 'classified' detected (guardrail: cards)");
  });
});
