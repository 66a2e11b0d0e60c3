import Joi from 'joi';
import type { ErrorDetail } from '../errors';

const ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_DEPTH = 32;

/** ISO 8601 with a zone (a time without one means a different instant on every provider's server). */
export const zonedIsoDate = () =>
  Joi.string()
    .pattern(ZONE, 'zone')
    .isoDate()
    .messages({ 'string.pattern.name': '{{#label}} must be an ISO 8601 date with a time zone (Z or ±hh:mm)' });

export const uuid = () =>
  Joi.string().pattern(UUID, 'uuid').lowercase().messages({ 'string.pattern.name': '{{#label}} must be a UUID' });

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

/** Any JSON object, stored as sent, but not nested deeper than anyone's real payload is. */
export const jsonObject = () =>
  Joi.object()
    .unknown(true)
    .custom((value, helpers) => (depthOf(value) > MAX_DEPTH ? helpers.error('object.depth') : value))
    .messages({ 'object.depth': `{{#label}} is nested deeper than ${MAX_DEPTH} levels` });

export function toDetails(error: Joi.ValidationError): ErrorDetail[] {
  return error.details.map((d) => ({ path: d.path.join('.'), message: d.message }));
}
