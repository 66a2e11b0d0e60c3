// Bull Board at /admin/queues: ops watch every queue and retry, promote or clean jobs. Mounted only when a
// user and password are configured, behind basic auth and a same-origin check for anything that acts;
// it never writes job data (middleware/board-data-writes.ts).
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Express, RequestHandler } from 'express';
import type { Config } from '../config';
import type { Logger } from '../config/logger';
import { QUEUES } from '../domain/jobs';
import { redactBoardAnswer } from './board-answers';
import { boardJobData, boardJobName } from './board-job-view';
import type { FailedAuthGuard } from './failed-auth-guard';
import { refuseJobDataWrites } from './middleware/board-data-writes';
import { basicAuth, readOnly, sameOriginWrites } from './middleware/board-guard';
import { boardHeaders } from './middleware/security-headers';
import type { WatchedQueue } from './task-result-queues';

export const BOARD_PATH = '/admin/queues';

/** What the board says about each queue; a queue missing here is still shown, under its own name. */
const QUEUE_LABELS: Record<string, { displayName: string; description: string }> = {
  [QUEUES.activityResults]: {
    displayName: 'Activity results',
    description:
      'One job per task-result event: applied to PostgreSQL in one transaction. Domain failures (stale, transition, not found) fail at once with their code; outages retry with backoff.',
  },
  [QUEUES.followUps]: {
    displayName: 'Follow-ups',
    description: "Delayed jobs due at a result's future_scheduled_at: each creates one READY follow-up activity.",
  },
};

export interface BoardDeps {
  readonly queues: readonly WatchedQueue[];
  readonly config: Pick<Config, 'bullBoard' | 'environment'>;
  readonly logger: Logger;
  readonly failures: FailedAuthGuard;
}

/** Mounts the board on `app`, or logs how to enable it. Returns whether it was mounted. */
export function mountBoard(app: Express, { queues, config, logger, failures }: BoardDeps): boolean {
  const { user, password, readOnly: readOnlyMode } = config.bullBoard;
  if (!user || !password) {
    logger.info(`Bull Board is off: set BULL_BOARD_USER and BULL_BOARD_PASSWORD to serve it at ${BOARD_PATH}`);
    return false;
  }
  const serverAdapter = new ExpressAdapter().setBasePath(BOARD_PATH);
  createBullBoard({
    queues: queues.map((watched) => boardQueue(watched, readOnlyMode)),
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: 'Activity results · queues',
        environment: { label: config.environment, color: config.environment === 'production' ? '#b91c1c' : '#2563eb' },
        hideDocsLink: true,
        showMetrics: true,
      },
      handlerHooks: { after: (context, result) => ({ ...result, body: redactBoardAnswer(context.route, result.body) }) },
    },
  });
  const guards: RequestHandler[] = [boardHeaders, basicAuth({ user, password }, 'Bull Board', failures), sameOriginWrites];
  if (readOnlyMode) guards.push(readOnly);
  guards.push(refuseJobDataWrites());
  const boardApp = serverAdapter.getRouter() as Express;
  boardApp.disable('x-powered-by');
  app.use(BOARD_PATH, ...guards, boardApp);
  logger.info({ path: BOARD_PATH, readOnly: readOnlyMode, queues: queues.map((q) => boardNameOf(q)) }, 'Bull Board mounted');
  return true;
}

/** A shard's board name (its URL) tells it from the other shards of its queue: `shard-2-activity-results`. */
function boardNameOf({ queue, shard }: WatchedQueue): string {
  return shard === undefined ? queue.name : `shard-${shard}-${queue.name}`;
}

function boardQueue({ queue, shard }: WatchedQueue, readOnlyMode: boolean): BullMQAdapter {
  const labels = QUEUE_LABELS[queue.name];
  const displayName = labels?.displayName ?? queue.name;
  const adapter = new BullMQAdapter(queue, {
    readOnlyMode,
    allowRetries: !readOnlyMode,
    ...(shard === undefined ? {} : { prefix: `shard-${shard}-` }),
    displayName: shard === undefined ? displayName : `${displayName} · shard ${shard}`,
    description: labels?.description ?? '',
  });
  adapter.setFormatter('data', (data) => boardJobData(data));
  adapter.setFormatter('returnValue', (value) => boardJobData(value));
  adapter.setFormatter('name', (job) => boardJobName(job));
  return adapter;
}
