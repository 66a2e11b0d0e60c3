// POST /api/activity-results/tasks. Every violation is reported at once; unknown fields are errors, so a
// typo such as `ocurred_at` never passes silently. Dates come out as ISO strings in UTC.
import Joi from 'joi';
import { validationFailed, type ErrorDetail } from '../errors';
import { isTooFarInFuture } from '../rules';
import { CONTACT_TYPES, RESULT_STATUSES } from '../statuses';
import type { TaskResultEvent } from '../task-result-event';
import { jsonObject, toDetails, unstorableStringPaths, uuid, zonedIsoDate } from './common';

const optional = <T extends Joi.Schema>(schema: T) => schema.empty(null);

const taskResult = Joi.object({
  result: Joi.string().min(1).max(100).required(),
  comment: optional(Joi.string().max(5000).allow('')),
  contact_type: optional(Joi.string().valid(...CONTACT_TYPES)),
  operator_external_id: optional(Joi.string().min(1).max(255)),
  future_scheduled_at: optional(zonedIsoDate()),
  payload: optional(jsonObject()),
});

const schema = Joi.object({
  activity_id: optional(uuid()),
  provider_activity_id: optional(Joi.string().min(1).max(255)),
  commerce_external_id: Joi.string().min(1).max(255).required(),
  occurred_at: zonedIsoDate().required(),
  status: Joi.string().valid(...RESULT_STATUSES).required(),
  external_status: optional(Joi.string().max(255).allow('')),
  hard_override: optional(Joi.boolean().strict()).default(false),
  raw_payload: optional(jsonObject()),
  task_result: taskResult.required(),
})
  .or('activity_id', 'provider_activity_id')
  // A request with a JSON content type but no body at all leaves the body undefined.
  .required();

const BODY_MESSAGES = {
  'object.missing': 'one of activity_id or provider_activity_id is required',
  'any.required': 'a JSON object body is required',
};

export interface TaskResultRules {
  readonly now: Date;
  readonly maxClockSkewMs: number;
}

function crossFieldViolations(event: TaskResultEvent, rules: TaskResultRules): ErrorDetail[] {
  const violations: ErrorDetail[] = [];
  const occurredAt = new Date(event.occurred_at);
  if (isTooFarInFuture(occurredAt, rules.now, rules.maxClockSkewMs)) {
    violations.push({ path: 'occurred_at', message: `"occurred_at" is more than ${rules.maxClockSkewMs} ms in the future` });
  }
  const future = event.task_result.future_scheduled_at;
  if (future !== undefined && new Date(future) <= occurredAt) {
    violations.push({ path: 'task_result.future_scheduled_at', message: '"task_result.future_scheduled_at" must be after occurred_at' });
  }
  return violations;
}

/** The canonical event, or a VALIDATION_FAILED DomainError listing every violation. */
export function parseTaskResult(body: unknown, rules: TaskResultRules, extra: (e: TaskResultEvent) => ErrorDetail[] = () => []): TaskResultEvent {
  const { value, error } = schema.validate(body, { abortEarly: false, convert: true });
  const details = [...(error ? toDetails(error, BODY_MESSAGES) : []), ...unstorableStringPaths(body)];
  if (details.length === 0) details.push(...crossFieldViolations(value, rules), ...extra(value));
  if (details.length > 0) throw validationFailed(`invalid task result: ${details.map((d) => d.message).join('; ')}`, details);
  return value as TaskResultEvent;
}
