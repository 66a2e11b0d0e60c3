// The faults a chaos run injects, each undone by the code that caused it: worker processes killed with
// SIGKILL and replaced, a PostgreSQL outage (the service's connections terminated and new ones refused),
// and a Redis outage (the TCP proxy every service process reaches Redis through, taken down).
import type { Child } from '../harness/processes';
import { withAdmin } from '../harness/stores';
import type { TcpProxy } from '../harness/tcp-proxy';
import { sleep } from './sender';

/** The worker processes, kept at `size`: a killed one is replaced after a moment. */
export class WorkerFleet {
  readonly started: Child[] = [];
  private readonly running: Child[] = [];
  kills = 0;

  constructor(
    private readonly startWorker: (n: number) => Child,
    size: number,
    private readonly random: () => number,
  ) {
    for (let i = 0; i < size; i++) this.add();
  }

  private add(): void {
    const worker = this.startWorker(this.started.length + 1);
    this.started.push(worker);
    this.running.push(worker);
  }

  /** SIGKILLs one running worker at random; a new one starts `restartDelayMs` later. */
  async killOne(restartDelayMs: number): Promise<void> {
    const victim = this.running.splice(Math.floor(this.random() * this.running.length), 1)[0];
    if (!victim) return;
    await victim.kill();
    this.kills += 1;
    await sleep(restartDelayMs);
    this.add();
  }

  /** Fails when a worker died that nobody killed. */
  assertAlive(): void {
    this.running.forEach((w) => w.assertRunning());
  }

  async stop(): Promise<void> {
    await Promise.all(this.running.map((w) => w.stop()));
  }
}

/**
 * Kills a worker about every `everyMs`, `kills` times. Not more when the sending runs late: each kill stops
 * a shard for its lease and its jobs' locks (docs/decisions/011-shard-leases.md), so kills that went on as
 * long as the sending did would slow the sending further, with no end.
 */
export async function killWorkers(fleet: WorkerFleet, input: { everyMs: number; kills: number; restartDelayMs: number }): Promise<void> {
  while (fleet.kills < input.kills) {
    await sleep(input.everyMs * (0.75 + Math.random() / 2));
    fleet.assertAlive();
    await fleet.killOne(input.restartDelayMs);
  }
}

export async function allowConnections(adminUrl: string, database: string, allow: boolean): Promise<void> {
  // The name is the run's own (letters, digits, '_'), never input: quoting is enough.
  await withAdmin(adminUrl, (client) => client.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS ${allow}`));
}

/**
 * PostgreSQL goes away for the service: its database stops accepting connections (superusers included)
 * and every open connection to it is terminated; after `ms` connections are allowed again. Returns how
 * many connections were terminated.
 */
export async function postgresOutage(adminUrl: string, database: string, ms: number): Promise<number> {
  await allowConnections(adminUrl, database, false);
  try {
    const { rows } = await withAdmin(adminUrl, (client) =>
      client.query(
        'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [database],
      ),
    );
    await sleep(ms);
    return rows[0].n as number;
  } finally {
    await allowConnections(adminUrl, database, true);
  }
}

/** Redis goes away for the service: the proxy drops every connection and refuses new ones for `ms`. */
export async function redisOutage(proxy: TcpProxy, ms: number): Promise<void> {
  await proxy.stop();
  try {
    await sleep(ms);
  } finally {
    await proxy.start();
  }
}
