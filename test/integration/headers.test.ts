import { expect } from 'chai';
import { createTenant, seedEvent } from '../support/fixtures';
import { postResult, request, type Reply } from '../support/http';
import { basicAuthHeader, startBoardStack } from '../support/board';
import { startStack, type Stack } from '../support/stack';

const expectApiHeaders = (reply: Reply, what: string) => {
  expect(reply.headers.get('x-content-type-options'), what).to.equal('nosniff');
  expect(reply.headers.get('cache-control'), what).to.equal('no-store');
};

describe('response headers', () => {
  let stack: Stack;
  afterEach(() => stack.close());

  it('marks every API and health answer nosniff and no-store, errors included', async () => {
    stack = await startStack();
    const tenant = await createTenant();
    const created = await postResult(stack.baseUrl, tenant, seedEvent());
    expect(created.status).to.equal(201);
    expectApiHeaders(created, 'POST 201');
    expectApiHeaders(await request(stack.baseUrl, 'GET', `/api/activity-results/${created.body.id}`, { tenant }), 'GET 200');
    expectApiHeaders(await request(stack.baseUrl, 'GET', '/api/activity-results/x'), 'GET 401');
    expectApiHeaders(await request(stack.baseUrl, 'GET', '/api/no-such-route', { tenant }), 'GET 404');
    expectApiHeaders(await postResult(stack.baseUrl, tenant, { status: 'nope' }), 'POST 400');
    expectApiHeaders(await request(stack.baseUrl, 'GET', '/healthz'), '/healthz');
    expectApiHeaders(await request(stack.baseUrl, 'GET', '/readyz'), '/readyz');
  });

  it('gives the board a content security policy that allows only its own scripts and no framing', async () => {
    stack = await startBoardStack({}, { workers: false });
    for (const authorization of [basicAuthHeader(), 'Basic eDp5']) {
      const page = await request(stack.baseUrl, 'GET', '/admin/queues', { headers: { authorization } });
      const policy = page.headers.get('content-security-policy') ?? '';
      expect(policy, `answer ${page.status}`).to.include("frame-ancestors 'none'");
      expect(policy).to.include("script-src 'self'");
      expect(page.headers.get('x-frame-options')).to.equal('DENY');
    }
  });
});
