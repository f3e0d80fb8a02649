// Guardrail services through the gateway, each fake answering in the service's own wire format: a pass, a block,
// a mask where the service masks, and a failure that fails closed (the default) or open (fail_open: true).
import { describe, expect, it } from 'vitest';
import { chatCompletion, streamOf } from '../helpers/fake-upstream';
import { readEvents } from '../helpers/gateway';
import { testGateway, user } from '../helpers/gateway';
import { loadProxyObject } from '../../src/config/load';

const CONFIG = `
model_list:
  - { model_name: gpt, litellm_params: { model: openai/gpt-4o, api_key: sk-oa-123456, api_base: https://openai.test/v1 } }
  - { model_name: mod, litellm_params: { model: openai/omni-moderation-latest, api_key: sk-mod-123456, api_base: https://moderation.test/v1 } }
router_settings: { num_retries: 0 }
guardrails:
  - guardrail_name: presidio
    litellm_params: { guardrail: presidio, mode: pre_call, presidio_analyzer_api_base: https://analyzer.test, presidio_anonymizer_api_base: https://anonymizer.test, pii_entities_config: { EMAIL_ADDRESS: MASK, US_SSN: BLOCK } }
  - guardrail_name: presidio-restore
    litellm_params: { guardrail: presidio, mode: [pre_call, post_call], output_parse_pii: true, presidio_analyzer_api_base: https://analyzer.test, presidio_anonymizer_api_base: https://anonymizer.test }
  - guardrail_name: lakera
    litellm_params: { guardrail: lakera_v2, mode: pre_call, api_key: lk-secret-123456, api_base: https://lakera.test }
  - guardrail_name: lakera-open
    litellm_params: { guardrail: lakera_v2, mode: pre_call, api_key: lk-secret-123456, api_base: https://lakera.test, fail_open: true }
  - guardrail_name: bedrock
    litellm_params: { guardrail: bedrock, mode: pre_call, guardrailIdentifier: gid, guardrailVersion: '1', aws_region_name: us-east-1, aws_access_key_id: AKIAIOSFODNN7EXAMPLE, aws_secret_access_key: wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY12 }
  - guardrail_name: shield
    litellm_params: { guardrail: azure/prompt_shield, mode: pre_call, api_key: az-secret-123456, api_base: https://cs.test }
  - guardrail_name: azure-mod
    litellm_params: { guardrail: azure/text_moderations, mode: post_call, api_key: az-secret-123456, api_base: https://cs.test, severity_threshold: 4 }
  - guardrail_name: generic
    litellm_params: { guardrail: generic_guardrail_api, mode: pre_call, api_key: gg-secret-123456, api_base: https://gg.test, additional_provider_specific_params: { threshold: 0.8 } }
  - guardrail_name: moderation
    litellm_params: { guardrail: openai_moderation, mode: pre_call, model: mod }
  - guardrail_name: generic-out
    litellm_params: { guardrail: generic_guardrail_api, mode: post_call, api_key: gg-secret-123456, api_base: https://gg.test }
  - guardrail_name: slow
    litellm_params: { guardrail: lakera_v2, mode: pre_call, api_key: lk-secret-123456, api_base: https://slow.test, timeout: 0.05 }
`;

function gateway(answer = 'ok') {
  const gw = testGateway(CONFIG);
  gw.upstream.on('openai.test/v1/chat/completions', { json: chatCompletion(answer) });
  return gw;
}
const ask = (gw: ReturnType<typeof gateway>, guardrail: string, content = 'hello') => gw.chat({ model: 'gpt', messages: user(content), guardrails: [guardrail] });
const upstreamCalls = (gw: ReturnType<typeof gateway>) => gw.upstream.callsTo('openai.test/v1/chat/completions');
const message = async (res: Response) => (await res.json<any>()).error.message as string;

