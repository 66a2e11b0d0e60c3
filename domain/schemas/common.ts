import Joi from 'joi';
import type { ErrorDetail } from '../errors';
import { isLosslessNumber, isStorableNumber } from '../json-text';
import { parseZonedIsoDate } from './zoned-dates';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A uuid in its usual text form, any case: ids in paths and arguments are checked before a query. */
export const isUuid = (value: string): boolean => UUID.test(value);
const MAX_DEPTH = 32;

/** What makes a free-form object unstorable or unreasonable: nesting past MAX_DEPTH, a number jsonb cannot hold. */
function freeFormProblem(value: unknown): string | undefined {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (isLosslessNumber(node)) {
      if (!isStorableNumber(node.value)) return `{{#label}} holds a number PostgreSQL cannot store: ${node.value.slice(0, 40)}`;
      continue;
    }
    if (depth > MAX_DEPTH) return `{{#label}} is nested deeper than ${MAX_DEPTH} levels`;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return undefined;
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

/** ISO 8601 with a zone (a time without one means a different instant on every provider's server), on
 * a real calendar day, from 1970 to year 9999 (see zoned-dates.ts), normalized to UTC with milliseconds. */
export const zonedIsoDate = () =>
  Joi.string()
    .custom((value: string, helpers) => {
      const instant = parseZonedIsoDate(value);
      if (instant === undefined)
        return helpers.message({ custom: '{{#label}} must be an ISO 8601 date-time with a time zone (Z or ±hh:mm)' });
      if (instant === 'out-of-range')
        return helpers.message({ custom: '{{#label}} must be a real date and time from 1970-01-01 to 9999-12-31' });
      return new Date(instant).toISOString();
    })
    .meta({ format: 'date-time' });

/** A uuid, any case, given back in lower case. */
export const uuid = () =>
  Joi.string()
    .custom((value: string, helpers) => (isUuid(value) ? value.toLowerCase() : helpers.message({ custom: '{{#label}} must be a UUID' })))
    .meta({ format: 'uuid' });

/** Any JSON object, stored as sent (numbers too), but not nested deeper than anyone's real payload is. */
export const jsonObject = () =>
  Joi.object()
    .unknown(true)
    .custom((value: object, helpers) => {
      if (isLosslessNumber(value)) return helpers.message({ custom: '{{#label}} must be of type object' });
      const problem = freeFormProblem(value);
      return problem ? helpers.message({ custom: problem }) : value;
    });

export const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** An object schema's keys, and which of them may be sent as null to mean absent (the optional ones). */
export interface KeyShape {
  readonly known: ReadonlySet<string>;
  readonly nullable: ReadonlySet<string>;
}

export function keyShape(schema: Joi.ObjectSchema): KeyShape {
  const keys = (schema.describe().keys ?? {}) as Record<string, { flags?: { presence?: string } }>;
  const names = Object.keys(keys);
  return { known: new Set(names), nullable: new Set(names.filter((key) => keys[key].flags?.presence !== 'required')) };
}

/** Unknown keys of one object reported by name; past these, only counted. */
const REPORTED_UNKNOWN_KEYS = 20;
/** Violations reported by name; past these, only counted. */
const REPORTED_VIOLATIONS = 20;

const joinPath = (path: string, key: string) => (path ? `${path}.${key}` : key);

/**
 * `value` as its schema should see it: optional keys sent as null left out (null means absent),
 * `__proto__` reported as the unknown key it is (Joi would drop it without a word), and unknown keys past
 * the first few left out and counted, so a body with a hundred thousand of them costs milliseconds rather
 * than a second and a report of megabytes. `value` itself when nothing needs leaving out.
 */
export function screenKeys(value: Record<string, unknown>, shape: KeyShape, path: string, details: ErrorDetail[]): Record<string, unknown> {
  const keys = Object.keys(value);
  const unknown = keys.filter((key) => !shape.known.has(key));
  const hasProto = unknown.includes('__proto__');
  const hasNull = keys.some((key) => value[key] === null && shape.nullable.has(key));
  if (!hasProto && !hasNull && unknown.length <= REPORTED_UNKNOWN_KEYS) return value;
  const copy: Record<string, unknown> = {};
  for (const key of keys) if (shape.known.has(key) && !(value[key] === null && shape.nullable.has(key))) copy[key] = value[key];
  for (const key of unknown.slice(0, REPORTED_UNKNOWN_KEYS)) if (key !== '__proto__') copy[key] = value[key];
  if (hasProto) details.push({ path: joinPath(path, '__proto__'), message: `"${joinPath(path, '__proto__')}" is not allowed` });
  const more = unknown.length - REPORTED_UNKNOWN_KEYS;
  if (more > 0) details.push({ path, message: `${more} more fields${path ? ` of "${path}"` : ''} are not allowed` });
  return copy;
}

/** The first violations, and a count of the rest: a hostile body must not buy a huge answer. */
export function capDetails(details: ErrorDetail[]): ErrorDetail[] {
  if (details.length <= REPORTED_VIOLATIONS) return details;
  const more = details.length - REPORTED_VIOLATIONS;
  return [...details.slice(0, REPORTED_VIOLATIONS), { path: '', message: `and ${more} more violations` }];
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
