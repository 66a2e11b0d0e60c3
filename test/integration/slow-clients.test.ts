// Connections held open by clients that send slowly or not at all: each is cut within the configured
// limit, or at once when the service has answered before the body arrived.
import { expect } from 'chai';
import { createTenant } from '../support/fixtures';
import { slowClient as openSlowClient, type SlowClient } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { HTTP_TIMEOUTS } from '../../server/web';

const postHead = (headers: string, length = 1_048_576) =>
  `POST /api/activity-results/tasks HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${headers}\r\n`;

describe('slow clients', () => {
  let stack: Stack;
  const clients: SlowClient[] = [];
  afterEach(async () => {
    clients.splice(0).forEach((client) => client.destroy());
    await stack.close();
  });

  const slowClient = (...args: Parameters<typeof openSlowClient>) => {
    const client = openSlowClient(...args);
    clients.push(client);
    return client;
  };

  it('has limits no real client meets, checked every second', async () => {
    stack = await startStack({ workers: false });
    const { server } = stack.web;
    expect([server.headersTimeout, server.requestTimeout]).to.deep.equal([HTTP_TIMEOUTS.headersMs, HTTP_TIMEOUTS.requestMs]);
    expect(HTTP_TIMEOUTS).to.deep.equal({ headersMs: 10_000, requestMs: 30_000, checkEveryMs: 1_000 });
  });

  it('cuts a connection whose headers never end within the headers limit', async () => {
    stack = await startStack({ workers: false, httpTimeouts: { headersMs: 800, requestMs: 5_000, checkEveryMs: 100 } });
    const { status, ms } = await slowClient(stack.baseUrl, 'GET /healthz HTTP/1.1\r\nHost: t\r\n', 'X-Slow: 1\r\n').closed;
    expect(status).to.equal(408);
    expect(ms).to.be.within(700, 2_500);
  });

  it('cuts a request whose body is still arriving at the request limit', async () => {
    stack = await startStack({ workers: false, httpTimeouts: { headersMs: 500, requestMs: 1_500, checkEveryMs: 100 } });
    const tenant = await createTenant();
    const { status, ms } = await slowClient(stack.baseUrl, postHead(`x-api-key: ${tenant.key}\r\n`, 1_000), '{').closed;
    expect(status).to.equal(408);
    expect(ms).to.be.within(1_400, 3_500);
  });

  it('closes the connection after a 401 answered before the body, instead of reading the body', async () => {
    stack = await startStack({ workers: false }); // the default limits: 30 s for the whole request
    const { status, response, ms } = await slowClient(stack.baseUrl, postHead(''), '{"a":1,').closed;
    expect(status).to.equal(401);
    expect(response).to.match(/\r\nConnection: close\r\n/i);
    expect(response).to.include('"code":"UNAUTHORIZED"');
    expect(ms).to.be.below(5_000);
  });

  it('closes the connection after a 415 answered before the body, and keeps it after an error with no body to read', async () => {
    stack = await startStack({ workers: false });
    const tenant = await createTenant();
    const refused = await slowClient(stack.baseUrl, postHead(`x-api-key: ${tenant.key}\r\n`).replace('application/json', 'text/plain'), 'x')
      .closed;
    expect(refused.status).to.equal(415);
    expect(refused.response).to.match(/\r\nConnection: close\r\n/i);

    const unauthorized = await fetch(`${stack.baseUrl}/api/activity-results/00000000-0000-4000-8000-000000000000`);
    expect(unauthorized.status).to.equal(401);
    expect(unauthorized.headers.get('connection')).to.equal('keep-alive');
    await unauthorized.text();
  });
});
