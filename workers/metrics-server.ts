// The worker's own GET /metrics (job outcomes and process metrics), for Prometheus to scrape each worker;
// with METRICS_TOKEN set, only for `Authorization: Bearer <token>`, as on the web.
import { createServer, STATUS_CODES, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { METRICS_CHALLENGE, metricsAllowed } from '../config/metrics-token';

// The service's error shape, as the web answers it.
function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ statusCode: status, error: STATUS_CODES[status], message, code });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-content-type-options': 'nosniff', ...headers }).end(body);
}

export async function serveMetrics(registry: Registry, port: number, token?: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics')
      return sendError(res, 404, 'NOT_FOUND', 'only GET /metrics is served here');
    if (!metricsAllowed(req.headers.authorization, token)) {
      return sendError(res, 401, 'UNAUTHORIZED', '/metrics needs Authorization: Bearer <METRICS_TOKEN>', {
        'www-authenticate': METRICS_CHALLENGE,
      });
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => sendError(res, 500, 'INTERNAL_ERROR', 'metrics unavailable'),
    );
  });
  await new Promise<void>((resolve, reject) => server.listen(port, resolve).once('error', reject));
  return server;
}
