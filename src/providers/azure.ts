// Azure OpenAI: the deployment name goes in the path, the version in the query, the key in `api-key`.
import { openAIWire } from './openai';
import type { Provider } from './provider';

const DEFAULT_API_VERSION = '2024-10-21';

const base = (d: { params: { api_base?: string } }) => (d.params.api_base ?? '').replace(/\/+$/, '');

const wire = openAIWire(
  'azure',
  (d, endpoint) =>
    `${base(d)}/openai/deployments/${encodeURIComponent(d.upstreamModel)}/${endpoint}?api-version=${encodeURIComponent(
      d.params.api_version ?? DEFAULT_API_VERSION,
    )}`,
  (d): Record<string, string> => (d.params.api_key ? { 'api-key': d.params.api_key } : {}),
  base,
  (params) => (params.api_base ? undefined : 'api_base: required for azure/ deployments (https://<resource>.openai.azure.com)'),
);

export const azure: Provider = {
  ...wire,
  env: { api_key: ['AZURE_API_KEY', 'AZURE_OPENAI_API_KEY'], api_base: ['AZURE_API_BASE'], api_version: ['AZURE_API_VERSION'] },
};
