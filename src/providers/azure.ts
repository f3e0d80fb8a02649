// Azure OpenAI: the deployment name goes in the path, the version in the query, the key in `api-key`.
import { openAIWire } from './openai';
import type { Provider } from './provider';

const DEFAULT_API_VERSION = '2024-10-21';
/** The Responses API came later than chat: LiteLLM's default version for it. */
const DEFAULT_RESPONSES_API_VERSION = '2025-03-01-preview';
/** Versions served under the v1 path (/openai/v1/responses), as LiteLLM builds it. */
const V1_VERSIONS = new Set(['v1', 'preview', 'latest']);
/** The first dated version that takes `stream_options` (earlier ones answer 400 "Unrecognized request argument"). */
const STREAM_OPTIONS_SINCE = '2024-09-01';

const base = (d: { params: { api_base?: string } }) => (d.params.api_base ?? '').replace(/\/+$/, '');

const wire = openAIWire(
  'azure',
  (d, endpoint) => (endpoint === 'responses' ? responsesUrl(d) : endpoint === 'realtime' ? realtimeUrl(d) :
    `${base(d)}/openai/deployments/${encodeURIComponent(d.upstreamModel)}/${endpoint}?api-version=${encodeURIComponent(
      d.params.api_version ?? DEFAULT_API_VERSION,
    )}`),
  (d): Record<string, string> => (d.params.api_key ? { 'api-key': d.params.api_key } : {}),
  base,
  (params) => (params.api_base ? undefined : 'api_base: required for azure/ deployments (https://<resource>.openai.azure.com)'),
  (d) => {
    const version = d.params.api_version ?? DEFAULT_API_VERSION;
    return !/^\d{4}-\d{2}-\d{2}/.test(version) || version >= STREAM_OPTIONS_SINCE;
  },
  // Azure OpenAI has no moderations or rerank of its own.
  new Set(['images/generations', 'images/edits', 'audio/transcriptions', 'audio/translations', 'audio/speech']),
);

export const azure: Provider = {
  ...wire,
  env: { api_key: ['AZURE_API_KEY', 'AZURE_OPENAI_API_KEY'], api_base: ['AZURE_API_BASE'], api_version: ['AZURE_API_VERSION'] },
};

/** The Responses API is not per deployment in the path: `{api_base}/openai/responses?api-version=`, the deployment in `model`. */
function responsesUrl(d: { params: { api_base?: string; api_version?: string } }): string {
  const version = d.params.api_version ?? DEFAULT_RESPONSES_API_VERSION;
  if (!V1_VERSIONS.has(version)) return `${base(d)}/openai/responses?api-version=${encodeURIComponent(version)}`;
  return `${base(d)}/openai/v1/responses${version === 'v1' ? '' : `?api-version=${version}`}`;
}

/** Realtime: `{api_base}/openai/realtime?api-version=&deployment=` (LiteLLM's default version for it). */
const realtimeUrl = (d: { upstreamModel: string; params: { api_base?: string; api_version?: string } }) =>
  `${base(d)}/openai/realtime?api-version=${encodeURIComponent(d.params.api_version ?? '2024-10-01-preview')}&deployment=${encodeURIComponent(d.upstreamModel)}`;
