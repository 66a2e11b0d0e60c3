import Joi from 'joi';
import { validationFailed } from '../../domain/errors';
import { toDetails, zonedIsoDate } from '../../domain/schemas/common';

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
  .required()
  .messages({ 'any.required': 'a JSON object body is required' });

export function parseNewActivity(body: unknown): NewActivity {
  const { value, error } = schema.validate(body, { abortEarly: false, convert: true });
  if (error) throw validationFailed(`invalid activity: ${error.details.map((d) => d.message).join('; ')}`, toDetails(error));
  return value;
}
