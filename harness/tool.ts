// The frame of a command-line tool (`npm run bench`, `npm run chaos`): a log line prefixed with its name on
// stderr, one cleanup, released on Ctrl-C, SIGTERM or a deadline before it exits, and the exit code main()
// returns (1 when it throws).
import { Cleanup } from './cleanup';

export class Tool {
  readonly cleanup: Cleanup;

  constructor(private readonly name: string) {
    this.cleanup = new Cleanup((message) => this.log(message));
  }

  log(message: string): void {
    process.stderr.write(`${this.name}: ${message}\n`);
  }

  /** Undoes what the run set up, then exits: on a signal, or when the run takes too long. */
  async abort(reason: string, code: number): Promise<never> {
    this.log(`stopping: ${reason}`);
    await this.cleanup.release();
    process.exit(code);
  }

  /** Runs main with the signals handled; `describe` turns an error into the line that says why it failed. */
  run(main: () => Promise<number>, describe: (error: Error) => string = (error) => error.message): void {
    process.once('SIGINT', () => void this.abort('interrupted', 130));
    process.once('SIGTERM', () => void this.abort('terminated', 143));
    main()
      .finally(() => this.cleanup.release())
      .then(
        (code) => process.exit(code),
        (error: Error) => {
          this.log(`failed: ${describe(error)}`);
          process.exit(1);
        },
      );
  }
}
