// GET /openapi.json: the API's OpenAPI 3.1 document, built once from the Joi schemas the routes validate
// with (request bodies and query parameters) and the answer schemas in answers.ts.
import { activityListQuery, resultListQuery } from '../schemas/list-queries';
import { HEADERS, PARAMETERS, RATE_LIMIT_HEADERS, RESPONSES, SCHEMAS, SECURITY, SECURITY_SCHEMES, errors, ref } from './components';
import { queryParameters, type JsonSchema } from './convert';

// Every /api route: a path that is not valid percent-encoding is a 400 as well.
const AUTHENTICATED = [400, 401, 403, 429, 500, 503];

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

function answer(description: string, schema: string, headers: Record<string, unknown> = {}) {
  return { description, headers: { ...RATE_LIMIT_HEADERS, ...headers }, content: json(ref('schemas', schema)) };
}

const requiredHeader = (name: string) => ({ ...ref('headers', name), required: true });

function operation(o: {
  summary: string;
  description: string;
  tag: string;
  id: string;
  permission: string;
  parameters?: unknown[];
  body?: string;
  responses: Record<string, unknown>;
}) {
  return {
    tags: [o.tag],
    operationId: o.id,
    summary: o.summary,
    description: `${o.description}\n\nPermission: ${o.permission}.`,
    security: SECURITY,
    ...(o.parameters ? { parameters: o.parameters } : {}),
    ...(o.body ? { requestBody: { required: true, content: json(ref('schemas', o.body)) } } : {}),
    responses: o.responses,
  };
}

const PATHS = {
  '/api/activity-results/tasks': {
    post: operation({
      tag: 'Activity results',
      id: 'createTaskResult',
      summary: 'Create Activity Result',
      description:
        'Create a result for a task activity. Results can be linked to existing Reten activities or created as standalone entries. ' +
        'The request waits up to SYNC_WAIT_MS for the worker: 201 with the new result, 200 when an existing result was updated or the request was a replay, ' +
        '202 with a job status URL when the wait ran out (or with `Prefer: respond-async`). ' +
        'A result whose future_scheduled_at is set gets a follow-up activity at that time: see `followUp`.',
      permission: 'CREATE_ACTIVITY',
      parameters: [ref('parameters', 'IdempotencyKey'), ref('parameters', 'Prefer')],
      body: 'TaskResultRequest',
      responses: {
        200: answer('An existing result was updated, or the request repeats one already applied', 'Result', {
          'Idempotent-Replayed': ref('headers', 'Idempotent-Replayed'),
        }),
        201: answer('A new result was created', 'Result', { Location: requiredHeader('Location') }),
        202: answer('Queued: the outcome is at statusUrl', 'Accepted', {
          Location: requiredHeader('Location'),
          'Preference-Applied': ref('headers', 'Preference-Applied'),
        }),
        ...errors(413, 415, 404, 409, 422, ...AUTHENTICATED),
      },
    }),
  },
  '/api/activity-results/tasks/batch': {
    post: {
      ...operation({
        tag: 'Activity results',
        id: 'createTaskResults',
        summary: 'Create Activity Results in a batch',
        description:
          'Up to 1,000 events in one request, as a JSON array of the bodies POST /api/activity-results/tasks takes, or as NDJSON (`Content-Type: application/x-ndjson`, one event a line); ' +
          '`Content-Encoding: gzip` is accepted. At most 5 MB once decompressed. Each event is validated and checked as by the single route, and each item of the answer carries ' +
          'the status the single route would have given it. The request waits up to SYNC_WAIT_MS for the worker; events still queued then are 202 items with their jobId. ' +
          'With `Prefer: respond-async` the answer is a 202 right after the checks. An `Idempotency-Key` covers the whole batch. A batch counts as its events against the rate limit.',
        permission: 'CREATE_ACTIVITY',
        parameters: [ref('parameters', 'IdempotencyKey'), ref('parameters', 'Prefer')],
        responses: {
          200: answer('Every event answered or queued: one item each, in request order', 'BatchResult'),
          202: answer('`Prefer: respond-async`: the events checked and queued', 'BatchResult', {
            'Preference-Applied': ref('headers', 'Preference-Applied'),
          }),
          ...errors(413, 415, 422, ...AUTHENTICATED),
        },
      }),
      requestBody: {
        required: true,
        content: {
          ...json(ref('schemas', 'TaskResultBatchRequest')),
          'application/x-ndjson': { schema: { type: 'string', description: 'One event (a TaskResultRequest) a line' } },
        },
      },
    },
  },
  '/api/activity-results': {
    get: operation({
      tag: 'Activity results',
      id: 'listResults',
      summary: 'List results',
      description:
        "The tenant's results, least recently updated first, a page at a time: pass `nextCursor` back as `cursor` until it is null. A result that does not change while you page appears exactly once.",
      permission: 'VIEW_ACTIVITIES or CREATE_ACTIVITY',
      parameters: queryParameters(resultListQuery),
      responses: { 200: answer('A page of results', 'ResultPage'), ...errors(...AUTHENTICATED) },
    }),
  },
  '/api/activity-results/{id}': {
    get: operation({
      tag: 'Activity results',
      id: 'getResult',
      summary: 'Get a result',
      description: 'One result, with its current follow-up.',
      permission: 'VIEW_ACTIVITIES or CREATE_ACTIVITY',
      parameters: [ref('parameters', 'ResultId')],
      responses: { 200: answer('The result', 'Result'), ...errors(404, ...AUTHENTICATED) },
    }),
  },
  '/api/activity-results/{id}/events': {
    get: operation({
      tag: 'Activity results',
      id: 'getResultHistory',
      summary: "A result's history",
      description: 'Every applied event of the result, in event-time (occurred_at) order, each with the request body as received.',
      permission: 'VIEW_ACTIVITIES or CREATE_ACTIVITY',
      parameters: [ref('parameters', 'ResultId')],
      responses: { 200: answer('The applied events', 'ResultHistory'), ...errors(404, ...AUTHENTICATED) },
    }),
  },
  '/api/activity-results/jobs/{jobId}': {
    get: operation({
      tag: 'Activity results',
      id: 'getJobStatus',
      summary: 'Status of a queued event',
      description:
        'The job of a 202 answer: its state, and the result once COMPLETED or the error once FAILED. The result is the body as the job left it.',
      permission: 'VIEW_ACTIVITIES or CREATE_ACTIVITY',
      parameters: [ref('parameters', 'JobId')],
      responses: { 200: answer('The job', 'JobStatus'), ...errors(404, ...AUTHENTICATED) },
    }),
  },
  '/api/activities/tasks': {
    post: operation({
      tag: 'Activities',
      id: 'createTaskActivity',
      summary: 'Create a task activity',
      description: 'A READY task activity for a commerce; the commerce is created when unknown.',
      permission: 'CREATE_ACTIVITY',
      body: 'NewActivityRequest',
      responses: {
        201: answer('The activity', 'Activity', { Location: requiredHeader('Location') }),
        ...errors(413, 415, 409, ...AUTHENTICATED),
      },
    }),
  },
  '/api/activities': {
    get: operation({
      tag: 'Activities',
      id: 'listActivities',
      summary: 'List activities',
      description:
        "The tenant's activities, least recently updated first, a page at a time (as the results list). `parent_activity_id` finds the follow-ups of an activity.",
      permission: 'VIEW_ACTIVITIES',
      parameters: queryParameters(activityListQuery),
      responses: { 200: answer('A page of activities', 'ActivityPage'), ...errors(...AUTHENTICATED) },
    }),
  },
  '/api/activities/{id}': {
    get: operation({
      tag: 'Activities',
      id: 'getActivity',
      summary: 'Get an activity',
      description: 'One activity with its status and its result id.',
      permission: 'VIEW_ACTIVITIES',
      parameters: [ref('parameters', 'ActivityId')],
      responses: { 200: answer('The activity', 'Activity'), ...errors(404, ...AUTHENTICATED) },
    }),
  },
  ...operationsWithoutAuth(),
};

