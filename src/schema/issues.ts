// A request body checked against its schema; the first fault becomes a 400 in OpenAI's words, naming the parameter.
import * as v from 'valibot';
import { badRequest, type RouterError } from '../router/errors';

type Issue = v.BaseIssue<unknown>;

/** The schema's output, or a RouterError (400) describing the first fault. */
export function parseBody<S extends v.GenericSchema>(schema: S, body: unknown, explain: (issue: Issue) => RouterError = issueError): v.InferOutput<S> {
  const result = v.safeParse(schema, body, { abortEarly: true });
  if (result.success) return result.output;
  throw explain(result.issues[0]);
}

export function issueError(top: Issue): RouterError {
  const issue = deepest(top);
  const param = paramOf(issue);
  const name = param ?? 'body';
  const input = issue.input;
  if (issue.type === 'strict_object' && issue.expected === 'never') {
    return badRequest(`Unrecognized request argument supplied: ${name}`, param, 'unknown_parameter');
  }
  if (issue.kind === 'schema' && input === undefined && param !== null) {
    return badRequest(`Missing required parameter: '${name}'.`, param, 'missing_required_parameter');
  }
  if ((issue.type === 'picklist' || issue.type === 'literal' || issue.type === 'variant') && issue.expected !== 'Object') {
    return badRequest(`Invalid value for '${name}': ${shown(input)}. Supported values are: ${listOf(tokens(issue.expected))}.`, param, 'invalid_value');
  }
  if (issue.kind === 'schema') {
    if (param === null) return badRequest('The request body must be a JSON object.', null, 'invalid_type');
    // A schema may carry its own description of what it takes ("an array of strings"); valibot's own messages start with "Invalid".
    const expected = issue.message.startsWith('Invalid ') ? listOf(tokens(issue.expected).map(article)) : issue.message;
    return badRequest(`Invalid type for '${name}': expected ${expected}, but got ${kindOf(input)} instead.`, param, 'invalid_type');
  }
  const req = (issue as { requirement?: unknown }).requirement;
  const num = typeof input === 'number' ? (Number.isInteger(input) ? 'integer' : 'decimal') : 'value';
  switch (issue.type) {
    case 'min_value':
      return badRequest(`Invalid '${name}': ${num} below minimum value. Expected a value >= ${req}, but got ${input} instead.`, param, `${num}_below_min_value`);
    case 'max_value':
      return badRequest(`Invalid '${name}': ${num} above maximum value. Expected a value <= ${req}, but got ${input} instead.`, param, `${num}_above_max_value`);
    case 'safe_integer':
      // 1e308 is a whole number, yet past what a JSON number can count exactly.
      if (Number.isInteger(input)) {
        const above = (input as number) > 0;
        return badRequest(
          `Invalid '${name}': integer ${above ? 'above maximum' : 'below minimum'} value. Expected a value ${above ? '<=' : '>='} ${above ? '' : '-'}${Number.MAX_SAFE_INTEGER}, but got ${input} instead.`,
          param,
          `integer_${above ? 'above_max' : 'below_min'}_value`,
        );
      }
    // falls through
    case 'integer':
      return badRequest(`Invalid type for '${name}': expected an integer, but got ${kindOf(input)} ${shown(input)} instead.`, param, 'invalid_type');
    case 'min_length':
    case 'max_length': {
      const what = Array.isArray(input) ? 'array' : 'string';
      const size = (input as { length: number }).length;
      if (size === 0) return badRequest(`Invalid '${name}': empty ${what}. Expected a ${what} with minimum length ${req}, but got an empty ${what} instead.`, param, `empty_${what}`);
      if (issue.type === 'max_length') return tooLong(name, input as string | unknown[], req as number);
      return badRequest(`Invalid '${name}': ${what} too short. Expected a ${what} with minimum length ${req}, but got a ${what} with length ${size} instead.`, param, `${what}_below_min_length`);
    }
    default:
      return badRequest(`Invalid '${name}': ${issue.message}`, param, 'invalid_value');
  }
}

