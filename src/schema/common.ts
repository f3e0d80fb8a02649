// Building blocks shared by the request schemas.
import * as v from 'valibot';

/** OpenAI takes null for every optional parameter, meaning "not set". */
export const opt = <S extends v.GenericSchema>(schema: S) => v.nullish(schema);

export const int = (min: number, max = Number.MAX_SAFE_INTEGER) => v.pipe(v.number(), v.safeInteger(), v.minValue(min), v.maxValue(max));
export const range = (min: number, max: number) => v.pipe(v.number(), v.minValue(min), v.maxValue(max));
export const text = v.string();
export const nonEmpty = v.pipe(v.string(), v.minLength(1));

/**
 * The longest name or id a client may set where it becomes a label, a log field or a storage key (an alias, a
 * team or user id, a tag, a call id): LiteLLM's limit for a key alias.
 */
export const MAX_NAME_LENGTH = 255;
/** A name or id as above: 1 to MAX_NAME_LENGTH characters. */
export const name = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_NAME_LENGTH));
/** A string of at most MAX_NAME_LENGTH characters, empty included (`user`). */
export const shortText = v.pipe(v.string(), v.maxLength(MAX_NAME_LENGTH));
export const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A JSON object (never an array) of the given keys and values. */
export const dict = <K extends v.GenericSchema<string, string | number | symbol>, V extends v.GenericSchema>(key: K, value: V) =>
  v.pipe(v.custom<Record<string, unknown>>(isObject, 'an object'), v.record(key, value));

/** A JSON object whose contents are the upstream's to judge (JSON Schemas, provider options). */
export const anyObject = dict(v.string(), v.unknown());
/** A name OpenAI accepts for a function, tool or schema. */
export const functionName = v.pipe(v.string(), v.maxLength(64), v.regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, _ and - only'));

/** A request body: a JSON object (never an array) of these parameters, any other key refused by name. */
export const body = <E extends v.ObjectEntries>(entries: E) => v.pipe(v.custom<Record<string, unknown>>(isObject, 'a JSON object'), v.strictObject(entries));

/** A request body whose API adds fields faster than the gateway learns them: these checked, any other left to the upstream. */
export const openBody = <E extends v.ObjectEntries>(entries: E) => v.pipe(v.custom<Record<string, unknown>>(isObject, 'a JSON object'), v.looseObject(entries));

/** A JSON object with a string `type`, of any other fields: a kind of item the gateway does not read, for the upstream to judge. */
export const typedObject = v.looseObject({ type: v.string() });

/**
 * Items told apart by `type` (content blocks, input items, tools), where the API has more kinds than the gateway
 * reads and adds new ones often: the kinds in `known` are checked by their schema, any other by `other`.
 * `absent` is the kind an item without a `type` is (Responses' messages).
 */
export function byType(known: Record<string, v.GenericSchema>, other: v.GenericSchema = typedObject, absent?: string) {
  return v.lazy((x) => {
    const t = isObject(x) ? (x.type === undefined ? absent : x.type) : undefined;
    return typeof t === 'string' && Object.hasOwn(known, t) ? known[t] : other;
  });
}
