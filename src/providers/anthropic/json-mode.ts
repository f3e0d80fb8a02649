// OpenAI's response_format (json_schema, json_object) on Anthropic, as LiteLLM does it: the schema becomes a tool
// the model must call, and that call's input comes back as the message content, not as a tool call.
import { badRequest } from '../../router/errors';
import type { Tool } from './types';

/** The tool that carries the answer's JSON; its calls are content, never tool_calls. */
export const JSON_TOOL = 'json_tool_call';

/** The tool for a response_format, or undefined for plain text. */
export function jsonModeTool(format: unknown): Tool | undefined {
  const f = format as { type?: string; json_schema?: { schema?: unknown; description?: string } } | null | undefined;
  if (f == null || f.type === 'text') return undefined;
  if (f.type === 'json_object') return { name: JSON_TOOL, description: 'Answer with a JSON object.', input_schema: { type: 'object' } };
  if (f.type === 'json_schema' && typeof f.json_schema?.schema === 'object') {
    return { name: JSON_TOOL, description: f.json_schema.description ?? 'Answer in this JSON schema.', input_schema: f.json_schema.schema };
  }
  throw badRequest(`Invalid value for 'response_format': ${JSON.stringify(format)}`, 'response_format', 'invalid_value');
}

/** Whether a request asks for JSON (its answer then comes through the JSON tool). */
export const isJsonMode = (format: unknown) => jsonModeTool(format) !== undefined;
