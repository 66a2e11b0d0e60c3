import Joi from 'joi';
import type { ErrorDetail } from '../errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A uuid in its usual text form, any case: ids in paths and arguments are checked before a query. */
export const isUuid = (value: string): boolean => UUID.test(value);
const MAX_DEPTH = 32;

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_DEPTH) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

// PostgreSQL stores neither U+0000 nor an unpaired UTF-16 surrogate (JSON allows "\ud800"; UTF-8 has
// no encoding for it): jsonb refuses them and text would get a replacement character instead. Such an
// event could never be applied, so it is refused up front rather than acknowledged and retried in vain.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function unstorable(text: string): string | undefined {
  if (text.includes('\u0000')) return 'the NUL character';
  if (LONE_SURROGATE.test(text)) return 'an unpaired UTF-16 surrogate';
  return undefined;
}

/** Paths of strings (values or keys) PostgreSQL cannot store: with U+0000 or an unpaired surrogate. */
export function unstorableStringPaths(value: unknown, path: string[] = [], found: ErrorDetail[] = []): ErrorDetail[] {
  if (found.length >= 10) return found;
  if (typeof value === 'string') {
    const what = unstorable(value);
    if (what) found.push({ path: path.join('.'), message: `"${path.join('.')}" must not contain ${what}` });
  } else if (value !== null && typeof value === 'object' && path.length <= MAX_DEPTH) {
    for (const [key, child] of Object.entries(value)) unstorableStringPaths(unstorable(key) ? key : child, [...path, key], found);
  }
  return found;
}

// Custom checks word their errors with `helpers.message`, which only runs on an error. A schema given
// `.messages()` instead gets preferences of its own, which Joi merges with the call's options again on
// every validation, templates and all: a third of the time spent validating a task result.

/** ISO 8601 with a zone (a time without one means a different instant on every provider's server),
 * normalized to UTC with milliseconds. */
export const zonedIsoDate = () =>
  Joi.string().custom((value: string, helpers) => {
    const date = new Date(value);
    if (!ISO_DATE_TIME.test(value) || Number.isNaN(date.getTime())) {
      return helpers.message({ custom: '{{#label}} must be an ISO 8601 date-time with a time zone (Z or ±hh:mm)' });
    }
    return date.toISOString();
  });

/** A uuid, any case, given back in lower case. */
export const uuid = () =>
  Joi.string().custom((value: string, helpers) => (isUuid(value) ? value.toLowerCase() : helpers.message({ custom: '{{#label}} must be a UUID' })));

/** Any JSON object, stored as sent, but not nested deeper than anyone's real payload is. */
export const jsonObject = () =>
  Joi.object()
    .unknown(true)
    .custom((value: object, helpers) => (depthOf(value) > MAX_DEPTH ? helpers.message({ custom: `{{#label}} is nested deeper than ${MAX_DEPTH} levels` }) : value));

export const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The keys of an object schema that are not required. */
export function optionalKeys(schema: Joi.ObjectSchema): string[] {
  const keys = (schema.describe().keys ?? {}) as Record<string, { flags?: { presence?: string } }>;
  return Object.keys(keys).filter((key) => keys[key].flags?.presence !== 'required');
}

/** `value` without those of `keys` that are null; `value` itself when none is. */
export function withoutNullKeys(value: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  if (!keys.some((key) => value[key] === null)) return value;
  const copy = { ...value };
  for (const key of keys) if (copy[key] === null) delete copy[key];
  return copy;
}

/**
 * Preferences of the request schemas: every violation at once. Given to the schema rather than to each
 * `validate` call, which would have Joi merge them with its defaults again on every request.
 */
export const REPORT_EVERY_VIOLATION: Joi.ValidationOptions = { abortEarly: false };

/** How toDetails words a body that is missing altogether. */
export const BODY_MESSAGES: Readonly<Record<string, string>> = { 'any.required': 'a JSON object body is required' };

/**
 * Joi's details as the API reports them. `bodyMessages` words, by error type, the errors about the body as
 * a whole: given with `.messages()` they would apply to every field as well.
 */
export function toDetails(error: Joi.ValidationError, bodyMessages: Readonly<Record<string, string>> = {}): ErrorDetail[] {
  return error.details.map((d) => ({ path: d.path.join('.'), message: (d.path.length === 0 && bodyMessages[d.type]) || d.message }));
}
