// The bare reference web: Express + BullMQ producer, no auth, no validation, no fast checks. It answers
// like the service's task-results route so the same load drives both: by default it waits for the job up to
// SYNC_WAIT_MS, with `Prefer: respond-async` it answers 202 at once.
import 'reflect-metadata';
import type { Server } from 'node:http';
import express from 'express';
import { Queue, QueueEvents } from 'bullmq';
import { loadConfigOrExit } from '../../config';
import { REFERENCE_JOB_OPTIONS, REFERENCE_QUEUE, type ReferenceJobData, type ReferenceJobResult } from './schema';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const connection = { url: config.redisUrl };
  const queue = new Queue<ReferenceJobData, ReferenceJobResult>(REFERENCE_QUEUE, { connection, prefix: config.queuePrefix });
  // One QueueEvents per process: every waiting request listens on the same stream.
  const events = new QueueEvents(REFERENCE_QUEUE, { connection, prefix: config.queuePrefix });
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  // Every waiting request adds a 'closing' listener to the queue: as many as there are requests in flight.
  queue.setMaxListeners(0);

  const app = express();
  app.use(express.json({ limit: '1mb' }));

  app.get('/readyz', async (_req, res) => {
    await queue.getJobCounts('active'); // a Redis round trip
    res.json({ status: 'ok' });
  });

  app.post('/api/activity-results/tasks', async (req, res) => {
    const job = await queue.add('event', { body: req.body, receivedAt: new Date().toISOString() }, REFERENCE_JOB_OPTIONS);
    const queued = { jobId: job.id, status: 'QUEUED' };
    if (/respond-async/i.test(req.get('prefer') ?? '')) {
      res.status(202).set('Preference-Applied', 'respond-async').json(queued);
      return;
    }
    try {
      const result = await job.waitUntilFinished(events, config.syncWaitMs);
      res.status(result.created ? 201 : 200).json(result);
    } catch {
      // Either the wait ran out (202, as the service does) or the job failed, which the reference never should.
      res.status((await job.getState()) === 'failed' ? 500 : 202).json(queued);
    }
  });

  const server: Server = app.listen(config.port, '127.0.0.1');
  const stop = () => {
    server.close();
    void Promise.allSettled([queue.close(), events.close()]).then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: Error) => {
  console.error(`reference web: ${error.message}`);
  process.exit(1);
});
