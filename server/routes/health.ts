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
    const [postgres, shards] = await Promise.all([
      within(() => deps.sequelize.query('SELECT 1'), READY_TIMEOUT_MS),
      deps.taskResults.pingEach(READY_TIMEOUT_MS),
    ]);
    const redis = shards.every(Boolean);
    const failing = [!postgres && 'postgres', !redis && 'redis'].filter(Boolean);
    // With several shards, each one's answer: a shard whose master is away fails the process's readiness.
    const perShard = shards.length > 1 ? { shards: shards.map((ready, shard) => ({ shard, redis: ready })) } : {};
    res
      .status(failing.length ? 503 : 200)
      .json({ status: failing.length ? 'unavailable' : 'ready', postgres, redis, ...perShard, failing });
  });
  return router;
}
