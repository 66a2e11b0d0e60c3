import { expect } from 'chai';
import { createTenant, seedEvent, type TestTenant } from '../support/fixtures';
import { postResult, request, type Reply } from '../support/http';
import { basicAuthHeader, queueInvalidJob, startBoardStack } from '../support/board';
import { eventually } from '../support/wait';
import { startStack, type Stack } from '../support/stack';

const BOARD = '/admin/queues';

describe('Bull Board', () => {
  let stack: Stack;
  let tenant: TestTenant;

  afterEach(() => stack?.close());

  const board = (method: string, path: string, headers: Record<string, string> = {}): Promise<Reply> =>
    request(stack.baseUrl, method, `${BOARD}${path}`, { headers: { authorization: basicAuthHeader(), ...headers } });

  async function failedJob(): Promise<string> {
    const jobId = await queueInvalidJob(stack, tenant.tenantId);
    await eventually(async () => ((await stack.web.taskResults.getJob(jobId))?.finishedOn ? true : undefined));
    return jobId;
  }

  describe('with a login configured', () => {
    beforeEach(async () => {
      stack = await startBoardStack();
      tenant = await createTenant();
    });

    it('answers 401 with a Basic challenge without credentials or with wrong ones, 200 with the right ones', async () => {
      const none = await request(stack.baseUrl, 'GET', BOARD);
      expect(none.status).to.equal(401);
      expect(none.headers.get('www-authenticate')).to.match(/^Basic realm="Bull Board"/);
      expect(none.body.code).to.equal('UNAUTHORIZED');
      for (const wrong of [
        basicAuthHeader('ops', 'nope'),
        basicAuthHeader('root', 'correct horse battery staple'),
        'Basic !!!',
        'Bearer x',
      ]) {
        const reply = await request(stack.baseUrl, 'GET', `${BOARD}/api/queues`, { headers: { authorization: wrong } });
        expect(reply.status, wrong).to.equal(401);
      }
      const page = await board('GET', '/');
      expect(page.status).to.equal(200);
      expect(page.headers.get('content-type')).to.match(/text\/html/);
      expect(page.body).to.include('Activity results');
    });

    it('lists both queues with their names and descriptions through its own API', async () => {
      const reply = await board('GET', '/api/queues');
      expect(reply.status).to.equal(200);
      const queues = reply.body.queues as Array<{ name: string; displayName: string; description: string; readOnlyMode: boolean }>;
      expect(queues.map((q) => q.name)).to.have.members(['activity-results', 'follow-ups']);
      const results = queues.find((q) => q.name === 'activity-results')!;
      expect(results.displayName).to.equal('Activity results');
      expect(results.description).to.match(/task-result event/);
      expect(queues.find((q) => q.name === 'follow-ups')!.displayName).to.equal('Follow-ups');
      expect(results.readOnlyMode).to.equal(false);
    });

    it('shows a failed job with its name, error code, attempts and request id', async () => {
      const jobId = await failedJob();
      const reply = await board('GET', `/api/queues?activeQueue=activity-results&status=failed&page=1&jobsPerPage=10`);
      const queue = reply.body.queues.find((q: { name: string }) => q.name === 'activity-results');
      const job = queue.jobs.find((j: { id: string }) => j.id === jobId);
      expect(job.name).to.equal(
        `task-result · tenant ${tenant.tenantId.slice(0, 8)} · key visit-9 · NOT_A_STATUS · failed VALIDATION_FAILED (not retried)`,
      );
      expect(job.failedReason).to.match(/^VALIDATION_FAILED: /);
      expect(job.attempts).to.equal(1);
      expect(job.data.requestId).to.equal('req-board-test');
    });

    it('shows job data without secrets and with a large raw_payload cut to a preview', async () => {
      const raw = { password: 'hunter2', nested: { apiKey: 'sk-live-123' }, notes: 'n'.repeat(10_000) };
      const created = await postResult(stack.baseUrl, tenant, seedEvent({ raw_payload: raw }), { 'x-request-id': 'req-raw-1' });
      expect(created.status).to.equal(201);
      const reply = await board('GET', `/api/queues?activeQueue=activity-results&status=completed&page=1&jobsPerPage=10`);
      const [job] = reply.body.queues.find((q: { name: string }) => q.name === 'activity-results').jobs;
      const text = JSON.stringify(job);
      expect(text).not.to.include('hunter2');
      expect(text).not.to.include('sk-live-123');
      expect(job.data.body.raw_payload).to.include({ truncated: true });
      expect(job.data.body.raw_payload.chars).to.be.greaterThan(10_000);
      expect(job.data.body.raw_payload.preview).to.include('[redacted]');
      expect(job.data.body.task_result).to.deep.equal(seedEvent().task_result);
      expect(job.data.requestId).to.equal('req-raw-1');
    });

    it('refuses a cross-origin action and performs a same-origin one', async () => {
      const jobId = await failedJob();
      const host = new URL(stack.baseUrl).host;
      const crossOrigin: Array<Record<string, string>> = [
        { origin: 'https://evil.example' },
        { origin: 'null' },
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site', origin: `http://${host}` },
      ];
      for (const headers of crossOrigin) {
        const refused = await board('PUT', `/api/queues/activity-results/${jobId}/retry`, headers);
        expect(refused.status, JSON.stringify(headers)).to.equal(403);
        expect(refused.body.code).to.equal('FORBIDDEN');
      }
      expect((await stack.web.taskResults.getJob(jobId))?.attemptsMade, 'nothing was retried').to.equal(1);

      const firstFinish = (await stack.web.taskResults.getJob(jobId))!.finishedOn!;
      const done = await board('PUT', `/api/queues/activity-results/${jobId}/retry`, {
        origin: `http://${host}`,
        'sec-fetch-site': 'same-origin',
      });
      expect(done.status).to.equal(204);
      // Run again, the job fails again for the same reason, later than the first time.
      await eventually(async () => (((await stack.web.taskResults.getJob(jobId))?.finishedOn ?? 0) > firstFinish ? true : undefined));
      const pause = await board('PUT', '/api/queues/follow-ups/pause', { origin: `http://${host}` });
      expect(pause.status).to.equal(200);
      expect(
        await board('GET', '/api/queues').then((r) => r.body.queues.find((q: { name: string }) => q.name === 'follow-ups').isPaused),
      ).to.equal(true);
    });

    it('refuses every action that would add a job or write job data, even from its own origin', async () => {
      const jobId = await failedJob();
      const stored = (await stack.web.taskResults.getJob(jobId))!.data;
      const origin = stack.baseUrl;
      const writes: Array<[string, string, unknown]> = [
        ['PATCH', `/api/queues/activity-results/${jobId}/update-data`, { jobData: { tenantId: tenant.tenantId, body: '[redacted]' } }],
        ['PATCH', `/API/Queues/activity-results/${jobId}/UPDATE-DATA/`, { jobData: {} }],
        ['POST', '/api/queues/activity-results/add', { name: 'task-result', data: stored }], // what "duplicate" sends
        ['POST', '/api/queues/follow-ups/add', { name: 'follow-up', data: {} }],
      ];
      for (const [method, path, body] of writes) {
        const reply = await request(stack.baseUrl, method, `${BOARD}${path}`, {
          headers: { authorization: basicAuthHeader(), origin },
          body,
        });
        expect(reply.status, `${method} ${path}`).to.equal(403);
        expect(reply.body).to.deep.include({ statusCode: 403, error: 'Forbidden', code: 'FORBIDDEN' });
        expect(reply.body.message).to.match(/cannot add jobs or change job data/);
      }
      expect((await stack.web.taskResults.getJob(jobId))!.data, 'the job data is untouched').to.deep.equal(stored);
      const counts = await stack.web.taskResults.queue.getJobCounts();
      expect(
        Object.values(counts).reduce((a, b) => a + b, 0),
        'no job was added',
      ).to.equal(1);
    });

    it('still retries, promotes and removes jobs from its own origin', async () => {
      const origin = stack.baseUrl;
      const delayed = await stack.web.taskResults.queue.add(
        'task-result · delayed',
        { tenantId: tenant.tenantId, fingerprint: '2'.repeat(64), body: {}, receivedAt: new Date().toISOString() },
        { delay: 3_600_000, jobId: `tr-${tenant.tenantId}-f${'2'.repeat(40)}` },
      );
      expect((await board('PUT', `/api/queues/activity-results/${delayed.id}/promote`, { origin })).status).to.equal(204);
      await eventually(async () => ((await delayed.getState()) !== 'delayed' ? true : undefined));
      const failedId = await failedJob();
      expect((await board('PUT', `/api/queues/activity-results/${failedId}/clean`, { origin })).status).to.equal(204);
      expect(await stack.web.taskResults.getJob(failedId)).to.equal(undefined);
    });

    it('refuses a cross-origin request with a body whatever its content type', async () => {
      const reply = await request(stack.baseUrl, 'POST', `${BOARD}/api/queues/activity-results/add`, {
        headers: { authorization: basicAuthHeader(), origin: 'https://evil.example', 'content-type': 'text/plain' },
        rawBody: JSON.stringify({ name: 'x', data: {} }),
      });
      expect(reply.status).to.equal(403);
    });
  });

  describe('read-only', () => {
    beforeEach(async () => {
      stack = await startBoardStack({ BULL_BOARD_READ_ONLY: 'true' });
      tenant = await createTenant();
    });

    it('shows the queues as read-only and refuses every action, even from its own origin', async () => {
      const jobId = await failedJob();
      const listed = await board('GET', '/api/queues');
      expect(listed.body.queues.every((q: { readOnlyMode: boolean; allowRetries: boolean }) => q.readOnlyMode && !q.allowRetries)).to.equal(
        true,
      );
      const origin = stack.baseUrl;
      for (const [method, path] of [
        ['PUT', `/api/queues/activity-results/${jobId}/retry`],
        ['PUT', '/api/queues/activity-results/retry/failed'],
        ['PUT', '/api/queues/activity-results/clean/failed'],
        ['PUT', '/api/queues/activity-results/pause'],
        ['PUT', '/api/queues/pause'],
        ['POST', '/api/queues/activity-results/add'],
      ]) {
        const reply = await board(method, path, { origin });
        expect(reply.status, `${method} ${path}`).to.equal(403);
      }
      const job = await stack.web.taskResults.getJob(jobId);
      expect(job?.attemptsMade).to.equal(1);
      expect(await job?.getState()).to.equal('failed');
      const detail = await board('GET', `/api/queues/activity-results/${jobId}`);
      expect(detail.status).to.equal(200);
      expect(detail.body.job.failedReason).to.match(/^VALIDATION_FAILED/);
    });
  });

  describe('without a login', () => {
    beforeEach(async () => {
      stack = await startStack();
    });

    it('is not mounted', async () => {
      const reply = await request(stack.baseUrl, 'GET', BOARD, { headers: { authorization: basicAuthHeader() } });
      expect(reply.status).to.equal(404);
    });
  });
});
