// Query parameters of the lists. Unknown parameters are errors, as unknown body fields are: a typo such
// as `stauts` must not silently list everything.
import Joi from 'joi';
import { validationFailed, type ErrorDetail } from '../../domain/errors';
import { decodeCursor, type PageCursor } from '../../domain/page-cursor';
import { REPORT_EVERY_VIOLATION, capDetails, toDetails, uuid, zonedIsoDate } from '../../domain/schemas/common';
import { ACTIVITY_STATUSES, RESULT_SOURCES, RESULT_STATUSES } from '../../domain/statuses';

export const MAX_PAGE = 100;

const paging = {
  limit: Joi.number().integer().min(1).max(MAX_PAGE).default(25).description(`Items per page, 1 to ${MAX_PAGE}.`),
  cursor: Joi.string().max(200).description('The `nextCursor` of the previous page; leave out for the first page.'),
};

const text = (description: string) => Joi.string().min(1).max(255).description(description);

export const resultListQuery = Joi.object({
  activity_id: uuid().description('Results of this Reten activity.'),
  provider_activity_id: text('Results with this external provider activity ID.'),
  commerce_external_id: text('Results for the commerce with this external ID.'),
  status: Joi.string()
    .valid(...RESULT_STATUSES)
    .description('Results with this result status.'),
  source: Joi.string()
    .valid(...RESULT_SOURCES)
    .description('RETEN_ACTIVITY (linked to an activity) or STANDALONE.'),
  updated_since: zonedIsoDate().description('Results updated at or after this instant (ISO 8601 with a time zone).'),
  ...paging,
}).prefs(REPORT_EVERY_VIOLATION);

export const activityListQuery = Joi.object({
  status: Joi.string()
    .valid(...ACTIVITY_STATUSES)
    .description('Activities with this status.'),
  commerce_external_id: text('Activities for the commerce with this external ID.'),
  provider_activity_id: text('The activity with this external provider activity ID.'),
  parent_activity_id: uuid().description('Follow-up activities created from results of this activity.'),
  scheduled_from: zonedIsoDate().description('Activities scheduled at or after this instant (ISO 8601 with a time zone).'),
  scheduled_to: zonedIsoDate().description('Activities scheduled before this instant (ISO 8601 with a time zone).'),
  ...paging,
}).prefs(REPORT_EVERY_VIOLATION);

export interface ListQuery<F> {
  readonly filters: F;
  readonly limit: number;
  readonly after: PageCursor | null;
}

/** The filters and page of a list request, or a VALIDATION_FAILED naming every bad parameter. */
export function parseListQuery<F>(schema: Joi.ObjectSchema, query: unknown): ListQuery<F> {
  const { value, error } = schema.validate({ ...(query as object) });
  const details: ErrorDetail[] = error ? toDetails(error).map((d) => ({ path: `query.${d.path}`, message: d.message })) : [];
  const after = typeof value?.cursor === 'string' ? decodeCursor(value.cursor) : null;
  if (after === undefined) details.push({ path: 'query.cursor', message: '"cursor" is not a cursor this API handed out' });
  if (details.length > 0) {
    const reported = capDetails(details);
    throw validationFailed(`invalid query: ${reported.map((d) => d.message).join('; ')}`, reported);
  }
  const { limit, cursor: _cursor, ...filters } = value;
  return { filters: filters as F, limit, after: after ?? null };
}