describe('Presidio', () => {
  it('masks through the anonymizer, blocks a BLOCK entity, restores placeholders with output_parse_pii', async () => {
    const gw = gateway('Hello <PERSON_1>!');
    gw.upstream.on(
      'analyzer.test/analyze',
      { json: [{ entity_type: 'EMAIL_ADDRESS', start: 8, end: 14, score: 1.0, analysis_explanation: null, recognition_metadata: { recognizer_name: 'EmailRecognizer' } }] },
      { json: [{ entity_type: 'US_SSN', start: 0, end: 11, score: 0.85 }] },
      { json: [{ entity_type: 'PERSON', start: 5, end: 8, score: 0.9 }] },
      { json: [] },
    );
    gw.upstream.on('anonymizer.test/anonymize', { json: { text: 'mail to <EMAIL_ADDRESS>', items: [{ start: 8, end: 23, entity_type: 'EMAIL_ADDRESS', text: '<EMAIL_ADDRESS>', operator: 'replace' }] } });
    expect((await ask(gw, 'presidio', 'mail to a@b.co')).status).toBe(200);
    expect(gw.upstream.callsTo('analyzer.test')[0].body).toEqual({ text: 'mail to a@b.co', language: 'en', entities: ['EMAIL_ADDRESS', 'US_SSN'] });
    expect(gw.upstream.callsTo('anonymizer.test')[0].body.analyzer_results[0].entity_type).toBe('EMAIL_ADDRESS');
    expect(upstreamCalls(gw)[0].body.messages[0].content).toBe('mail to <EMAIL_ADDRESS>');
    const blocked = await ask(gw, 'presidio', '123-45-6789');
    expect(blocked.status).toBe(400);
    expect(await message(blocked)).toBe('Blocked PII entity detected: US_SSN (guardrail: presidio)');
    const restored = await ask(gw, 'presidio-restore', 'I am Ann');
    expect(upstreamCalls(gw).at(-1)!.body.messages[0].content).toBe('I am <PERSON_1>');
    expect((await restored.json<any>()).choices[0].message.content).toBe('Hello Ann!');
  });
});

