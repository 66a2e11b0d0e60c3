import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { Registry } from 'prom-client';
import { request } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { serveMetrics } from '../../workers/metrics-server';

const TOKEN = 'metrics-token-0123456789';

describe('METRICS_TOKEN', () => {
  let stack: Stack | undefined;
  let worker: Server | undefined;
  afterEach(async () => {
    await stack?.close();
    await new Promise((resolve) => (worker ? worker.close(resolve) : resolve(undefined)));
    stack = worker = undefined;
  });

  const scrape = (baseUrl: string, authorization?: string) =>
    request(baseUrl, 'GET', '/metrics', { headers: authorization ? { authorization } : {} });

  it('makes the web and the worker answer /metrics only for the bearer token, 401 otherwise', async () => {
    stack = await startStack({ workers: false, env: { METRICS_TOKEN: TOKEN } });
    worker = await serveMetrics(new Registry(), 0, TOKEN);
    const workerUrl = `http://127.0.0.1:${(worker.address() as AddressInfo).port}`;
    for (const baseUrl of [stack.baseUrl, workerUrl]) {
      for (const wrong of [undefined, 'Bearer nope', `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, `Bearer ${TOKEN.slice(0, -1)}`]) {
        const refused = await scrape(baseUrl, wrong);
        expect(refused.status, `${baseUrl} ${wrong}`).to.equal(401);
        expect(refused.body).to.deep.include({ statusCode: 401, error: 'Unauthorized', code: 'UNAUTHORIZED' });
        expect(refused.headers.get('www-authenticate')).to.equal('Bearer realm="metrics"');
      }
      const allowed = await scrape(baseUrl, `Bearer ${TOKEN}`);
      expect(allowed.status, baseUrl).to.equal(200);
      expect(allowed.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
    }
  });

  it('leaves /metrics open when no token is configured', async () => {
    stack = await startStack({ workers: false });
    worker = await serveMetrics(new Registry(), 0);
    expect((await scrape(stack.baseUrl)).status).to.equal(200);
    expect((await scrape(`http://127.0.0.1:${(worker.address() as AddressInfo).port}`)).status).to.equal(200);
  });
});
