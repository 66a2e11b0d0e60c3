// A local Redis Cluster for the tests, the chaos run and `npm run cluster:up`: masters and replicas from the
// machine's own redis-server on free high ports, in a folder of their own, nothing persisted. Each node
// runs daemonized, so the cluster outlives the command that started it; the folder records the ports and
// pids that stop it again.
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

const run = promisify(execFile);

/** A cluster node's port also opens the cluster bus on port + 10000. */
const BUS_OFFSET = 10_000;
// Both ports stay below the ephemeral range, so a node restarted on its port finds it free (see
// harness/free-port.ts).
const LOWEST_PORT = 10_000;
const HIGHEST_PORT = 32_767 - BUS_OFFSET;
const STATE_FILE = 'cluster.json';
const DEFAULT_NODE_TIMEOUT_MS = 2_000;

export interface ClusterNode {
  readonly host: string;
  readonly port: number;
}

export interface RedisClusterOptions {
  /** Where the nodes keep their config, logs and pid files; removed by stop(). */
  readonly dir: string;
  readonly masters?: number;
  readonly replicasPerMaster?: number;
  /** How long a master may be silent before its replica takes over. */
  readonly nodeTimeoutMs?: number;
  readonly log?: (message: string) => void;
}

export class RedisCluster {
  private constructor(
    readonly dir: string,
    readonly nodes: readonly ClusterNode[],
    private readonly nodeTimeoutMs: number,
  ) {}

  /** `host:port,host:port,…`, as REDIS_CLUSTER_NODES takes it. */
  get nodeList(): string {
    return this.nodes.map((n) => `${n.host}:${n.port}`).join(',');
  }

