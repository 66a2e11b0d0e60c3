// Child processes of a bench run: started with their output in a log file, watched for peak RSS, and
// stopped by their own pid (SIGTERM, then SIGKILL after a grace period).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import net from 'node:net';

const TAIL_LINES = 30;

export class Child {
  peakRssKb = 0;
  exitCode: number | null | undefined = undefined;
  private readonly tail: string[] = [];
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly proc: ChildProcess,
    logPath: string,
  ) {
    const log = createWriteStream(logPath);
    const keep = (chunk: Buffer) => {
      log.write(chunk);
      this.tail.push(...chunk.toString().split('\n').filter(Boolean));
      this.tail.splice(0, Math.max(0, this.tail.length - TAIL_LINES));
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      proc.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        log.end();
        resolve();
      }),
    );
  }

  static start(name: string, script: string, env: NodeJS.ProcessEnv, logPath: string, nodeArgs: readonly string[] = []): Child {
    const proc = spawn(process.execPath, [...nodeArgs, script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    return new Child(name, proc, logPath);
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Last lines of its output, for an error message. */
  lastOutput(): string {
    return this.tail.map((line) => `  ${this.name}| ${line}`).join('\n');
  }

  assertRunning(): void {
    if (!this.running) throw new Error(`${this.name} exited (code ${this.exitCode})\n${this.lastOutput()}`);
  }

  sampleRss(): void {
    if (!this.running || this.pid === undefined) return;
    try {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      if (match) this.peakRssKb = Math.max(this.peakRssKb, Number(match[1]));
    } catch {
      // it exited between the check and the read
    }
  }

  /** CPU time used so far, user and system, in seconds (Linux counts it in 1/100 s); 0 once it has exited. */
  cpuSeconds(): number {
    if (!this.running || this.pid === undefined) return 0;
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return 0;
    }
  }

  /** SIGKILL, as a crash or the OOM killer would: no shutdown hook runs. Resolves once it has exited. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.proc.kill('SIGKILL');
    await this.exited;
  }

  async stop(graceMs = 5000): Promise<void> {
    if (!this.running) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Samples every child's RSS until the returned function is called. */
export function watchRss(children: readonly Child[], intervalMs = 200): () => void {
  const sample = () => children.forEach((c) => c.sampleRss());
  sample();
  const timer = setInterval(sample, intervalMs);
  return () => {
    clearInterval(timer);
    sample();
  };
}

/** A port free on the loopback interface right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls GET url until it answers 200; fails early when a child dies. */
export async function waitReady(url: string, children: readonly Child[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    children.forEach((c) => c.assertRunning());
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Runs a node script to completion and returns its stdout; a non-zero exit or a timeout is an error. */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.once('error', reject);
    proc.once('exit', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${script} ${args.join(' ')} failed (${signal ?? code}): ${stderr.trim() || stdout.trim()}`));
    });
  });
}
