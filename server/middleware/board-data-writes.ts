// Bull Board shows job data redacted and cut to a preview, and its "edit data", "duplicate" and "add job"
// forms start from that view: saving one would store the redaction marks and previews as the job's data,
// and the worker would write them to PostgreSQL, for any tenant. Job data comes only from the API, so the
// board may act on jobs (retry, promote, clean, remove, pause) but never write what a job carries.
import { appRoutes } from '@bull-board/api/dist/routes.js';
import { Router, type Request, type Response } from 'express';
import { forbidden } from '../http-errors';

type Method = 'put' | 'patch' | 'post';

/**
 * The board's state-changing routes that leave job data alone. Any other one (adding a job, replacing
 * its data, and whatever a later bull-board adds) is refused: a new action has to be allowed here.
 */
const ACTIONS_WITHOUT_DATA = new Set([
  'put /api/queues/pause',
  'put /api/queues/resume',
  'put /api/queues/:queueName/retry/:queueStatus',
  'put /api/queues/:queueName/promote',
  'put /api/queues/:queueName/clean/:queueStatus',
  'put /api/queues/:queueName/pause',
  'put /api/queues/:queueName/resume',
  'put /api/queues/:queueName/empty',
  'put /api/queues/:queueName/obliterate',
  'put /api/queues/:queueName/concurrency',
  'put /api/queues/:queueName/rate-limit',
  'put /api/queues/:queueName/rate-limit/release',
  'put /api/queues/:queueName/job-schedulers/:schedulerId/remove',
  'put /api/queues/:queueName/job-schedulers/:schedulerId/run',
  'patch /api/queues/:queueName/job-schedulers/:schedulerId',
  'put /api/queues/:queueName/:jobId/retry',
  'put /api/queues/:queueName/:jobId/clean',
  'put /api/queues/:queueName/:jobId/promote',
  'patch /api/queues/:queueName/:jobId/delay',
  'patch /api/queues/:queueName/:jobId/priority',
  'put /api/queues/:queueName/:jobId/remove-unprocessed-children',
]);

function refuse(_req: Request, _res: Response): never {
  throw forbidden(
    'Bull Board cannot add jobs or change job data: it shows that data redacted and shortened. Send the event again through the API instead.',
  );
}

/**
 * Refuses every board route that would write job data. Registered with the board's own route patterns
 * on an Express router, so a path matches here exactly when it would match the board's handler
 * (whatever its case, trailing slash or encoding).
 */
export function refuseJobDataWrites(): Router {
  const router = Router();
  for (const route of appRoutes.api) {
    for (const method of ([] as string[]).concat(route.method)) {
      if (method === 'get') continue;
      for (const path of ([] as string[]).concat(route.route)) {
        if (!ACTIONS_WITHOUT_DATA.has(`${method} ${path}`)) router[method as Method](path, refuse);
      }
    }
  }
  return router;
}