  /** Starts the nodes, joins them into a cluster and waits until every node says cluster_state:ok. */
  static async start(options: RedisClusterOptions): Promise<RedisCluster> {
    const masters = options.masters ?? 3;
    const count = masters * (1 + (options.replicasPerMaster ?? 1));
    const log = options.log ?? (() => {});
    await mkdir(options.dir, { recursive: true });
    const ports = await freeClusterPorts(count);
    const nodeTimeoutMs = options.nodeTimeoutMs ?? DEFAULT_NODE_TIMEOUT_MS;
    const cluster = new RedisCluster(
      options.dir,
      ports.map((port) => ({ host: '127.0.0.1', port })),
      nodeTimeoutMs,
    );
    await writeFile(path.join(options.dir, STATE_FILE), JSON.stringify({ nodes: cluster.nodes, nodeTimeoutMs }));
    try {
      for (const port of ports) await startNode(options.dir, port, nodeTimeoutMs);
      await Promise.all(cluster.nodes.map((node) => waitFor(() => answers(node), `node ${node.port} to answer`)));
      log(`creating a cluster of ${masters} masters on ports ${ports.join(', ')}`);
      const addresses = cluster.nodes.map((n) => `${n.host}:${n.port}`);
      await run('redis-cli', [
        '--cluster',
        'create',
        ...addresses,
        '--cluster-replicas',
        String(options.replicasPerMaster ?? 1),
        '--cluster-yes',
      ]);
      await cluster.waitUntilHealthy();
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** The cluster a folder records, if any of its nodes still runs. */
  static async find(dir: string): Promise<RedisCluster | undefined> {
    try {
      const state = JSON.parse(await readFile(path.join(dir, STATE_FILE), 'utf8')) as { nodes: ClusterNode[]; nodeTimeoutMs?: number };
      return new RedisCluster(dir, state.nodes, state.nodeTimeoutMs ?? DEFAULT_NODE_TIMEOUT_MS);
    } catch {
      return undefined;
    }
  }

  /**
   * Every node answers, says cluster_state:ok, and sees every node: none failing, each a master holding
   * slots or a replica (right after the create, a replica-to-be still looks like an empty master for a moment);
   * and every replica has copied its master and follows it, so a write can be confirmed (WAIT) at once.
   */
  async healthy(): Promise<boolean> {
    try {
      const infos = await Promise.all(this.nodes.map((node) => command(node, ['CLUSTER', 'INFO'])));
      if (!infos.every((info) => /cluster_state:ok/.test(String(info)))) return false;
      const replication = await Promise.all(this.nodes.map((node) => command(node, ['INFO', 'replication'])));
      if (replication.some((info) => /role:slave/.test(String(info)) && !/master_link_status:up/.test(String(info)))) return false;
      const views = await Promise.all(this.nodes.map((node) => command(node, ['CLUSTER', 'NODES'])));
      return views.every((view) => {
        const lines = String(view).trim().split('\n');
        return (
          lines.length === this.nodes.length &&
          lines.every((line) => {
            const fields = line.split(' ');
            if (/fail|handshake|noaddr/.test(fields[2])) return false;
            return fields[2].includes('slave') || fields.length > 8;
          })
        );
      });
    } catch {
      return false;
    }
  }

  async waitUntilHealthy(timeoutMs = 30_000): Promise<void> {
    await waitFor(() => this.healthy(), 'the cluster to say cluster_state:ok on every node', timeoutMs);
  }

  /** The nodes that are masters now, by CLUSTER NODES. */
  async masters(): Promise<ClusterNode[]> {
    const lines = String(await command(this.nodes[0], ['CLUSTER', 'NODES']))
      .trim()
      .split('\n');
    return lines
      .filter((line) => line.split(' ')[2].includes('master') && line.split(' ').length > 8)
      .map((line) => {
        const [host, port] = line.split(' ')[1].split('@')[0].split(':');
        return { host, port: Number(port) };
      });
  }

  /** The master that holds a slot now. */
  async masterOf(slot: number): Promise<ClusterNode> {
    const ranges = (await command(this.nodes[0], ['CLUSTER', 'SLOTS'])) as [number, number, [string, number]][];
    const [, , [host, port]] = ranges.find(([low, high]) => slot >= low && slot <= high)!;
    return { host, port };
  }

  /**
   * Fails a master over to its replica as an operator would (CLUSTER FAILOVER on the replica) and waits
   * until the replica is master and the cluster healthy again. Returns the new master.
   */
  async failOver(master: ClusterNode): Promise<ClusterNode> {
    const node = await replicaOf(master);
    await command(node, ['CLUSTER', 'FAILOVER']);
    await waitFor(() => isMaster(node), `node ${node.port} to take over`);
    await this.waitUntilHealthy();
    return node;
  }

  /**
   * A master's redis-server dies (SIGKILL): waits until its replica has been elected in its place and the
   * surviving nodes say cluster_state:ok, then (with `restart`) starts the node again on its port and its
   * cluster config. It comes back empty, finds its slots held by a newer master and rejoins as that master's
   * replica; the call returns once the whole cluster is healthy again. The times are from the kill.
   */
  async killMaster(master: ClusterNode, restart = true): Promise<{ newMaster: ClusterNode; electedMs: number; rejoinedMs?: number }> {
    const replica = await replicaOf(master);
    const pid = await readPid(this.dir, master.port);
    if (pid === undefined) throw new Error(`no pid file for node ${master.port}`);
    const killed = Date.now();
    kill(pid);
    await waitFor(async () => !alive(pid), `node ${master.port} to die`);
    const survivors = this.nodes.filter((node) => node.port !== master.port);
    await waitFor(
      async () =>
        (await isMaster(replica)) &&
        (await Promise.all(survivors.map((node) => command(node, ['CLUSTER', 'INFO']).catch(() => '')))).every((info) =>
          /cluster_state:ok/.test(String(info)),
        ),
      `node ${replica.port} to be elected in place of ${master.port}`,
      30_000,
    );
    const electedMs = Date.now() - killed;
    if (!restart) return { newMaster: replica, electedMs };
    await startNode(this.dir, master.port, this.nodeTimeoutMs);
    await waitFor(async () => (await answers(master)) && !(await isMaster(master)), `node ${master.port} to rejoin as a replica`, 30_000);
    await this.waitUntilHealthy();
    return { newMaster: replica, electedMs, rejoinedMs: Date.now() - killed };
  }

  /**
   * Stops a master's replica (SIGSTOP) until the returned function resumes it (SIGCONT): the master goes on
   * taking writes, and nothing it takes is copied meanwhile. Resume within the node timeout, or the
   * cluster marks the replica failed.
   */
  async freezeReplicaOf(master: ClusterNode): Promise<() => void> {
    const replica = await replicaOf(master);
    const pid = await readPid(this.dir, replica.port);
    if (pid === undefined) throw new Error(`no pid file for node ${replica.port}`);
    process.kill(pid, 'SIGSTOP');
    return () => process.kill(pid, 'SIGCONT');
  }

  /** Stops every node without saving and removes the folder; a node already gone is no error. */
  async stop(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (node) => {
        await command(node, ['SHUTDOWN', 'NOSAVE']).catch(() => undefined);
        const pid = await readPid(this.dir, node.port);
        if (pid !== undefined) await waitFor(async () => !alive(pid), `node ${node.port} to stop`, 10_000).catch(() => kill(pid));
      }),
    );
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The replica of a master, by the master's own CLUSTER NODES. */
async function replicaOf(master: ClusterNode): Promise<ClusterNode> {
  const lines = String(await command(master, ['CLUSTER', 'NODES']))
    .trim()
    .split('\n')
    .map((line) => line.split(' '));
  const masterId = lines.find((fields) => fields[2].includes('myself'))![0];
  const replica = lines.find((fields) => fields[3] === masterId);
  if (!replica) throw new Error(`node ${master.port} has no replica`);
  const [host, port] = replica[1].split('@')[0].split(':');
  return { host, port: Number(port) };
}

async function isMaster(node: ClusterNode): Promise<boolean> {
  return String(await command(node, ['ROLE']).catch(() => '')).startsWith('master');
}

async function startNode(dir: string, port: number, nodeTimeoutMs: number): Promise<void> {
  await run('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    `nodes-${port}.conf`,
    '--cluster-node-timeout',
    String(nodeTimeoutMs),
    '--save',
    '',
    '--appendonly',
    'no',
    // A new replica's copy starts at once rather than after 5 s of waiting for other replicas to join it.
    '--repl-diskless-sync-delay',
    '0',
    '--dir',
    dir,
    '--daemonize',
    'yes',
    '--pidfile',
    path.join(dir, `redis-${port}.pid`),
    '--logfile',
    path.join(dir, `redis-${port}.log`),
  ]);
}

/** One command on its own short-lived connection, which fails rather than retries. */
async function command(node: ClusterNode, args: [string, ...string[]]): Promise<unknown> {
  const redis = new Redis({ ...node, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2_000 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await redis.call(...args);
  } finally {
    redis.disconnect();
  }
}

async function answers(node: ClusterNode): Promise<boolean> {
  return (await command(node, ['PING']).catch(() => undefined)) === 'PONG';
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function readPid(dir: string, port: number): Promise<number | undefined> {
  const text = await readFile(path.join(dir, `redis-${port}.pid`), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : Number(text.trim());
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * `count` ports, each free along with its cluster bus port, from a random place in the high range, so
 * two runs on one machine do not pick the same ones.
 */
async function freeClusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  let port = LOWEST_PORT + Math.floor(Math.random() * (HIGHEST_PORT - LOWEST_PORT - 1000));
  while (ports.length < count) {
    if (port > HIGHEST_PORT) port = LOWEST_PORT;
    if ((await portFree(port)) && (await portFree(port + BUS_OFFSET))) ports.push(port);
    port += 1;
  }
  return ports;
}
