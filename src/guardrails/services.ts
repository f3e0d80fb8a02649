// The guardrail services, called over HTTP in their own wire formats, by LiteLLM's type names. Each is a request
// (URL, auth, body) and a reader of its answer; one POST helper makes the call, where a status that is not 2xx, a
// body that is not JSON or an answer not in the service's format is the service failing (fail_open decides what
// the request does then), never a verdict.
//   presidio: POST /analyze, then /anonymize (https://microsoft.github.io/presidio/api-docs/api-docs.html)
//   lakera_v2: POST /v2/guard (https://docs.lakera.ai/docs/api/guard)
//   bedrock: ApplyGuardrail, SigV4 with the Bedrock provider's signer (API_runtime_ApplyGuardrail)
//   azure/prompt_shield, azure/text_moderations: Content Safety text:shieldPrompt, text:analyze
//   generic_guardrail_api: LiteLLM's POST /beta/litellm_basic_guardrail_api
//   openai_moderation: POST /moderations, through a model group of this gateway or api_base and api_key
import type { Check } from '../config/validate';
import { bool, list, num, oneOf, record, str } from '../config/validate';
import { endpointOf, signedHeaders } from '../providers/bedrock/sign';
import { scrub } from '../security/scrub';
import { tag } from './content-filter';
import type { Kind, ServiceCall, ServiceDeps } from './kinds';
import type { Verdict } from './types';

type P = Record<string, any>;
type Headers_ = Record<string, string> | ((body: string) => Promise<Headers>);

/** One JSON POST; what is not a 2xx JSON answer throws (the service failed). */
async function post(deps: ServiceDeps, url: string, headers: Headers_, json: unknown, signal: AbortSignal): Promise<any> {
  const body = JSON.stringify(json);
  const h = typeof headers === 'function' ? await headers(body) : { 'content-type': 'application/json', ...headers };
  const res = await deps.fetch(url, { method: 'POST', headers: h, body, signal });
  const text = await res.text();
  const host = new URL(url).host;
  if (!res.ok) throw new Error(`${host} answered ${res.status}: ${scrub(text).slice(0, 200)}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${host} answered no JSON`);
  }
}

const base = (url: string) => url.replace(/\/+$/, '');
const bad = (what: string): never => {
  throw new Error(`answer without ${what}`);
};
const block = (message: string, found?: string[]): Verdict => ({ block: message, found });
const PASS: Verdict = {};
const who = (side: string) => (side === 'input' ? 'request' : 'answer');

/** A service: the keys it takes, those it requires, and its call. */
const service = (params: Record<string, Check<unknown>>, required: string[], call: (p: P, deps: ServiceDeps) => ServiceCall, restores?: boolean): Kind => ({
  params,
  restores,
  // A URL without its key would send every request unchecked (or refused): each is required.
  check: (p, path, out) => {
    for (const k of required) if (!p[k]) out.errors.push(`${path}.${k}: required for guardrail "${p.guardrail}"`);
  },
  service: call,
});

const severity = num({ min: 0, max: 7, int: true });
const azureUrl = (p: P, op: string) => `${base(p.api_base)}/contentsafety/text:${op}?api-version=${p.api_version ?? '2024-09-01'}`;
const azureAuth = (p: P) => ({ 'Ocp-Apim-Subscription-Key': p.api_key });

