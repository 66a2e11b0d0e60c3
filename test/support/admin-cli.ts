// The admin CLI as an operator runs it, against the test database.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { TEST_DATABASE_URL } from './env';

const ADMIN = path.join(__dirname, '../../cli/admin.js');

export type Run = { code: number; stdout: string; stderr: string };

export function admin(...args: string[]): Promise<Run> {
  return adminWith({}, ...args);
}

/** The CLI with more environment, e.g. another DATABASE_URL. */
export async function adminWith(env: Record<string, string>, ...args: string[]): Promise<Run> {
  return run(process.execPath, [ADMIN, ...args], { DATABASE_URL: TEST_DATABASE_URL, LOG_LEVEL: 'silent', ...env });
}

/** A command as a user types it, e.g. `npm run admin -- …`, in `cwd`. */
export async function run(file: string, args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(file, args, { env: { ...process.env, ...env }, cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Runs a command with --json and returns its output, failing the test when the command fails. */
export async function adminJson(...args: string[]): Promise<any> {
  const ran = await admin(...args, '--json');
  if (ran.code !== 0) throw new Error(`admin ${args.join(' ')} exited ${ran.code}: ${ran.stderr}`);
  return JSON.parse(ran.stdout.trim().split('\n').pop()!);
}