/**
 * The first fault in Anthropic's words (pydantic's, after a dotted path: `messages.0.content: Input should be ...`),
 * for the Messages routes. A 400 like issueError's, with the same param.
 */
export function anthropicIssueError(top: Issue): RouterError {
  const issue = deepest(top);
  const param = paramOf(issue, '.');
  if (param === null) return badRequest('The request body must be a JSON object.', null, 'invalid_type');
  const input = issue.input;
  const req = (issue as { requirement?: unknown }).requirement;
  const say = (what: string, code: string) => badRequest(`${param}: ${what}`, param, code);
  if (issue.kind === 'schema' && input === undefined) return say('Field required', 'missing_required_parameter');
  if ((issue.type === 'picklist' || issue.type === 'literal' || issue.type === 'variant') && issue.expected !== 'Object') {
    return say(`Input should be ${listOf(tokens(issue.expected).map((t) => `'${t.replace(/^"|"$/g, '')}'`))}`, 'invalid_value');
  }
  if (issue.kind === 'schema') {
    const expected = issue.message.startsWith('Invalid ') ? listOf(tokens(issue.expected).map((t) => PYDANTIC[t] ?? t)) : issue.message;
    return say(`Input should be ${expected}`, 'invalid_type');
  }
  switch (issue.type) {
    case 'min_value':
      return say(`Input should be greater than or equal to ${req}`, 'invalid_value');
    case 'max_value':
      return say(`Input should be less than or equal to ${req}`, 'invalid_value');
    case 'integer':
    case 'safe_integer':
      return say('Input should be a valid integer', 'invalid_type');
    case 'min_length':
      return say(Array.isArray(input) ? `List should have at least ${req} item${req === 1 ? '' : 's'} after validation` : `String should have at least ${req} character${req === 1 ? '' : 's'}`, 'invalid_value');
    default:
      return say(issue.message, 'invalid_value');
  }
}

const PYDANTIC: Record<string, string> = { string: 'a valid string', number: 'a valid number', boolean: 'a valid boolean', Array: 'a valid list', Object: 'a valid dictionary', null: 'null' };

/** A string or list over its limit, in OpenAI's words, naming the field (or header) it came in. */
export function tooLong(name: string, value: string | unknown[], max: number): RouterError {
  const what = Array.isArray(value) ? 'array' : 'string';
  return badRequest(
    `Invalid '${name}': ${what} too long. Expected a${what === 'array' ? 'n' : ''} ${what} with maximum length ${max}, but got a${what === 'array' ? 'n' : ''} ${what} with length ${value.length} instead.`,
    name,
    `${what}_above_max_length`,
  );
}

/** Of a union's alternatives (their paths relative to the union), the fault found deepest says most: stop[1], not stop. */
function deepest(issue: Issue): Issue {
  let best = issue;
  for (const sub of issue.issues ?? []) {
    const d = deepest(sub);
    const path = [...(issue.path ?? []), ...(d.path ?? [])] as Issue['path'];
    if ((path?.length ?? 0) > (best.path?.length ?? 0)) best = { ...d, path };
  }
  return best;
}

/** messages[0].content (or messages.0.content, Anthropic's way), cache.ttl, or null for the body itself. */
export function paramOf(issue: Issue, index: '[]' | '.' = '[]'): string | null {
  let out = '';
  for (const item of issue.path ?? []) {
    const key = item.key as string | number;
    if (typeof key === 'number' && index === '[]') out += `[${key}]`;
    else out += out === '' ? key : `.${key}`;
  }
  return out === '' ? null : out;
}

const tokens = (expected: string | null) => (expected ?? '').replace(/^\(|\)$/g, '').split(' | ').filter(Boolean);

const ARTICLE: Record<string, string> = { string: 'a string', number: 'a number', boolean: 'a boolean', Array: 'an array', Object: 'an object', null: 'null' };
const article = (token: string) => ARTICLE[token] ?? token;

function listOf(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? 'a valid value') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** The value as JSON, cut short: an error message never carries a client's megabytes back. */
const shown = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
