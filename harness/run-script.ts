import { execFile } from 'node:child_process';

export interface ScriptRun {
  /** The exit code; null when a signal or the timeout ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a node script to completion, as an operator runs a command (migrations, the admin CLI). */
export function runScript(script: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<ScriptRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { env, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, signal: error?.signal ?? null, stdout, stderr });
    });
  });
}

/** Like runScript, but a run that does not exit 0 is an error; returns its stdout. */
export async function runScriptOk(script: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<string> {
  const run = await runScript(script, args, env, timeoutMs);
  if (run.code === 0) return run.stdout;
  throw new Error(`${script} ${args.join(' ')} failed (${run.signal ?? run.code}): ${run.stderr.trim() || run.stdout.trim()}`);
}
