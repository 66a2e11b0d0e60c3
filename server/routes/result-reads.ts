// GET /api/activity-results: the list, one result, and a result's applied history.
import { Router } from 'express';
import { DomainError } from '../../domain/errors';
import { encodeCursor } from '../../domain/page-cursor';
import { toResultBody } from '../../domain/result-response';
import { isUuid } from '../../domain/schemas/common';
import { listResults, readResult, resultHistory, type HistoryRow, type ResultFilters } from '../../models/result-reads';
import { sqlOf } from '../../models/sql';
import type { AppDeps } from '../app';
import { authenticate, principalOf } from '../middleware/auth';
import { parseListQuery, resultListQuery } from '../schemas/list-queries';

export const resultNotFound = (id: string) => new DomainError('RESULT_NOT_FOUND', `result ${id} not found`);

/** One history item as JSON text: the body goes out as PostgreSQL stored it, numbers digit for digit. */
function historyItem(row: HistoryRow): string {
  const head = JSON.stringify({
    occurredAt: row.occurredAt.toISOString(),
    status: row.status,
    receivedAt: row.receivedAt.toISOString(),
    jobId: row.jobId,
  });
  return `${head.slice(0, -1)},"body":${row.body}}`;
}

export function resultReadsRouter(deps: AppDeps): Router {
  const router = Router();
  const sql = sqlOf(deps.sequelize);
  const canView = authenticate(deps.apiKeys, ['VIEW_ACTIVITIES', 'CREATE_ACTIVITY']);

  router.get('/', canView, async (req, res) => {
    const { tenantId } = principalOf(res);
    const { filters, limit, after } = parseListQuery<ResultFilters>(resultListQuery, req.query);
    const page = await listResults(sql, tenantId, filters, limit, after);
    res.json({ items: page.rows.map((row) => toResultBody(row)), nextCursor: page.next && encodeCursor(page.next) });
  });

  router.get('/:id', canView, async (req, res) => {
    const { tenantId } = principalOf(res);
    const id = String(req.params.id);
    const result = isUuid(id) ? await readResult(sql, tenantId, id) : null;
    if (!result) throw resultNotFound(id);
    res.json(toResultBody(result));
  });

  router.get('/:id/events', canView, async (req, res) => {
    const { tenantId } = principalOf(res);
    const id = String(req.params.id);
    const history = isUuid(id) ? await resultHistory(sql, tenantId, id) : null;
    if (!history) throw resultNotFound(id);
    res.type('application/json').send(`{"items":[${history.map(historyItem).join(',')}]}`);
  });

  return router;
}
