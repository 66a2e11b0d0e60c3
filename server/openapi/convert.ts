// Joi → OpenAPI 3.1 schemas with joi-to-json, plus the two things it cannot know from a Joi description.
import type Joi from 'joi';
import parse from 'joi-to-json';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON Schema is a free-form tree, walked and built by key; the document's own test validates it
export type JsonSchema = Record<string, any>;

/**
 * An answer schema marked `.meta({ 'x-component': Name })` is a component of its own: nested inside
 * another it becomes a $ref (anyOf with null where it may be null), so each appears once in the document.
 */
function toRefs(schema: JsonSchema, root: boolean): JsonSchema {
  if (Array.isArray(schema)) return schema.map((item) => toRefs(item, false));
  if (schema === null || typeof schema !== 'object') return schema;
  const name = schema['x-component'];
  if (name && !root) {
    const ref = { $ref: `#/components/schemas/${name}` };
    const nullable = Array.isArray(schema.type) && schema.type.includes('null');
    return nullable ? { anyOf: [ref, { type: 'null' }], description: schema.description } : ref;
  }
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) if (key !== 'x-component') out[key] = toRefs(value, false);
  return out;
}

export function answerSchema(joi: Joi.Schema): JsonSchema {
  return toRefs(parse(joi, 'open-api-3.1'), true);
}

/**
 * A request body's schema. The API takes null for an optional field and treats it as absent, which the
 * Joi schemas leave to a step before validation (screenKeys): said here, so clients that send nulls
 * are not told they are wrong.
 */
export function requestSchema(joi: Joi.Schema): JsonSchema {
  return nullableOptionals(parse(joi, 'open-api-3.1'));
}

function nullableOptionals(schema: JsonSchema): JsonSchema {
  if (schema.type !== 'object' || !schema.properties) return schema;
  const required = new Set<string>(schema.required ?? []);
  const properties: JsonSchema = {};
  for (const [key, property] of Object.entries<JsonSchema>(schema.properties)) {
    const inner = nullableOptionals(property);
    properties[key] = required.has(key) ? inner : orNull(inner);
  }
  return { ...schema, properties };
}

function orNull(schema: JsonSchema): JsonSchema {
  const out = { ...schema };
  if (typeof out.type === 'string') out.type = [out.type, 'null'];
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  return out;
}

/** A query schema's keys as OpenAPI query parameters. */
export function queryParameters(joi: Joi.ObjectSchema): JsonSchema[] {
  const schema = parse(joi, 'open-api-3.1') as JsonSchema;
  const required = new Set<string>(schema.required ?? []);
  return Object.entries<JsonSchema>(schema.properties).map(([name, { description, ...property }]) => ({
    name,
    in: 'query',
    required: required.has(name),
    description,
    schema: property,
  }));
}
