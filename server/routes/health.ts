// /healthz: the process is alive. /readyz: PostgreSQL and Redis answer within a short timeout.
import { Router } from 'express';
import type { AppDeps } from '../app';

const READY_TIMEOUT_MS = 1_000;

async function within(check: () => Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      check().then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function healthRouter(deps: AppDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  router.get('/readyz', async (_req, res) => {
    const [postgres, redis] = await Promise.all([
      within(() => deps.sequelize.query('SELECT 1'), READY_TIMEOUT_MS),
      within(() => deps.taskResults.ping(), READY_TIMEOUT_MS),
    ]);
    const failing = [!postgres && 'postgres', !redis && 'redis'].filter(Boolean);
    res.status(failing.length ? 503 : 200).json({ status: failing.length ? 'unavailable' : 'ready', postgres, redis, failing });
  });
  return router;
}
