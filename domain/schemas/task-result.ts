// POST /api/activity-results/tasks. Every violation is reported at once; unknown fields are errors, so a
// typo such as `ocurred_at` never passes silently. Dates come out as ISO strings in UTC.
import Joi from 'joi';
import { validationFailed, type ErrorDetail } from '../errors';
import { isTooFarInFuture } from '../rules';
import { CONTACT_TYPES, RESULT_STATUSES } from '../statuses';
import type { TaskResultEvent } from '../task-result-event';
import {
  BODY_MESSAGES,
  REPORT_EVERY_VIOLATION,
  capDetails,
  isObject,
  jsonObject,
  keyShape,
  screenKeys,
  toDetails,
  unstorableStringPaths,
  uuid,
  zonedIsoDate,
} from './common';

// Optional fields sent as null mean absent: withoutNulls drops them before validation.
const taskResult = Joi.object({
  result: Joi.string()
    .min(1)
    .max(100)
    .required()
    .description(
      'Task result type code (e.g., success, not_home). When the tenant has result types (admin CLI result-type:add), one of their codes.',
    )
    .example('success'),
  comment: Joi.string().max(5000).allow('').description('Free text comment').example('Order placed successfully'),
  contact_type: Joi.string()
    .valid(...CONTACT_TYPES)
    .description('INBOUND or OUTBOUND'),
  operator_external_id: Joi.string().min(1).max(255).description('External ID of the operator'),
  future_scheduled_at: zonedIsoDate().description(
    'Suggested date for a follow-up activity: after occurred_at. A READY follow-up activity for the same commerce is created at that time (see followUp in the answer).',
  ),
  payload: jsonObject().description('Additional task-specific data (stored as sent)'),
}).description('Task-specific result details');

export const taskResultSchema = Joi.object({
  activity_id: uuid().description('Reten activity ID (one of activity_id or provider_activity_id; with both, activity_id decides)'),
  provider_activity_id: Joi.string().min(1).max(255).description('External provider activity ID').example('ext-123'),
  commerce_external_id: Joi.string().min(1).max(255).required().description('External ID of the commerce').example('store-001'),
  occurred_at: zonedIsoDate()
    .required()
    .description(
      'When the result occurred (ISO 8601 with a time zone; not more than MAX_CLOCK_SKEW_MS in the future). An event applies only if it occurred after the last applied one.',
    )
    .example('2025-01-16T14:30:00.000Z'),
  status: Joi.string()
    .valid(...RESULT_STATUSES)
    .required()
    .description('PENDING, COMPLETED, NOT_EXECUTED, CANCELED, TRANSFERRED')
    .example('COMPLETED'),
  external_status: Joi.string().max(255).allow('').description('Provider-specific status string'),
  hard_override: Joi.boolean()
    .strict()
    .default(false)
    .description('Skip state transition validation (never the check that the event is newer)'),
  raw_payload: jsonObject().description('Raw provider payload (stored as-is)'),
  task_result: taskResult.required(),
})
  .or('activity_id', 'provider_activity_id')
  // A request with a JSON content type but no body at all leaves the body undefined.
  .required()
  .prefs(REPORT_EVERY_VIOLATION);

// Dropping null optional fields up front rather than giving each one `.empty(null)` halves the time Joi
// takes: it would validate every value sent against the empty schema as well.
const SHAPE = keyShape(taskResultSchema);
const TASK_RESULT_SHAPE = keyShape(taskResult);

/** The body as the schema should see it (see screenKeys), top level and task_result. */
function screened(body: unknown, details: ErrorDetail[]): unknown {
  if (!isObject(body)) return body;
  const top = screenKeys(body, SHAPE, '', details);
  if (!isObject(top.task_result)) return top;
  const taskResult = screenKeys(top.task_result, TASK_RESULT_SHAPE, 'task_result', details);
  return taskResult === top.task_result ? top : { ...top, task_result: taskResult };
}

const TASK_RESULT_BODY_MESSAGES = { ...BODY_MESSAGES, 'object.missing': 'one of activity_id or provider_activity_id is required' };

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

/** The canonical event, or a VALIDATION_FAILED DomainError listing every violation (the first few by name). */
export function parseTaskResult(
  body: unknown,
  rules: TaskResultRules,
  extra: (e: TaskResultEvent) => ErrorDetail[] = () => [],
): TaskResultEvent {
  const details: ErrorDetail[] = [];
  const input = screened(body, details);
  const { value, error } = taskResultSchema.validate(input);
  if (error) details.push(...toDetails(error, TASK_RESULT_BODY_MESSAGES));
  details.push(...unstorableStringPaths(input));
  if (details.length === 0) details.push(...crossFieldViolations(value, rules), ...extra(value));
  if (details.length > 0) {
    const reported = capDetails(details);
    throw validationFailed(`invalid task result: ${reported.map((d) => d.message).join('; ')}`, reported);
  }
  return value as TaskResultEvent;
}
