// What the web processes logged as errors. Every 500 is logged with its cause (server/middleware/errors.ts),
// so the report names the cause of an unexpected 5xx and a failed run explains itself without its logs.
import { readFileSync } from 'node:fs';

const ERROR_LEVEL = 50; // pino: error and fatal

interface LogEntry {
  level?: number;
  msg?: string;
  err?: { type?: string; message?: string; stack?: string };
}

/** The distinct errors in pino logs, most frequent first, each with its count and the first frame of ours. */
export function loggedErrors(logPaths: readonly string[], limit = 5): string[] {
  const counts = new Map<string, number>();
  for (const file of logPaths) {
    for (const text of readFileSync(file, 'utf8').split('\n')) {
      const entry = parse(text);
      if (!entry || (entry.level ?? 0) < ERROR_LEVEL) continue;
      const what = [entry.msg, entry.err?.type, entry.err?.message, ownFrame(entry.err?.stack)].filter(Boolean).join(': ');
      counts.set(what, (counts.get(what) ?? 0) + 1);
    }
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([what, n]) => `${n}× ${what}`);
}

function parse(text: string): LogEntry | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    return JSON.parse(text) as LogEntry;
  } catch {
    return undefined;
  }
}

/** The first stack frame outside node_modules: where in the service the error surfaced. */
function ownFrame(stack: string | undefined): string | undefined {
  return stack
    ?.split('\n')
    .map((frame) => frame.trim())
    .find((frame) => frame.startsWith('at ') && !frame.includes('node_modules') && !frame.includes('node:'));
}
