import Joi from 'joi';
import { validationFailed } from '../../domain/errors';
import { BODY_MESSAGES, REPORT_EVERY_VIOLATION, isObject, optionalKeys, toDetails, unstorableStringPaths, withoutNullKeys, zonedIsoDate } from '../../domain/schemas/common';

export interface NewActivity {
  readonly commerce_external_id: string;
  readonly provider_activity_id?: string;
  readonly channel?: string;
  readonly scheduled_at?: string;
}

const schema = Joi.object({
  commerce_external_id: Joi.string().min(1).max(255).required(),
  provider_activity_id: Joi.string().min(1).max(255),
  channel: Joi.string().min(1).max(100),
  scheduled_at: zonedIsoDate(),
})
  .required()
  .prefs(REPORT_EVERY_VIOLATION);

// Optional fields sent as null mean absent, as in a task result.
const NULLABLE = optionalKeys(schema);

export function parseNewActivity(body: unknown): NewActivity {
  const { value, error } = schema.validate(isObject(body) ? withoutNullKeys(body, NULLABLE) : body);
  // Like a task result's, or PostgreSQL would store NUL as "\0" and an unpaired surrogate as U+FFFD.
  const details = [...(error ? toDetails(error, BODY_MESSAGES) : []), ...unstorableStringPaths(body)];
  if (details.length > 0) throw validationFailed(`invalid activity: ${details.map((d) => d.message).join('; ')}`, details);
  return value;
}
