// The service's own entry points as child processes, for tests that need a process of their own
// (another DATABASE_URL, a signal, a kill). Every line of output is kept for the test to read.
import { freePort } from '../../harness/free-port';
import { Child } from '../../harness/processes';
import { REDIS_URL, TEST_DATABASE_URL } from './env';

type Entry = 'server/index.js' | 'workers/index.js';

/** Only PATH is inherited: the child sees the variables the test gives it, LOG_LEVEL info unless told. */
export function spawnEntry(entry: Entry, env: NodeJS.ProcessEnv): Child {
  const name = entry === 'server/index.js' ? 'web' : 'worker';
  return Child.start({ name, script: entry, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env }, keepLines: true });
}

export interface WorkerProcess {
  readonly process: Child;
  readonly metricsPort: number;
  /** Its JSON log lines so far. */
  readonly logs: Array<Record<string, any>>;
}

/** The real worker process on the test database, started and logging `worker started`. */
export async function startWorkerProcess(prefix: string, env: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
  const metricsPort = await freePort();
  const child = spawnEntry('workers/index.js', {
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    WORKER_CONCURRENCY: '2',
    WORKER_METRICS_PORT: String(metricsPort),
    ...env,
  });
  const worker = {
    process: child,
    metricsPort,
    get logs() {
      return child.lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, any>);
    },
  };
  try {
    await child.waitForLine(/"msg":"worker started"/, 15_000);
  } catch (error) {
    await child.kill();
    throw error;
  }
  return worker;
}
