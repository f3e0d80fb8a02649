/** The litellm_params that hold secrets: never hashed into ids, always cut out of what leaves the gateway. */
export const SECRET_PARAMS: readonly string[] = [
  'api_key',
  'azure_ad_token',
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  'vertex_credentials',
];
