// The API's answers as Joi schemas, for the OpenAPI document only: nothing validates answers at run
// time. The integration tests check every answer they receive against the document, so these cannot
// drift from what the routes send.
import Joi from 'joi';
import { DOMAIN_ERROR_STATUS } from '../../domain/errors';
import { FOLLOW_UP_STATES } from '../../domain/follow-ups';
import { ACTIVITY_STATUSES, CONTACT_TYPES, RESULT_SOURCES, RESULT_STATUSES } from '../../domain/statuses';
import { HTTP_ERROR_CODES } from '../http-errors';

// Every field of an answer is always there, null when it has no value.
const instant = (description: string) => Joi.string().meta({ format: 'date-time' }).required().description(description);
const id = (description: string) => Joi.string().meta({ format: 'uuid' }).required().description(description);
const nullable = (schema: Joi.Schema) => schema.allow(null).required();

export const ERROR_CODES = [...new Set([...Object.keys(DOMAIN_ERROR_STATUS), ...HTTP_ERROR_CODES])].sort();

export const followUpAnswer = Joi.object({
  scheduledAt: instant('When the follow-up activity is (or was) due: the future_scheduled_at that asked for it'),
  state: Joi.string()
    .valid(...FOLLOW_UP_STATES.filter((s) => s !== 'SUPERSEDED'))
    .required()
    .description('SCHEDULED until its time comes, then CREATED'),
  activityId: nullable(Joi.string().meta({ format: 'uuid' })).description(
    'The follow-up activity, once CREATED (GET /api/activities/{id})',
  ),
})
  .description(
    "The follow-up activity the result's future_scheduled_at asked for; null when there is none (or the date was dropped or the activity canceled)",
  )
  .meta({ 'x-component': 'FollowUp' });

export const resultAnswer = Joi.object({
  id: id('Result ID'),
  activityId: nullable(Joi.string().meta({ format: 'uuid' })).description('The Reten activity; null for a standalone result'),
  source: Joi.string()
    .valid(...RESULT_SOURCES)
    .required()
    .description('RETEN_ACTIVITY when linked to an activity, else STANDALONE'),
  resultStatus: Joi.string()
    .valid(...RESULT_STATUSES)
    .required()
    .description('The status of the last applied event'),
  externalStatus: nullable(Joi.string()).description('Provider-specific status string'),
  occurredAt: instant('When the last applied event occurred'),
  taskDetails: Joi.object({
    result: Joi.string().required().description('Task result type code'),
    comment: nullable(Joi.string()).description('Free text comment'),
    contactType: nullable(Joi.string().valid(...CONTACT_TYPES)).description('INBOUND or OUTBOUND'),
    operatorExternalId: nullable(Joi.string()).description('External ID of the operator'),
    futureScheduledAt: nullable(Joi.string().meta({ format: 'date-time' })).description('Suggested date for a follow-up activity'),
    payload: nullable(Joi.object().unknown(true)).description('Additional task-specific data'),
  }).required(),
  followUp: nullable(followUpAnswer),
  createdAt: instant('When the result was created'),
  updatedAt: instant('When the result was last changed'),
}).meta({ 'x-component': 'Result' });

export const activityAnswer = Joi.object({
  id: id('Activity ID'),
  type: Joi.string().valid('TASK').required(),
  status: Joi.string()
    .valid(...ACTIVITY_STATUSES)
    .required()
    .description("Kept in step with its result's status"),
  channel: nullable(Joi.string()),
  commerceId: id('The commerce'),
  commerceExternalId: Joi.string().required().description('External ID of the commerce'),
  providerActivityId: nullable(Joi.string()).description('External provider activity ID'),
  scheduledAt: nullable(Joi.string().meta({ format: 'date-time' })).description('When the task is due'),
  parentActivityId: nullable(Joi.string().meta({ format: 'uuid' })).description('For a follow-up: the activity whose result asked for it'),
  sourceResultId: nullable(Joi.string().meta({ format: 'uuid' })).description(
    'For a follow-up: the result whose future_scheduled_at asked for it',
  ),
  resultId: nullable(Joi.string().meta({ format: 'uuid' })).description("The activity's result, once one was reported"),
  createdAt: instant('When the activity was created'),
  updatedAt: instant('When the activity was last changed'),
}).meta({ 'x-component': 'Activity' });

