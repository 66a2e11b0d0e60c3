// The harness's child process stopped and started again, as the bench's worker drain does with a worker:
// the same script and log, output and CPU time carried across the restart.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Child } from '../../harness/processes';

// Prints its pid, burns a little CPU, then waits for SIGTERM.
const SCRIPT = `
const until = Date.now() + 200;
while (Date.now() < until);
console.log('up ' + process.pid);
process.once('SIGTERM', () => process.exit(0));
setInterval(() => {}, 1000);
`;

describe('harness child process, restarted', () => {
  let dir: string;
  let child: Child | undefined;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'child-restart-'));
    writeFileSync(path.join(dir, 'idle.js'), SCRIPT);
  });

  afterEach(async () => {
    await child?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts the same script again on the same log, and keeps counting its lines and CPU time', async () => {
    const logPath = path.join(dir, 'idle.log');
    child = Child.start({ name: 'idle', script: path.join(dir, 'idle.js'), env: { PATH: process.env.PATH }, logPath, keepLines: true });
    const first = await child.waitForLine(/^up \d+$/);
    await child.stop();
    const cpuWhileStopped = child.cpuSeconds();
    expect(child.running).to.equal(false);
    expect(cpuWhileStopped).to.be.greaterThan(0);

    child.respawn();
    expect(child.running).to.equal(true);
    const second = await child.waitForLine(new RegExp(`^up (?!${first.split(' ')[1]}$)\\d+$`));
    expect(child.cpuSeconds()).to.be.at.least(cpuWhileStopped);
    expect(child.lines).to.deep.equal([first, second]);
    expect(() => child!.respawn()).to.throw(/still running/);

    await child.restart();
    await child.waitForLine(new RegExp(`^up (?!(${first.split(' ')[1]}|${second.split(' ')[1]})$)\\d+$`));
    await child.stop();
    expect(readFileSync(logPath, 'utf8').trim().split('\n')).to.have.length(3);
  });
});
