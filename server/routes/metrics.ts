// GET /metrics in the Prometheus text format; with METRICS_TOKEN set, only for `Authorization: Bearer <token>`.
import { Router } from 'express';
import type { Registry } from 'prom-client';
import { METRICS_CHALLENGE, metricsAllowed } from '../../config/metrics-token';
import { unauthorized } from '../http-errors';

export function metricsRouter(registry: Registry, token: string | undefined): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    if (!metricsAllowed(req.get('authorization'), token)) {
      res.set('WWW-Authenticate', METRICS_CHALLENGE);
      throw unauthorized('/metrics needs Authorization: Bearer <METRICS_TOKEN>');
    }
    const text = await registry.metrics();
    res.type(registry.contentType).send(text);
  });
  return router;
}
