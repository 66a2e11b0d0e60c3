// The admin CLI as an operator runs it, against the test database.
import path from 'node:path';
import { runScript, type ScriptRun } from '../../harness/run-script';
import { TEST_DATABASE_URL } from './env';

const ADMIN = path.join(__dirname, '../../cli/admin.js');

export function admin(...args: string[]): Promise<ScriptRun> {
  return runScript(ADMIN, args, { ...process.env, DATABASE_URL: TEST_DATABASE_URL, LOG_LEVEL: 'silent' });
}

/** Runs a command with --json and returns its output, failing the test when the command fails. */
export async function adminJson(...args: string[]): Promise<any> {
  const run = await admin(...args, '--json');
  if (run.code !== 0) throw new Error(`admin ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!);
}
