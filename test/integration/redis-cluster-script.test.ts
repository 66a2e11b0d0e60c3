import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { DIST } from '../../harness/processes';
import { RedisCluster } from '../../harness/redis-cluster';

const run = promisify(execFile);

describe('npm run cluster:up / cluster:down', function () {
  this.timeout(60_000);
  let dir: string;
  const cli = (action: string) =>
    run(process.execPath, [path.join(DIST, 'harness/redis-cluster-cli.js'), action], { env: { ...process.env, REDIS_CLUSTER_DIR: dir } });

  before(async () => {
    dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'cluster-script-')), 'cluster');
  });

  after(async () => {
    await (await RedisCluster.find(dir))?.stop();
    await rm(path.dirname(dir), { recursive: true, force: true });
  });

  it('starts 3 masters with a replica each, prints the nodes, and is idempotent both ways', async () => {
    const first = await cli('up');
    const nodes = /^REDIS_CLUSTER_NODES=(\S+)$/m.exec(first.stdout)?.[1];
    expect(nodes?.split(',')).to.have.length(6);
    const second = await cli('up');
    expect(second.stdout).to.equal(first.stdout);

    const cluster = (await RedisCluster.find(dir))!;
    expect(await cluster.healthy()).to.equal(true);
    expect(await cluster.masters()).to.have.length(3);

    await cli('down');
    expect(await cluster.healthy()).to.equal(false);
    expect(await RedisCluster.find(dir)).to.equal(undefined);
    expect((await cli('down')).stderr).to.match(/no cluster running/);
  });
});
