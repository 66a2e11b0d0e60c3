// The parts of the OpenAPI document that routes share: schemas, headers, parameters, security, errors.
import { taskResultSchema } from '../../domain/schemas/task-result';
import { newActivitySchema } from '../schemas/activity';
import {
  acceptedAnswer,
  activityAnswer,
  activityPageAnswer,
  batchAnswer,
  errorAnswer,
  followUpAnswer,
  historyAnswer,
  jobStatusAnswer,
  resultAnswer,
  resultPageAnswer,
} from './answers';
import { answerSchema, requestSchema, type JsonSchema } from './convert';

export const ref = (kind: string, name: string) => ({ $ref: `#/components/${kind}/${name}` });

const header = (description: string, schema: JsonSchema = { type: 'integer', minimum: 0 }) => ({ description, schema });

export const HEADERS = {
  'RateLimit-Limit': header("Points in the tenant's window (its burst); absent for a tenant without a limit"),
  'RateLimit-Remaining': header('Points left in the current window'),
  'RateLimit-Reset': header('Seconds until the window ends and the points are back'),
  'RateLimit-Policy': header('`<burst>;w=<window seconds>`', { type: 'string' }),
  'Retry-After': header('Seconds to wait before retrying'),
  'Idempotent-Replayed': header('`true` when the request repeats one already applied or answered', { type: 'string', enum: ['true'] }),
  Location: header('The created resource, or the job status URL of a 202', { type: 'string' }),
  'Preference-Applied': header('`respond-async` when the request asked for it', { type: 'string', enum: ['respond-async'] }),
  'Cache-Control': header('Always `no-store`', { type: 'string' }),
};

export const RATE_LIMIT_HEADERS = {
  'RateLimit-Limit': ref('headers', 'RateLimit-Limit'),
  'RateLimit-Remaining': ref('headers', 'RateLimit-Remaining'),
  'RateLimit-Reset': ref('headers', 'RateLimit-Reset'),
  'RateLimit-Policy': ref('headers', 'RateLimit-Policy'),
};

export const PARAMETERS = {
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Makes retries safe: the same key with the same body is applied once and answered again (Idempotent-Replayed: true); the same key with another body is 422 IDEMPOTENCY_KEY_REUSED. Without it, the body itself is the key.',
    schema: { type: 'string', minLength: 1, maxLength: 255 },
  },
  Prefer: {
    name: 'Prefer',
    in: 'header',
    required: false,
    description: '`respond-async`: answer 202 right after the checks instead of waiting for the worker',
    schema: { type: 'string', examples: ['respond-async'] },
  },
  ResultId: { name: 'id', in: 'path', required: true, description: 'Result ID', schema: { type: 'string', format: 'uuid' } },
  ActivityId: { name: 'id', in: 'path', required: true, description: 'Activity ID', schema: { type: 'string', format: 'uuid' } },
  JobId: { name: 'jobId', in: 'path', required: true, description: 'The jobId of a 202 answer', schema: { type: 'string' } },
};

export const SECURITY_SCHEMES = {
  bearer: { type: 'http', scheme: 'bearer', description: 'An API key as `Authorization: Bearer <key>`, together with x-tenant-id' },
  tenantId: { type: 'apiKey', in: 'header', name: 'x-tenant-id', description: 'The tenant the Bearer key belongs to' },
  apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'An API key alone: the key names its tenant' },
};

/** Either way of authenticating. */
export const SECURITY = [{ bearer: [], tenantId: [] }, { apiKey: [] }];

export const SCHEMAS: Record<string, JsonSchema> = {
  TaskResultRequest: requestSchema(taskResultSchema),
  NewActivityRequest: requestSchema(newActivitySchema),
  Result: answerSchema(resultAnswer),
  FollowUp: answerSchema(followUpAnswer),
  ResultPage: answerSchema(resultPageAnswer),
  ResultHistory: answerSchema(historyAnswer),
  Accepted: answerSchema(acceptedAnswer),
  JobStatus: answerSchema(jobStatusAnswer),
  Activity: answerSchema(activityAnswer),
  ActivityPage: answerSchema(activityPageAnswer),
  Error: answerSchema(errorAnswer),
  TaskResultBatchRequest: {
    type: 'array',
    maxItems: 1000,
    items: ref('schemas', 'TaskResultRequest'),
    description: 'Events as POST /api/activity-results/tasks takes them, at most 1,000 and 5 MB',
  },
  BatchResult: answerSchema(batchAnswer),
};

/** What each error status means, and the codes it comes with. */
const ERRORS: Record<number, { description: string; codes: string[]; headers?: Record<string, unknown> }> = {
  400: {
    description: 'Validation error: invalid or missing fields, or malformed JSON; `details` lists every violation with its path',
    codes: ['VALIDATION_FAILED'],
  },
  401: { description: 'Missing, unknown, revoked or expired API key', codes: ['UNAUTHORIZED'] },
  403: {
    description: "The key lacks the route's permission, belongs to another tenant than x-tenant-id, or its tenant is inactive",
    codes: ['FORBIDDEN', 'TENANT_INACTIVE'],
  },
  404: {
    description: "Not found (another tenant's ids are not found either)",
    codes: ['ACTIVITY_NOT_FOUND', 'RESULT_NOT_FOUND', 'JOB_NOT_FOUND', 'NOT_FOUND'],
  },
  409: {
    description:
      'Stale event (occurred_at not after the last applied one), invalid state transition (unless hard_override: true), or a duplicate provider_activity_id',
    codes: ['STALE_EVENT', 'INVALID_STATE_TRANSITION', 'ACTIVITY_ALREADY_EXISTS'],
  },
  413: { description: 'The body is larger than 1 MB (a batch: more than 1,000 events or 5 MB decompressed)', codes: ['PAYLOAD_TOO_LARGE'] },
  415: {
    description: 'The content type is not JSON (or NDJSON, for a batch), or the encoding is not supported',
    codes: ['UNSUPPORTED_MEDIA_TYPE'],
  },
  422: {
    description: 'Idempotency-Key reused with another body, or an event PostgreSQL cannot store',
    codes: ['IDEMPOTENCY_KEY_REUSED', 'UNSTORABLE_EVENT', 'JOB_DATA_INVALID'],
  },
  429: {
    description: "Over the tenant's rate limit, or too many failed authentications from this address",
    codes: ['RATE_LIMITED'],
    headers: { 'Retry-After': { ...ref('headers', 'Retry-After'), required: true } },
  },
  500: { description: 'Internal error (logged; never a stack trace)', codes: ['INTERNAL_ERROR'] },
  503: {
    description: 'PostgreSQL or Redis unreachable or timed out: retry after Retry-After',
    codes: ['SERVICE_UNAVAILABLE'],
    headers: { 'Retry-After': { ...ref('headers', 'Retry-After'), required: true } },
  },
};

export const RESPONSES = Object.fromEntries(
  Object.entries(ERRORS).map(([status, { description, codes, headers }]) => [
    `Error${status}`,
    {
      description: `${description}. Codes: ${codes.join(', ')}.`,
      headers: { ...RATE_LIMIT_HEADERS, ...headers },
      content: {
        'application/json': {
          schema: { allOf: [ref('schemas', 'Error'), { properties: { statusCode: { const: Number(status) }, code: { enum: codes } } }] },
        },
      },
    },
  ]),
);

/** Error answers of a route, by status. */
export function errors(...statuses: number[]): Record<string, unknown> {
  return Object.fromEntries(statuses.map((status) => [String(status), ref('responses', `Error${status}`)]));
}
