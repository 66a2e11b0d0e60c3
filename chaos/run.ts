// `npm run chaos`: proves that what the API acknowledged is applied exactly once, newest event winning,
// through worker crashes, outages, races and hostile input. Prints the report; exit code 0 when the run
// passes, 2 when it does not, 1 when it could not run.
import 'reflect-metadata';
import path from 'node:path';
import { usage, wantsHelp } from '../harness/flags';
import { Tool } from '../harness/tool';
import { FLAGS, loadOptions } from './options';
import { formatReport } from './report';
import { runChaos } from './scenario';

const tool = new Tool('chaos');

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    console.log(usage('npm run chaos --', FLAGS, 'chaos/README.md'));
    return 0;
  }
  const options = loadOptions(argv, process.env, path.resolve(__dirname, '..', '..', 'chaos', 'results'));
  const report = await runChaos(options, (message) => tool.log(message), tool.cleanup);
  console.log(formatReport(report));
  return report.pass ? 0 : 2;
}

tool.run(main, (error) => error.stack ?? error.message);
