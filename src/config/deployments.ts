// Each deployment's provider, resolved at load as the Router resolves it (router/deployment.ts), so the loader
// that check-config and the build run judges a config exactly as the Worker does: a provider's fault in its
// litellm_params refuses the config; a provider this gateway does not serve is a warning (that deployment
// answers 400 when called, the rest serves).
import { findProvider } from '../providers/registry';
import type { ModelListEntry } from './types';
import type { Findings } from './validate';

export function checkDeployments(models: ModelListEntry[], out: Findings, path = 'model_list') {
  models.forEach((m, i) => {
    const at = `${path}[${i}].litellm_params`;
    const { model } = m.litellm_params;
    const found = findProvider(model);
    if (!found) {
      // A wildcard model (`*`) takes its provider from each request's model name.
      if (!model.includes('*')) out.warnings.push(`${at}.model: no provider for "${model}" here: model group "${m.model_name}" answers 400 when it reaches it`);
      return;
    }
    const fault = found.provider.check?.(m.litellm_params);
    if (fault) out.errors.push(`${at}.${fault}`);
  });
}
