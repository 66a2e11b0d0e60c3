// `npm run cluster:up` / `npm run cluster:down`: a local Redis Cluster of 3 masters and 3 replicas for
// running the service on (docs/redis-cluster.md). Both are idempotent: `up` with a healthy cluster running
// prints its nodes again, `down` with none running does nothing. The cluster's folder is under the system's
// temporary directory unless REDIS_CLUSTER_DIR names another.
import os from 'node:os';
import path from 'node:path';
import { RedisCluster } from './redis-cluster';
import { Tool } from './tool';

const tool = new Tool('cluster');
const dir = process.env.REDIS_CLUSTER_DIR ?? path.join(os.tmpdir(), `activity-results-redis-cluster-${os.userInfo().uid}`);

async function up(): Promise<number> {
  let cluster = await RedisCluster.find(dir);
  if (cluster && !(await cluster.healthy())) {
    tool.log('a cluster was recorded but is not healthy: starting it again');
    await cluster.stop();
    cluster = undefined;
  }
  cluster ??= await RedisCluster.start({ dir, log: (message) => tool.log(message) });
  tool.log(`cluster_state:ok, folder ${cluster.dir}`);
  process.stdout.write(`REDIS_CLUSTER_NODES=${cluster.nodeList}\n`);
  return 0;
}

async function down(): Promise<number> {
  const cluster = await RedisCluster.find(dir);
  if (!cluster) {
    tool.log('no cluster running');
    return 0;
  }
  await cluster.stop();
  tool.log(`stopped ${cluster.nodes.length} nodes`);
  return 0;
}

const action = process.argv[2];
if (action === 'up') tool.run(up);
else if (action === 'down') tool.run(down);
else {
  tool.log('usage: redis-cluster-cli (up | down)');
  process.exit(64);
}
