// One stored deployment as the config's loader judges a model_list entry, with this Worker's env: for /model/new and
// /model/update, and for the gateway built over the stored list. Apart from stored.ts, which the companion imports
// (the loader stays out of its bundle).
import type { Loaded } from '../config/load';
import { loadProxyObject } from '../config/load';
import type { ProxyConfig } from '../config/types';
import type { StoredModel } from './stored';

export const loadStored = (m: Pick<StoredModel, 'model_name' | 'litellm_params' | 'model_info'>, env: Record<string, unknown>): Loaded<ProxyConfig> =>
  loadProxyObject({ model_list: [{ model_name: m.model_name, litellm_params: m.litellm_params, model_info: m.model_info }] }, env);
