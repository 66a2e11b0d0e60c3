import Joi from 'joi';
import { validationFailed, type ErrorDetail } from '../../domain/errors';
import {
  BODY_MESSAGES,
  REPORT_EVERY_VIOLATION,
  capDetails,
  isObject,
  keyShape,
  screenKeys,
  toDetails,
  unstorableStringPaths,
  zonedIsoDate,
} from '../../domain/schemas/common';

export interface NewActivity {
  readonly commerce_external_id: string;
  readonly provider_activity_id?: string;
  readonly channel?: string;
  readonly scheduled_at?: string;
}

export const newActivitySchema = Joi.object({
  commerce_external_id: Joi.string()
    .min(1)
    .max(255)
    .required()
    .description('External ID of the commerce; a commerce not known yet is created')
    .example('store-001'),
  provider_activity_id: Joi.string().min(1).max(255).description('External provider activity ID, unique per tenant').example('ext-123'),
  channel: Joi.string().min(1).max(100).description('How the task is carried out, e.g. CALL or VISIT (free text)'),
  scheduled_at: zonedIsoDate().description('When the task is due (ISO 8601 with a time zone)'),
})
  .required()
  .prefs(REPORT_EVERY_VIOLATION);

// Optional fields sent as null mean absent, as in a task result.
const SHAPE = keyShape(newActivitySchema);

export function parseNewActivity(body: unknown): NewActivity {
  const details: ErrorDetail[] = [];
  const input = isObject(body) ? screenKeys(body, SHAPE, '', details) : body;
  const { value, error } = newActivitySchema.validate(input);
  if (error) details.push(...toDetails(error, BODY_MESSAGES));
  // Like a task result's, or PostgreSQL would store NUL as "\0" and an unpaired surrogate as U+FFFD.
  details.push(...unstorableStringPaths(input));
  if (details.length > 0) {
    const reported = capDetails(details);
    throw validationFailed(`invalid activity: ${reported.map((d) => d.message).join('; ')}`, reported);
  }
  return value;
}
