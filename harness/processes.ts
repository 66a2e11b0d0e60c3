// The service's entry points (and the bench's reference) as child processes, for the bench, the chaos run
// and the tests alike: output line by line to a log file and kept in memory (the last lines, or all of them
// for a test to read), a wait for a line, and an end by SIGTERM with SIGKILL after a grace period, or by
// SIGKILL at once as a crash would, and a start again after it stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { cpuSeconds, rssKb } from './process-usage';

/** The compiled tree: dist/harness/.. */
export const DIST = path.resolve(__dirname, '..');

/** Lines kept for an error message when a child keeps only its tail. */
const TAIL_LINES = 30;

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ChildOptions {
  /** Names the child in error messages. */
  readonly name: string;
  /** A path inside dist/ (`server/index.js`) or an absolute path. */
  readonly script: string;
  /** The child's whole environment: nothing is inherited that is not in it. */
  readonly env: NodeJS.ProcessEnv;
  readonly nodeArgs?: readonly string[];
  /** Every line of output goes there too. */
  readonly logPath?: string;
  /** Keep every line (a test reads them) instead of the last few (a long run would fill memory). */
  readonly keepLines?: boolean;
}

export class Child {
  /** The highest RSS seen by sampleRss(), in kB. */
  peakRssKb = 0;
  /** stdout and stderr, line by line as they came: all of them, or the last few, over every start. */
  readonly lines: string[] = [];
  private proc!: ChildProcess;
  private exit?: Exit;
  private closed!: Promise<Exit>;
  /** CPU time of the runs before this one, so cpuSeconds() keeps counting across a restart. */
  private pastCpuSeconds = 0;
  private readonly waiters = new Set<(line: string) => void>();

  private constructor(private readonly options: ChildOptions) {
    this.spawn(false);
  }

  private spawn(again: boolean): void {
    const { nodeArgs = [], env, logPath, keepLines = false } = this.options;
    const proc = spawn(process.execPath, [...nodeArgs, path.resolve(DIST, this.options.script)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // A second start appends to the log the first one wrote.
    const log = logPath ? createWriteStream(logPath, { flags: again ? 'a' : 'w' }) : undefined;
    for (const stream of [proc.stdout!, proc.stderr!]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        log?.write(`${line}\n`);
        this.lines.push(line);
        if (!keepLines && this.lines.length > TAIL_LINES) this.lines.shift();
        for (const wake of this.waiters) wake(line);
      });
    }
    this.proc = proc;
    this.exit = undefined;
    // 'close' comes after the output streams have ended: every line is in by then. Resolved once the log
    // is written out too, so a reader (or the next start, appending) finds all of it.
    this.closed = new Promise((resolve) =>
      proc.once('close', (code, signal) => {
        const exit = { code, signal };
        this.exit = exit;
        if (log) log.end(() => resolve(exit));
        else resolve(exit);
      }),
    );
  }

  static start(options: ChildOptions): Child {
    return new Child(options);
  }

  get name(): string {
    return this.options.name;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** The exit code once it has exited on its own, null while it runs or after a signal ended it. */
  get exitCode(): number | null {
    return this.exit?.code ?? null;
  }

  exited(): Promise<Exit> {
    return this.closed;
  }

  /** Its last lines of output, for an error message. */
  lastOutput(): string {
    return this.lines
      .slice(-TAIL_LINES)
      .map((line) => `  ${this.name}| ${line}`)
      .join('\n');
  }

  assertRunning(): void {
    if (this.running) return;
    const code = this.exit!.code ?? (this.exit!.signal ? -1 : null);
    throw new Error(`${this.name} exited (code ${code})\n${this.lastOutput()}`);
  }

  /** The first line, already out or still to come, that matches; fails after timeoutMs or when it exits. */
  waitForLine(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const found = this.lines.find((line) => pattern.test(line));
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const done = () => {
        this.waiters.delete(check);
        clearTimeout(timer);
      };
      const check = (line: string) => {
        if (!pattern.test(line)) return;
        done();
        resolve(line);
      };
      const fail = (why: string) => {
        done();
        reject(new Error(`${this.name}: no line matching ${pattern} ${why}:\n${this.lines.join('\n')}`));
      };
      const timer = setTimeout(() => fail(`within ${timeoutMs} ms`), timeoutMs);
      this.waiters.add(check);
      void this.closed.then(() => this.waiters.has(check) && fail('before it exited'));
    });
  }

  /** Sends a signal and returns at once; a test sees what the process does with it. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.proc.kill(signal);
  }

  /** SIGKILL, as a crash or the OOM killer would: no shutdown hook runs. Resolves once it has exited. */
  async kill(): Promise<Exit> {
    if (this.running) this.pastCpuSeconds = this.cpuSeconds();
    this.signal('SIGKILL');
    return this.closed;
  }

  /** SIGTERM, then SIGKILL if it is still running after graceMs. */
  async stop(graceMs = 5000): Promise<Exit> {
    if (!this.running) return this.closed;
    this.pastCpuSeconds = this.cpuSeconds();
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    const exit = await this.closed;
    clearTimeout(timer);
    return exit;
  }

  /** Reads its RSS now and keeps the highest seen; nothing once it has exited. */
  sampleRss(): void {
    if (!this.running || this.pid === undefined) return;
    this.peakRssKb = Math.max(this.peakRssKb, rssKb(this.pid) ?? 0);
  }

  /**
   * Starts it again once it has exited, with the same script, options and log; its lines and peak RSS
   * carry on. Resolves when it is spawned, not when it is ready: what ready means is the caller's.
   */
  respawn(): void {
    if (this.running) throw new Error(`${this.name} is still running: stop it before starting it again`);
    this.spawn(true);
  }

  /** stop(), then respawn(): a deploy's restart. */
  async restart(graceMs = 5000): Promise<void> {
    await this.stop(graceMs);
    this.respawn();
  }

  /**
   * CPU time used so far, user and system, in seconds, over every start: the runs that ended count up to
   * the moment stop() or kill() was called. While stopped, what the runs before used.
   */
  cpuSeconds(): number {
    if (!this.running || this.pid === undefined) return this.pastCpuSeconds;
    return this.pastCpuSeconds + cpuSeconds(this.pid);
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