function operationsWithoutAuth() {
  const plain = (summary: string, description: string, responses: Record<string, unknown>) => ({
    get: { tags: ['Service'], summary, description, security: [], responses },
  });
  const status = { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] };
  return {
    '/healthz': plain('Liveness', 'The process is alive.', { 200: { description: 'Alive', content: json(status) } }),
    '/readyz': plain('Readiness', 'PostgreSQL and Redis answer within 1 s.', {
      200: { description: 'Ready', content: json(status) },
      503: { description: 'PostgreSQL or Redis does not answer', content: json(status) },
    }),
    '/metrics': plain('Prometheus metrics', 'Prometheus text; with METRICS_TOKEN set it wants `Authorization: Bearer <token>`.', {
      200: { description: 'The metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
      401: { description: 'METRICS_TOKEN is set and the token is missing or wrong' },
    }),
    '/openapi.json': plain('This document', 'The OpenAPI 3.1 document; an interactive reference is at /docs.', {
      200: { description: 'The document', content: json({ type: 'object' }) },
    }),
  };
}

let built: JsonSchema | undefined;

export function openApiDocument(version: string): JsonSchema {
  built ??= {
    openapi: '3.1.0',
    info: {
      title: 'Activity results API',
      version,
      description:
        'Providers report the outcome of task activities (a visit, a call) for commerces. Every `/api` route wants an API key: ' +
        '`Authorization: Bearer <key>` with `x-tenant-id: <tenant id>`, or `x-api-key: <key>` alone. Every error answer has the shape of `Error`. ' +
        'Answers carry `Cache-Control: no-store` and, for a tenant with a rate limit, the RateLimit headers.',
    },
    tags: [{ name: 'Activity results' }, { name: 'Activities' }, { name: 'Service' }],
    paths: PATHS,
    components: { schemas: SCHEMAS, responses: RESPONSES, parameters: PARAMETERS, headers: HEADERS, securitySchemes: SECURITY_SCHEMES },
  };
  return built;
}
