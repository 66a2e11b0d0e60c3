// `npm run chaos` (issue 5): proves that what the API acknowledged is applied exactly once, newest event
// winning, through worker crashes, outages, races and hostile input. Prints the report; exit code 0 when
// the run passes, 2 when it does not, 1 when it could not run.
import 'reflect-metadata';
import path from 'node:path';
import { loadOptions } from './options';
import { formatReport } from './report';
import { Cleanup, runChaos } from './scenario';

const log = (message: string) => process.stderr.write(`chaos: ${message}\n`);
const cleanup = new Cleanup(log);

async function main(): Promise<number> {
  const options = loadOptions(process.argv.slice(2), process.env, path.resolve(__dirname, '..', '..', 'chaos', 'results'));
  try {
    const report = await runChaos(options, log, cleanup);
    console.log(formatReport(report));
    return report.pass ? 0 : 2;
  } finally {
    await cleanup.release();
  }
}

async function abort(reason: string, code: number): Promise<never> {
  log(`stopping: ${reason}`);
  await cleanup.release();
  process.exit(code);
}

process.once('SIGINT', () => void abort('interrupted', 130));
process.once('SIGTERM', () => void abort('terminated', 143));

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    log(`failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
