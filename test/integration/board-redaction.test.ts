// What an operator sees of a job in Bull Board: no secret from the provider's body, the job's failure
// reason or its stack trace, whatever form the body was queued in.
import { expect } from 'chai';
import { UnrecoverableError, Worker } from 'bullmq';
import { createTenant, seedEvent, type TestTenant } from '../support/fixtures';
import { request, type Reply } from '../support/http';
import { basicAuthHeader, queueInvalidJob, startBoardStack } from '../support/board';
import { REDIS_URL } from '../support/env';
import { eventually } from '../support/wait';
import type { Stack } from '../support/stack';
import { workerConnection } from '../../workers/redis';

const BOARD = '/admin/queues';
const SECRETS = [
  'hunter2',
  's3cr3t',
  'sk-live-123456',
  'abc123',
  'eyJhbGciOiJIUzI1NiJ9',
  '4111 1111 1111 1111',
  'p4ss',
  'AKIAIOSFODNN7EXAMPLE',
];

describe('Bull Board redaction', () => {
  let stack: Stack;
  let tenant: TestTenant;

  beforeEach(async () => {
    stack = await startBoardStack({}, { workers: false });
    tenant = await createTenant();
  });
  afterEach(() => stack.close());

  const board = (path: string): Promise<Reply> =>
    request(stack.baseUrl, 'GET', `${BOARD}${path}`, { headers: { authorization: basicAuthHeader() } });
  const listed = async (status: string, jobId: string) => {
    const reply = await board(`/api/queues?activeQueue=activity-results&status=${status}&page=1&jobsPerPage=10`);
    return reply.body.queues.find((q: { name: string }) => q.name === 'activity-results').jobs.find((j: { id: string }) => j.id === jobId);
  };
  const expectNoSecret = (what: string, value: unknown) => {
    const text = JSON.stringify(value);
    for (const secret of SECRETS) expect(text, `${what} shows ${secret}`).not.to.include(secret);
  };

  it('redacts the failure reason and the stack trace of a failed job, and keeps its error code', async () => {
    const jobId = await queueInvalidJob(stack, tenant.tenantId);
    const connection = workerConnection(REDIS_URL);
    const worker = new Worker(
      'activity-results',
      async () => {
        throw new UnrecoverableError(
          'VALIDATION_FAILED: connect to postgres://app:s3cr3t@db/x refused; retry with password=hunter2, Authorization: Bearer sk-live-123456',
        );
      },
      { connection, prefix: stack.prefix },
    );
    try {
      await eventually(async () => ((await stack.web.taskResults.getJob(jobId))?.failedReason ? true : undefined));
    } finally {
      await worker.close();
      connection.disconnect();
    }
    const stored = (await stack.web.taskResults.getJob(jobId))!;
    expect(stored.failedReason, 'the job itself is unchanged').to.include('hunter2');
    expect((stored.stacktrace ?? []).join('\n')).to.include('hunter2');

    const inList = await listed('failed', jobId);
    const own = (await board(`/api/queues/activity-results/${jobId}`)).body.job;
    for (const job of [inList, own]) {
      expectNoSecret('the board', job);
      expect(job.failedReason).to.match(
        /^VALIDATION_FAILED: connect to postgres:\/\/app:\[redacted\]@db\/x refused; retry with password=\[redacted\]/,
      );
      expect(job.stacktrace.join('\n')).to.include('password=[redacted]');
    }
  });

  it('shows a body queued as JSON text parsed, redacted and cut to a preview, like an object body', async () => {
    const body = seedEvent({
      raw_payload: {
        headers: [
          { name: 'Authorization', value: 'Bearer sk-live-123456' },
          { name: 'Accept', value: 'application/json' },
        ],
        login: { pwd: 'p4ss', jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXBhcnQ', session_id: 'abc123', passphrase: 's3cr3t' },
        aws_access_key_id: 'AKIAIOSFODNN7EXAMPLE',
        card_number: '4111 1111 1111 1111',
        notes: 'n'.repeat(5_000),
      },
      task_result: { result: 'VISITED', comment: 'callback url had token=abc123 and password=hunter2' },
    });
    for (const [queued, id] of [
      [JSON.stringify(body), 'a'],
      [body, 'b'],
    ] as const) {
      const jobId = `tr-${tenant.tenantId}-f${id.repeat(40)}`;
      await stack.web.taskResults.add(
        { tenantId: tenant.tenantId, fingerprint: id.repeat(64), body: queued, receivedAt: new Date().toISOString() },
        jobId,
        { keyed: false },
      );
      const inList = await listed('waiting', jobId);
      const own = (await board(`/api/queues/activity-results/${jobId}`)).body.job;
      for (const job of [inList, own]) {
        expectNoSecret(`a ${typeof queued} body`, job.data);
        expect(job.data.body.provider_activity_id).to.equal(body.provider_activity_id);
        expect(job.data.body.task_result.comment).to.equal('callback url had token=[redacted] and password=[redacted]');
        expect(job.data.body.raw_payload).to.include({ truncated: true });
        expect(job.data.body.raw_payload.preview).to.include('{"name":"Authorization","value":"[redacted]"}');
      }
    }
  });
});
