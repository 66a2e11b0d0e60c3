import { expect } from 'chai';
import { createTenant, seedEvent } from '../support/fixtures';
import { postResult, request } from '../support/http';
import { capturingLogger } from '../support/logs';
import { startStack, type Stack } from '../support/stack';
import { waitFor } from '../support/wait';

describe('request log', () => {
  let stack: Stack;
  afterEach(() => stack.close());

  it('gives the log line of an error answer its error code, and that of a success none', async () => {
    const { logger, lines } = capturingLogger();
    stack = await startStack({ logger });
    const tenant = await createTenant();
    const answers = [
      [await postResult(stack.baseUrl, tenant, seedEvent(), { 'x-request-id': 'log-201' }), undefined],
      [
        await postResult(stack.baseUrl, tenant, seedEvent({ occurred_at: '2025-01-16T13:00:00.000Z' }), { 'x-request-id': 'log-409' }),
        'STALE_EVENT',
      ],
      [await postResult(stack.baseUrl, tenant, { status: 'nope' }, { 'x-request-id': 'log-400' }), 'VALIDATION_FAILED'],
      [await request(stack.baseUrl, 'GET', '/api/activities/x', { headers: { 'x-request-id': 'log-401' } }), 'UNAUTHORIZED'],
      [await request(stack.baseUrl, 'GET', '/nowhere', { headers: { 'x-request-id': 'log-404' } }), 'NOT_FOUND'],
    ] as const;
    for (const [reply, code] of answers) {
      const requestId = reply.headers.get('x-request-id');
      const line = await waitFor(`the log line of ${requestId}`, async () =>
        lines.find((l) => l.msg === 'request' && l.requestId === requestId),
      );
      expect(line.status, String(requestId)).to.equal(reply.status);
      expect(line.code, String(requestId)).to.equal(code);
    }
  });
});
