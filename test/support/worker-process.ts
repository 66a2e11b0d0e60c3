// The real worker process (`node dist/workers/index.js`), started the way the Procfile starts it, with
// its JSON log lines collected for the test to read.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { eventually } from './wait';
import { REDIS_URL, TEST_DATABASE_URL } from './env';

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly logs: Array<Record<string, any>>;
  readonly metricsPort: number;
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): void;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startWorkerProcess(prefix: string, env: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
  const metricsPort = await freePort();
  const child = spawn(process.execPath, [path.join(__dirname, '../../workers/index.js')], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: TEST_DATABASE_URL,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'info',
      WORKER_CONCURRENCY: '2',
      WORKER_METRICS_PORT: String(metricsPort),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, any>> = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) logs.push(JSON.parse(line));
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`worker exited at start: ${stderr}`);
    return logs.some((l) => l.msg === 'worker started') ? true : undefined;
  }, 15_000);
  return {
    child,
    logs,
    metricsPort,
    exited: () => exit,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
