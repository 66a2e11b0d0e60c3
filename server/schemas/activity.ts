import Joi from 'joi';
import { validationFailed } from '../../domain/errors';
import { toDetails, unstorableStringPaths, zonedIsoDate } from '../../domain/schemas/common';

export interface NewActivity {
  readonly commerce_external_id: string;
  readonly provider_activity_id?: string;
  readonly channel?: string;
  readonly scheduled_at?: string;
}

const schema = Joi.object({
  commerce_external_id: Joi.string().min(1).max(255).required(),
  provider_activity_id: Joi.string().min(1).max(255).empty(null),
  channel: Joi.string().min(1).max(100).empty(null),
  scheduled_at: zonedIsoDate().empty(null),
})
  .required();

export function parseNewActivity(body: unknown): NewActivity {
  const { value, error } = schema.validate(body, { abortEarly: false, convert: true });
  // Like a task result's, or PostgreSQL would store NUL as "\0" and an unpaired surrogate as U+FFFD.
  const details = [...(error ? toDetails(error, { 'any.required': 'a JSON object body is required' }) : []), ...unstorableStringPaths(body)];
  if (details.length > 0) throw validationFailed(`invalid activity: ${details.map((d) => d.message).join('; ')}`, details);
  return value;
}
