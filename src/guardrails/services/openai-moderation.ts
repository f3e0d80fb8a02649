// OpenAI's moderation endpoint (guardrail: openai_moderation): POST {api_base}/moderations, blocked when any result
// is flagged. `model` may name one of this gateway's model groups: its first OpenAI-wire deployment is called, with
// that deployment's base and key; else api_base (OpenAI's by default) and api_key.
// https://platform.openai.com/docs/api-reference/moderations
import { str } from '../../config/validate';
import type { Kind } from '../kinds';
import { base, postJson } from './http';

export const openaiModeration: Kind = {
  params: { model: str },
  check(p, path, out) {
    if (!p.api_key && !p.model) out.errors.push(`${path}.api_key: required for guardrail "openai_moderation" (or model: a model group of this gateway)`);
  },
  service(p, deps) {
    const model = (p.model as string | undefined) ?? 'omni-moderation-latest';
    return async (texts, side, _tokens, signal) => {
      const via = deps.group?.(model);
      const apiBase = via?.apiBase ?? (p.api_base as string | undefined) ?? 'https://api.openai.com/v1';
      const key = via?.apiKey ?? (p.api_key as string | undefined);
      if (!key) throw new Error(`no key for moderation model ${model}`);
      const r = await postJson(deps.fetch, `${base(apiBase)}/moderations`, { authorization: `Bearer ${key}` }, { model: via?.model ?? model, input: texts.filter(Boolean) }, signal);
      if (!Array.isArray(r?.results)) throw new Error('the moderation endpoint answered without results');
      const flagged = r.results.filter((x: any) => x?.flagged);
      if (flagged.length === 0) return { kind: 'pass' };
      const categories = [...new Set(flagged.flatMap((x: any) => Object.entries(x.categories ?? {}).filter(([, v]) => v === true).map(([k]) => k)))] as string[];
      return { kind: 'block', message: `Violated OpenAI moderation policy${categories.length ? `: ${categories.join(', ')}` : ''} in the ${side === 'input' ? 'request' : 'answer'}`, found: categories };
    };
  },
};