describe('Lakera Guard v2', () => {
  it('passes, blocks when flagged, fails closed by default and open when told', async () => {
    const gw = gateway();
    gw.upstream.on('lakera.test/v2/guard', { json: { flagged: false, metadata: { request_uuid: 'u1' } } }, { json: { flagged: true, metadata: { request_uuid: 'u2' }, breakdown: [{ project_id: 'p', policy_id: 'x', detector_id: 'd', detector_type: 'prompt_attack', detected: true }] } }, { status: 500, json: { error: 'down' } });
    expect((await ask(gw, 'lakera')).status).toBe(200);
    const call = gw.upstream.callsTo('lakera.test')[0];
    expect(call.headers.authorization).toBe('Bearer lk-secret-123456');
    expect(call.body.messages).toEqual([{ role: 'user', content: 'hello' }]);
    const blocked = await ask(gw, 'lakera');
    expect(blocked.status).toBe(400);
    expect(await message(blocked)).toBe('Violated guardrail policy: Lakera Guard flagged the request (prompt_attack) (guardrail: lakera)');
    const closed = await ask(gw, 'lakera');
    expect(closed.status).toBe(503);
    expect(await message(closed)).toMatch(/^Guardrail 'lakera' could not check the request \(lakera.test answered 500/);
    expect((await ask(gw, 'lakera-open')).status).toBe(200);
    expect(upstreamCalls(gw)).toHaveLength(2);
  });

  it('fails closed when the service does not answer within its timeout', async () => {
    const gw = gateway();
    gw.upstream.on('slow.test', { hang: true });
    const res = await ask(gw, 'slow');
    expect(res.status).toBe(503);
    expect(await message(res)).toContain('no answer within 0.05s');
  });
});

describe('Bedrock ApplyGuardrail', () => {
  it('signs with SigV4, passes on NONE, masks when it only anonymized, blocks otherwise', async () => {
    const gw = gateway();
    gw.upstream.on(
      '/guardrail/gid/version/1/apply',
      { json: { usage: {}, action: 'NONE', outputs: [], assessments: [] } },
      { json: { action: 'GUARDRAIL_INTERVENED', outputs: [{ text: 'call {PHONE}' }], assessments: [{ sensitiveInformationPolicy: { piiEntities: [{ type: 'PHONE', match: '555-0100', action: 'ANONYMIZED' }] } }] } },
      { json: { action: 'GUARDRAIL_INTERVENED', outputs: [{ text: 'Sorry, the model cannot answer this question.' }], assessments: [{ topicPolicy: { topics: [{ name: 'Finance', type: 'DENY', action: 'BLOCKED' }] } }] } },
    );
    expect((await ask(gw, 'bedrock')).status).toBe(200);
    const call = gw.upstream.callsTo('/apply')[0];
    expect(call.url).toBe('https://bedrock-runtime.us-east-1.amazonaws.com/guardrail/gid/version/1/apply');
    expect(call.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/bedrock\/aws4_request/);
    expect(call.body).toEqual({ source: 'INPUT', content: [{ text: { text: 'hello' } }] });
    await ask(gw, 'bedrock', 'call 555-0100');
    expect(upstreamCalls(gw).at(-1)!.body.messages[0].content).toBe('call {PHONE}');
    const blocked = await ask(gw, 'bedrock', 'stocks?');
    expect(blocked.status).toBe(400);
    expect(await message(blocked)).toBe('Violated guardrail policy: Sorry, the model cannot answer this question. (guardrail: bedrock)');
  });
});

describe('Azure Content Safety', () => {
  it('Prompt Shields blocks a detected attack; text moderation blocks an answer at its severity threshold', async () => {
    const gw = gateway();
    gw.upstream.on('text:shieldPrompt', { json: { userPromptAnalysis: { attackDetected: false }, documentsAnalysis: [] } }, { json: { userPromptAnalysis: { attackDetected: true }, documentsAnalysis: [] } });
    expect((await ask(gw, 'shield')).status).toBe(200);
    const call = gw.upstream.callsTo('text:shieldPrompt')[0];
    expect(call.url).toBe('https://cs.test/contentsafety/text:shieldPrompt?api-version=2024-09-01');
    expect(call.headers['ocp-apim-subscription-key']).toBe('az-secret-123456');
    expect(call.body).toEqual({ userPrompt: 'hello', documents: [] });
    expect(await message(await ask(gw, 'shield'))).toBe('Violated Azure Prompt Shield policy: a prompt attack was detected (guardrail: shield)');
    const analysis = (sev: number) => ({ json: { blocklistsMatch: [], categoriesAnalysis: [{ category: 'Hate', severity: 0 }, { category: 'Violence', severity: sev }] } });
    gw.upstream.on('text:analyze', analysis(2), analysis(4));
    expect((await ask(gw, 'azure-mod')).status).toBe(200);
    expect(gw.upstream.callsTo('text:analyze')[0].body).toEqual({ text: 'ok', outputType: 'FourSeverityLevels' });
    const blocked = await ask(gw, 'azure-mod');
    expect(await message(blocked)).toBe('Violated Azure Content Safety policy: Violence (severity 4) (guardrail: azure-mod)');
  });
});

describe("LiteLLM's generic guardrail API", () => {
  it('passes on NONE, rewrites on GUARDRAIL_INTERVENED, blocks on BLOCKED', async () => {
    const gw = gateway();
    gw.upstream.on('gg.test/beta/litellm_basic_guardrail_api', { json: { action: 'NONE' } }, { json: { action: 'GUARDRAIL_INTERVENED', texts: ['hello [name]'] } }, { json: { action: 'BLOCKED', blocked_reason: 'no greetings' } });
    expect((await ask(gw, 'generic')).status).toBe(200);
    const call = gw.upstream.callsTo('gg.test')[0];
    expect(call.body).toMatchObject({ texts: ['hello'], input_type: 'request', additional_provider_specific_params: { threshold: 0.8 } });
    await ask(gw, 'generic', 'hello Bob');
    expect(upstreamCalls(gw).at(-1)!.body.messages[0].content).toBe('hello [name]');
    expect(await message(await ask(gw, 'generic'))).toBe('Content blocked: no greetings (guardrail: generic)');
  });
});

describe('post_call services on a stream', () => {
  it('hold the stream to its end, then send it as it came, masked, or as an error event', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('openai.test/v1/chat/completions', { stream: streamOf('Call Bob ', 'at 555', '-0100') });
    gw.upstream.on('gg.test', { json: { action: 'NONE' } }, { json: { action: 'GUARDRAIL_INTERVENED', texts: ['Call [name] at [phone]'] } }, { json: { action: 'BLOCKED', blocked_reason: 'phone numbers' } });
    const said = (events: any[]) => events.filter((e) => e !== '[DONE]' && e.choices).map((e) => e.choices[0]?.delta?.content ?? '').join('');
    const stream = () => gw.chat({ model: 'gpt', messages: user(), stream: true, guardrails: ['generic-out'] });
    const passed = await readEvents(await stream());
    expect(said(passed)).toBe('Call Bob at 555-0100');
    expect(gw.upstream.callsTo('gg.test')[0].body).toMatchObject({ texts: ['Call Bob at 555-0100'], input_type: 'response' });
    const masked = await readEvents(await stream());
    expect(said(masked)).toBe('Call [name] at [phone]');
    expect(masked.at(-1)).toBe('[DONE]');
    const blocked = await readEvents(await stream());
    expect(blocked).toHaveLength(1);
    expect(blocked[0].error.message).toBe('Content blocked: phone numbers (guardrail: generic-out)');
  });
});

