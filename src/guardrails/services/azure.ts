// Azure AI Content Safety: Prompt Shields (guardrail: azure/prompt_shield, POST /contentsafety/text:shieldPrompt) finds
// prompt attacks in the request; text moderation (guardrail: azure/text_moderations, POST /contentsafety/text:analyze)
// rates Hate, SelfHarm, Sexual and Violence, and blocks at severity_threshold (2 by default) or above.
// https://learn.microsoft.com/azure/ai-services/content-safety/
import { list, num, record, str } from '../../config/validate';
import type { Kind } from '../kinds';
import { base, postJson, requireKeys } from './http';

const API_VERSION = '2024-09-01';
const check: Kind['check'] = (p, path, out) => requireKeys(p, path, out, ['api_base', 'api_key']);
const url = (p: Record<string, unknown>, op: string) => `${base(p.api_base as string)}/contentsafety/text:${op}?api-version=${(p.api_version as string | undefined) ?? API_VERSION}`;
const auth = (p: Record<string, unknown>) => ({ 'Ocp-Apim-Subscription-Key': p.api_key as string });

export const promptShield: Kind = {
  params: { api_version: str },
  check,
  service(p, deps) {
    return async (texts, _side, _tokens, signal) => {
      const [userPrompt, ...documents] = texts.filter(Boolean).reverse();
      const r = await postJson(deps.fetch, url(p, 'shieldPrompt'), auth(p), { userPrompt: userPrompt ?? '', documents }, signal);
      if (typeof r?.userPromptAnalysis?.attackDetected !== 'boolean') throw new Error('Prompt Shields answered without userPromptAnalysis');
      const attack = r.userPromptAnalysis.attackDetected || (Array.isArray(r.documentsAnalysis) && r.documentsAnalysis.some((d: any) => d?.attackDetected));
      return attack ? { kind: 'block', message: 'Violated Azure Prompt Shield policy: a prompt attack was detected', found: ['prompt_attack'] } : { kind: 'pass' };
    };
  },
};

export const textModeration: Kind = {
  params: { api_version: str, severity_threshold: num({ min: 0, max: 7, int: true }), severity_threshold_by_category: record(num({ min: 0, max: 7, int: true })), categories: list(str) },
  check,
  service(p, deps) {
    const threshold = (p.severity_threshold as number | undefined) ?? 2;
    const byCategory = (p.severity_threshold_by_category as Record<string, number> | undefined) ?? {};
    return async (texts, _side, _tokens, signal) => {
      const r = await postJson(deps.fetch, url(p, 'analyze'), auth(p), { text: texts.join('\n'), categories: p.categories, outputType: 'FourSeverityLevels' }, signal);
      if (!Array.isArray(r?.categoriesAnalysis)) throw new Error('Azure Content Safety answered without categoriesAnalysis');
      const over = r.categoriesAnalysis.filter((c: any) => typeof c?.severity === 'number' && c.severity >= (byCategory[c.category] ?? threshold)).map((c: any) => `${c.category} (severity ${c.severity})`);
      return over.length ? { kind: 'block', message: `Violated Azure Content Safety policy: ${over.join(', ')}`, found: over } : { kind: 'pass' };
    };
  },
};