const nextCursor = nullable(Joi.string()).description('Pass as `cursor` for the next page; null on the last page');

export const resultPageAnswer = Joi.object({ items: Joi.array().items(resultAnswer).required(), nextCursor }).meta({
  'x-component': 'ResultPage',
});
export const activityPageAnswer = Joi.object({ items: Joi.array().items(activityAnswer).required(), nextCursor }).meta({
  'x-component': 'ActivityPage',
});

export const historyAnswer = Joi.object({
  items: Joi.array()
    .items(
      Joi.object({
        occurredAt: instant("The event's occurred_at"),
        status: Joi.string()
          .valid(...RESULT_STATUSES)
          .required()
          .description("The event's status"),
        receivedAt: instant('When the API received the event'),
        jobId: nullable(Joi.string()).description('The job that applied it'),
        body: Joi.object().unknown(true).required().description('The request body as received'),
      }),
    )
    .required()
    .description('Applied events, oldest occurred_at first'),
}).meta({ 'x-component': 'ResultHistory' });

export const acceptedAnswer = Joi.object({
  jobId: Joi.string().required().description('The job that will apply the event'),
  status: Joi.string().valid('QUEUED').required(),
  statusUrl: Joi.string().required().description('GET it for the outcome (also in Location)'),
}).meta({ 'x-component': 'Accepted' });

export const jobStatusAnswer = Joi.object({
  jobId: Joi.string().required(),
  state: Joi.string().valid('QUEUED', 'ACTIVE', 'DELAYED', 'COMPLETED', 'FAILED').required(),
  attempts: Joi.number().integer().min(0).required().description('Attempts made so far'),
  result: nullable(resultAnswer).description('The result body, when COMPLETED'),
  error: nullable(
    Joi.object({
      statusCode: Joi.number().integer().required(),
      code: Joi.string()
        .valid(...ERROR_CODES)
        .required(),
      message: Joi.string().required(),
    }),
  ).description('Why it failed, when FAILED'),
}).meta({ 'x-component': 'JobStatus' });

export const BATCH_ITEM_STATUSES = [200, 201, 202, 400, 404, 409, 413, 422, 503];

export const batchAnswer = Joi.object({
  items: Joi.array()
    .items(
      Joi.object({
        index: Joi.number().integer().min(0).required().description("The event's place in the request, from 0"),
        status: Joi.number()
          .integer()
          .valid(...BATCH_ITEM_STATUSES)
          .required()
          .description(
            'What POST /api/activity-results/tasks would have answered for this event: 201 created, 200 updated or a replay, 202 queued, else its error',
          ),
        code: Joi.string()
          .valid(...ERROR_CODES)
          .description('For an error: its stable machine code'),
        message: Joi.string().description('For an error: a human sentence'),
        details: Joi.array()
          .items(Joi.object({ path: Joi.string().allow('').required(), message: Joi.string().required() }))
          .description('For a validation error: every violation with its path'),
        jobId: Joi.string().description('The job of a queued event (GET /api/activity-results/jobs/{jobId})'),
        result: resultAnswer.description('For 201 and 200: the result body'),
      }),
    )
    .required()
    .description('One item per event, in request order'),
  counts: Joi.object(Object.fromEntries(BATCH_ITEM_STATUSES.map((status) => [String(status), Joi.number().integer().min(1)])))
    .required()
    .description('How many items got each status, by status (a status no item got is left out)'),
}).meta({ 'x-component': 'BatchResult' });

export const errorAnswer = Joi.object({
  statusCode: Joi.number().integer().min(400).max(599).required().description('The HTTP status'),
  error: Joi.string().required().description('The HTTP reason phrase'),
  message: Joi.string().required().description('A human sentence'),
  code: Joi.string()
    .valid(...ERROR_CODES)
    .required()
    .description('Stable machine code'),
  details: Joi.array()
    .items(Joi.object({ path: Joi.string().allow('').required(), message: Joi.string().required() }))
    .description('Every violation with its path (the first 20, then a count)'),
}).meta({ 'x-component': 'Error' });
