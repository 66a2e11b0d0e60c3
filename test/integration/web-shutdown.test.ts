import { expect } from 'chai';
import { createTenant, seedEvent } from '../support/fixtures';
import { postResult, request } from '../support/http';
import { startStack, type Stack } from '../support/stack';

describe('web shutdown', () => {
  let stack: Stack;
  afterEach(() => stack.close());

  it('stops accepting, answers the requests in flight, then closes its connections', async () => {
    stack = await startStack({ workers: false, syncWaitMs: 1_000 });
    const tenant = await createTenant();
    // Keep-alive connection first, idle by the time the web closes.
    expect((await request(stack.baseUrl, 'GET', '/healthz')).status).to.equal(200);
    // No worker: this request waits SYNC_WAIT_MS for its job, then answers 202.
    const inFlight = postResult(stack.baseUrl, tenant, seedEvent());
    await new Promise((resolve) => setTimeout(resolve, 200));

    const started = Date.now();
    const closed = stack.web.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = await fetch(`${stack.baseUrl}/healthz`).then(
      () => 'answered',
      (error: Error) => error.message,
    );
    expect(refused, 'a new request after close').to.equal('fetch failed');

    const reply = await inFlight;
    expect(reply.status).to.equal(202);
    await closed;
    expect(Date.now() - started).to.be.below(3_000);
    expect(stack.web.server.listening).to.equal(false);
  });
});
