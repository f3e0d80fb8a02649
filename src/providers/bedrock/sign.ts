// Who a Bedrock deployment is and how its requests are signed: AWS SigV4 (sigv4.ts) with the deployment's keys,
// or a Bedrock API key as a bearer token when `api_key` is set.
import type { LitellmParams } from '../../config/types';
import type { Deployment } from '../../router/deployment';
import { sigV4 } from './sigv4';

/** LiteLLM's default when neither aws_region_name nor AWS_REGION_NAME/AWS_REGION is set. */
const DEFAULT_REGION = 'us-west-2';

/** The litellm_params a deployment may leave out, read from the Worker's env as LiteLLM reads os.environ. */
export const ENV_PARAMS: Readonly<Record<string, readonly string[]>> = {
  aws_access_key_id: ['AWS_ACCESS_KEY_ID'],
  aws_secret_access_key: ['AWS_SECRET_ACCESS_KEY'],
  aws_session_token: ['AWS_SESSION_TOKEN'],
  aws_region_name: ['AWS_REGION_NAME', 'AWS_REGION'],
};

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

export const regionOf = (p: LitellmParams) => str(p.aws_region_name) ?? DEFAULT_REGION;

/** The runtime endpoint: api_base or LiteLLM's aws_bedrock_runtime_endpoint, else the region's own. */
export const endpointOf = (p: LitellmParams) =>
  (str(p.api_base) ?? str(p.aws_bedrock_runtime_endpoint) ?? `https://bedrock-runtime.${regionOf(p)}.amazonaws.com`).replace(/\/+$/, '');

/** A fault in a deployment's credentials, for config load (env values already filled in). */
export function checkCredentials(p: LitellmParams): string | undefined {
  for (const k of ['aws_role_name', 'aws_profile_name', 'aws_web_identity_token']) {
    if (p[k] !== undefined) return `${k}: not supported on Workers (no STS or profile files); give aws_access_key_id and aws_secret_access_key (or api_key, a Bedrock API key)`;
  }
  if (str(p.api_key)) return undefined;
  if (!str(p.aws_access_key_id)) return 'aws_access_key_id: required for bedrock/ (or AWS_ACCESS_KEY_ID in the Worker env, or api_key for a Bedrock API key)';
  if (!str(p.aws_secret_access_key)) return 'aws_secret_access_key: required for bedrock/ (or AWS_SECRET_ACCESS_KEY in the Worker env)';
  return undefined;
}

/** Signing keys derived per (secret, day, region, service), kept for the isolate's life. */
const signingKeys = new Map<string, ArrayBuffer>();

/** The headers of a signed JSON request to `url` (a POST unless said otherwise). */
export async function signedHeaders(d: Pick<Deployment, 'params'>, url: string, body: string | ArrayBuffer | undefined, accept: string, method = 'POST'): Promise<Headers> {
  const p = d.params;
  const headers = { 'content-type': 'application/json', accept };
  const bearer = str(p.api_key);
  if (bearer) return new Headers({ ...headers, authorization: `Bearer ${bearer}` });
  return sigV4(method, url, headers, body, {
    accessKeyId: String(p.aws_access_key_id),
    secretAccessKey: String(p.aws_secret_access_key),
    sessionToken: str(p.aws_session_token),
    service: 'bedrock',
    region: regionOf(p),
  }, signingKeys);
}