export const SERVICES: Record<string, Kind> = {
  presidio: service(
    { presidio_analyzer_api_base: str, presidio_anonymizer_api_base: str, presidio_language: str, pii_entities_config: record(oneOf('MASK', 'BLOCK')), presidio_score_thresholds: record(num({ min: 0, max: 1 })) },
    ['presidio_analyzer_api_base', 'presidio_anonymizer_api_base'],
    (p, deps) => {
      const actions: Record<string, string> = p.pii_entities_config ?? {};
      const limits: Record<string, number> = p.presidio_score_thresholds ?? {};
      const entities = Object.keys(actions);
      return async (texts, _side, tokens, signal) => {
        let changed: string[] | undefined;
        const names = new Set<string>();
        for (let i = 0; i < texts.length; i++) {
          const text = texts[i];
          if (!text) continue;
          const found: Array<{ entity_type: string; start: number; end: number; score: number }> = await post(deps, `${base(p.presidio_analyzer_api_base)}/analyze`, {}, { text, language: p.presidio_language ?? 'en', ...(entities.length && { entities }) }, signal);
          if (!Array.isArray(found)) bad('a list');
          const kept = found.filter((f) => f.score >= (limits[f.entity_type] ?? limits.ALL ?? 0));
          if (!kept.length) continue;
          for (const f of kept) names.add(f.entity_type);
          const b = kept.find((f) => actions[f.entity_type] === 'BLOCK');
          if (b) return block(`Blocked PII entity detected: ${b.entity_type}`, [...names]);
          let masked: string;
          if (tokens) {
            // output_parse_pii: each value its own placeholder (<PERSON_1>), restored in the answer.
            masked = '';
            let at = 0;
            for (const f of kept.sort((a, b) => a.start - b.start)) {
              if (f.start < at) continue;
              masked += text.slice(at, f.start) + tag(`<${f.entity_type}>`, text.slice(f.start, f.end), tokens);
              at = f.end;
            }
            masked += text.slice(at);
          } else masked = (await post(deps, `${base(p.presidio_anonymizer_api_base)}/anonymize`, {}, { text, analyzer_results: kept }, signal)).text ?? bad('text');
          (changed ??= texts.slice())[i] = masked;
        }
        return { texts: changed, found: names.size ? [...names] : undefined };
      };
    },
    true,
  ),

  lakera_v2: service({ project_id: str, breakdown: bool, payload: bool }, ['api_key'], (p, deps) => async (texts, side, _t, signal) => {
    const role = side === 'input' ? 'user' : 'assistant';
    const body = { messages: texts.filter(Boolean).map((content) => ({ role, content })), project_id: p.project_id, breakdown: p.breakdown, payload: p.payload };
    const r = await post(deps, `${base(p.api_base ?? 'https://api.lakera.ai')}/v2/guard`, { authorization: `Bearer ${p.api_key}` }, body, signal);
    if (typeof r?.flagged !== 'boolean') bad('flagged');
    if (!r.flagged) return PASS;
    const found: string[] = (Array.isArray(r.breakdown) ? r.breakdown : []).filter((b: any) => b?.detected).map((b: any) => String(b.detector_type));
    return block(`Violated guardrail policy: Lakera Guard flagged the ${who(side)}${found.length ? ` (${found.join(', ')})` : ''}`, found);
  }),

  bedrock: {
    ...service(
      { guardrailIdentifier: str, guardrailVersion: str, aws_region_name: str, aws_access_key_id: str, aws_secret_access_key: str, aws_session_token: str, aws_bedrock_runtime_endpoint: str },
      ['guardrailIdentifier', 'guardrailVersion'],
      (p, deps) => {
        const url = `${endpointOf(p as never)}/guardrail/${encodeURIComponent(p.guardrailIdentifier)}/version/${encodeURIComponent(p.guardrailVersion)}/apply`;
        return async (texts, side, _t, signal) => {
          const body = { source: side === 'input' ? 'INPUT' : 'OUTPUT', content: texts.map((text) => ({ text: { text } })) };
          const r = await post(deps, url, (b) => signedHeaders({ params: p as never }, url, b, 'application/json'), body, signal);
          if (r.action === 'NONE') return PASS;
          if (r.action !== 'GUARDRAIL_INTERVENED') bad('a known action');
          // Every policy only anonymized, with a text back for each: the request goes on masked; else it is blocked.
          const actions = JSON.stringify(r.assessments ?? []).match(/"action":"[A-Z_]+"/g)?.filter((a) => !a.includes('NONE')) ?? [];
          const outs = (r.outputs ?? []).map((o: any) => o?.text);
          if (actions.length && actions.every((a) => a.includes('ANONYMIZED')) && outs.length === texts.length && outs.every((t: unknown) => typeof t === 'string')) return { texts: outs, found: ['anonymized'] };
          return block(`Violated guardrail policy: ${typeof outs[0] === 'string' ? outs[0] : 'blocked'}`);
        };
      },
    ),
    check(p, path, out) {
      for (const k of ['guardrailIdentifier', 'guardrailVersion', ...(p.api_key ? [] : ['aws_access_key_id', 'aws_secret_access_key'])]) if (!p[k]) out.errors.push(`${path}.${k}: required for guardrail "bedrock"`);
    },
  },

  'azure/prompt_shield': service({ api_version: str }, ['api_base', 'api_key'], (p, deps) => async (texts, _s, _t, signal) => {
    const [userPrompt = '', ...documents] = texts.filter(Boolean).reverse();
    const r = await post(deps, azureUrl(p, 'shieldPrompt'), azureAuth(p), { userPrompt, documents }, signal);
    if (typeof r?.userPromptAnalysis?.attackDetected !== 'boolean') bad('userPromptAnalysis');
    const attack = r.userPromptAnalysis.attackDetected || r.documentsAnalysis?.some?.((d: any) => d?.attackDetected);
    return attack ? block('Violated Azure Prompt Shield policy: a prompt attack was detected', ['prompt_attack']) : PASS;
  }),

  'azure/text_moderations': service({ api_version: str, severity_threshold: severity, severity_threshold_by_category: record(severity), categories: list(str) }, ['api_base', 'api_key'], (p, deps) => async (texts, _s, _t, signal) => {
    const r = await post(deps, azureUrl(p, 'analyze'), azureAuth(p), { text: texts.join('\n'), categories: p.categories, outputType: 'FourSeverityLevels' }, signal);
    if (!Array.isArray(r?.categoriesAnalysis)) bad('categoriesAnalysis');
    const over: string[] = r.categoriesAnalysis.filter((c: any) => c?.severity >= (p.severity_threshold_by_category?.[c.category] ?? p.severity_threshold ?? 2)).map((c: any) => `${c.category} (severity ${c.severity})`);
    return over.length ? block(`Violated Azure Content Safety policy: ${over.join(', ')}`, over) : PASS;
  }),

  generic_guardrail_api: service({ additional_provider_specific_params: record((x) => x) }, ['api_base', 'api_key'], (p, deps) => async (texts, side, _t, signal) => {
    const body = { texts, request_data: {}, input_type: side === 'input' ? 'request' : 'response', additional_provider_specific_params: p.additional_provider_specific_params ?? {} };
    const r = await post(deps, `${base(p.api_base)}/beta/litellm_basic_guardrail_api`, { 'x-api-key': p.api_key, authorization: `Bearer ${p.api_key}` }, body, signal);
    if (r?.action === 'NONE') return PASS;
    if (r?.action === 'BLOCKED') return block(`Content blocked: ${r.blocked_reason ?? 'by the guardrail API'}`);
    if (r?.action !== 'GUARDRAIL_INTERVENED' || r.texts?.length !== texts.length || r.texts.some((t: unknown) => typeof t !== 'string')) bad('a known action, or a text for each text');
    return { texts: r.texts, found: ['intervened'] };
  }),

  openai_moderation: {
    ...service({ model: str }, [], (p, deps) => {
      const model: string = p.model ?? 'omni-moderation-latest';
      return async (texts, side, _t, signal) => {
        // A model group of this gateway: its first OpenAI-wire deployment, with its base and key.
        const via = deps.group?.(model);
        const key = via?.apiKey ?? p.api_key ?? bad(`a key for ${model}`);
        const r = await post(deps, `${base(via?.apiBase ?? p.api_base ?? 'https://api.openai.com/v1')}/moderations`, { authorization: `Bearer ${key}` }, { model: via?.model ?? model, input: texts.filter(Boolean) }, signal);
        if (!Array.isArray(r?.results)) bad('results');
        const found = [...new Set<string>(r.results.flatMap((x: any) => (x?.flagged ? Object.keys(x.categories ?? {}).filter((k) => x.categories[k] === true) : [])))];
        return r.results.some((x: any) => x?.flagged) ? block(`Violated OpenAI moderation policy${found.length ? `: ${found.join(', ')}` : ''} in the ${who(side)}`, found) : PASS;
      };
    }),
    check(p, path, out) {
      if (!p.api_key && !p.model) out.errors.push(`${path}.api_key: required for guardrail "openai_moderation" (or model: a model group)`);
    },
  },
};