describe('OpenAI moderation through a model group', () => {
  it("calls the group's deployment with its key and blocks a flagged input", async () => {
    const gw = gateway();
    const result = (flagged: boolean) => ({ json: { id: 'modr-1', model: 'omni-moderation-latest', results: [{ flagged, categories: { harassment: flagged, violence: false }, category_scores: { harassment: 0.9, violence: 0.01 } }] } });
    gw.upstream.on('moderation.test/v1/moderations', result(false), result(true));
    expect((await ask(gw, 'moderation')).status).toBe(200);
    const call = gw.upstream.callsTo('moderations')[0];
    expect(call.headers.authorization).toBe('Bearer sk-mod-123456');
    expect(call.body).toEqual({ model: 'omni-moderation-latest', input: ['hello'] });
    expect(await message(await ask(gw, 'moderation'))).toBe('Violated OpenAI moderation policy: harassment in the request (guardrail: moderation)');
  });
});

describe('service config refusals', () => {
  const errors = (litellm_params: Record<string, unknown>, env: Record<string, unknown> = {}) => {
    const r = loadProxyObject({ model_list: [{ model_name: 'm', litellm_params: { model: 'mock/m' } }], guardrails: [{ guardrail_name: 'g', litellm_params: { mode: 'pre_call', ...litellm_params } }] }, env);
    return r.ok ? [] : r.errors;
  };
  it('refuses a service URL without its key, and logging_only for a service', () => {
    expect(errors({ guardrail: 'lakera_v2', api_base: 'https://lakera.test' })).toEqual(['guardrails[0].litellm_params.api_key: required']);
    expect(errors({ guardrail: 'generic_guardrail_api', api_base: 'https://gg.test' })).toEqual(['guardrails[0].litellm_params.api_key: required']);
    expect(errors({ guardrail: 'azure/prompt_shield', api_base: 'https://cs.test' })).toEqual(['guardrails[0].litellm_params.api_key: required']);
    expect(errors({ guardrail: 'bedrock', guardrailIdentifier: 'g', guardrailVersion: '1' })[0]).toMatch(/^guardrails\[0\]\.litellm_params\.aws_access_key_id: required/);
    expect(errors({ guardrail: 'presidio' })[0]).toBe('guardrails[0].litellm_params.presidio_analyzer_api_base: required');
    expect(errors({ guardrail: 'lakera_v2', api_key: 'k', mode: 'logging_only' })[0]).toMatch(/mode: logging_only is for the built-in guardrails/);
  });

  it("reads a service's keys from the env as LiteLLM does (LAKERA_API_KEY, AWS_*, PRESIDIO_*)", () => {
    expect(errors({ guardrail: 'lakera_v2' }, { LAKERA_API_KEY: 'lk-1' })).toEqual([]);
    expect(errors({ guardrail: 'bedrock', guardrailIdentifier: 'g', guardrailVersion: '1' }, { AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's' })).toEqual([]);
    expect(errors({ guardrail: 'presidio' }, { PRESIDIO_ANALYZER_API_BASE: 'https://a.test', PRESIDIO_ANONYMIZER_API_BASE: 'https://b.test' })).toEqual([]);
  });

  it('refuses openai_moderation naming no model group: it is a call of this gateway\'s moderations route', () => {
    expect(errors({ guardrail: 'openai_moderation', model: 'mod' })).toEqual([
      'guardrails[0].litellm_params.model: "mod" is not a model group (openai_moderation calls a moderation model group of this gateway)',
    ]);
  });

  it('refuses a service without the companion Worker, which calls it; a built-in needs none', async () => {
    const alone = testGateway(CONFIG, {}, { COMPANION: undefined });
    const res = await alone.chat({ model: 'gpt', messages: user() });
    expect(res.status).toBe(500);
    expect((await res.json<any>()).error.message).toContain('guardrails[0]: presidio needs the companion Worker');
    const builtIn = testGateway(CONFIG.replace(/guardrails:[\s\S]*/, 'guardrails:\n  - { guardrail_name: s, litellm_params: { guardrail: hide-secrets, mode: pre_call } }\n'), {}, { COMPANION: undefined });
    builtIn.upstream.on('openai.test/v1/chat/completions', { json: chatCompletion('ok') });
    expect((await builtIn.chat({ model: 'gpt', messages: user() })).status).toBe(200);
  });
});
