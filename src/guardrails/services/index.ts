// The guardrail services, called over HTTP in their own wire formats, by LiteLLM's type names.
import type { Kind } from '../kinds';
import { promptShield, textModeration } from './azure';
import { bedrock } from './bedrock';
import { generic } from './generic';
import { lakera } from './lakera';
import { openaiModeration } from './openai-moderation';
import { presidio } from './presidio';

export const SERVICES: Record<string, Kind> = {
  presidio,
  lakera_v2: lakera,
  bedrock,
  'azure/prompt_shield': promptShield,
  'azure/text_moderations': textModeration,
  generic_guardrail_api: generic,
  openai_moderation: openaiModeration,
};
