// BullMQ's own rate, in a process of its own: N jobs added with addBulk in chunks (no worker running),
// then processed by a no-op Worker, on a queue prefix of its own. Prints one JSON line (a BullmqLimit).
// Usage: node bullmq-noop.js <redis-url> <queue-prefix> <jobs>
import { Queue, Worker } from 'bullmq';
import type { BullmqLimit } from '../figures';
import { REFERENCE_JOB_OPTIONS } from '../reference/schema';

const CHUNK = 1000;
const CONCURRENCY = 32;
const QUEUE = 'noop';

async function main(): Promise<void> {
  const [redisUrl, prefix, jobsText] = process.argv.slice(2);
  const jobs = Number(jobsText);
  if (!redisUrl || !prefix || !(jobs > 0)) throw new Error('usage: bullmq-noop.js <redis-url> <queue-prefix> <jobs>');
  const connection = { url: redisUrl, maxRetriesPerRequest: null };
  const queue = new Queue(QUEUE, { connection, prefix });
  await queue.waitUntilReady();
  // A job as big as a bench event, with the targets' retention and retries: Redis does the same work per job.
  const data = { body: { status: 'PENDING', comment: 'x'.repeat(200) }, receivedAt: new Date().toISOString() };

  const addStart = process.hrtime.bigint();
  for (let added = 0; added < jobs; added += CHUNK) {
    const size = Math.min(CHUNK, jobs - added);
    await queue.addBulk(Array.from({ length: size }, () => ({ name: 'event', data, opts: REFERENCE_JOB_OPTIONS })));
  }
  const addSeconds = Number(process.hrtime.bigint() - addStart) / 1e9;

  const worker = new Worker(QUEUE, async () => undefined, { connection, prefix, concurrency: CONCURRENCY, autorun: false });
  await worker.waitUntilReady();
  let processed = 0;
  const allDone = new Promise<void>((resolve) =>
    worker.on('completed', () => {
      if (++processed === jobs) resolve();
    }),
  );
  worker.on('failed', (job, error) => console.error(`bullmq-noop: job ${job?.id} failed: ${error.message}`));
  const processStart = process.hrtime.bigint();
  void worker.run();
  await allDone;
  const processSeconds = Number(process.hrtime.bigint() - processStart) / 1e9;
  await worker.close();
  await queue.close();

  const limit: BullmqLimit = {
    jobs,
    chunk: CHUNK,
    concurrency: CONCURRENCY,
    addsPerSec: jobs / addSeconds,
    processedPerSec: jobs / processSeconds,
  };
  console.log(JSON.stringify(limit));
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bullmq-noop: ${error.message}`);
    process.exit(1);
  },
);
