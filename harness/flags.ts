// Settings of a tool from flags (`--duration 30`) or, for a flag not given, the variable it names
// (`BENCH_DURATION=30`). The tools are beside the service, not part of it, so they read their own
// environment here rather than through config/.
import { parseArgs } from 'node:util';

/** Each flag and the environment variable that stands in for it. */
export type FlagSpec = Readonly<Record<string, string>>;

export class Flags<F extends string> {
  private constructor(
    private readonly spec: Readonly<Record<F, string>>,
    private readonly values: Readonly<Partial<Record<F, string>>>,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Every flag takes a value; an unknown flag is an error. */
  static parse<F extends string>(spec: Readonly<Record<F, string>>, argv: readonly string[], env: NodeJS.ProcessEnv): Flags<F> {
    const { values } = parseArgs({
      args: [...argv],
      options: Object.fromEntries(Object.keys(spec).map((flag) => [flag, { type: 'string' as const }])),
      strict: true,
    });
    return new Flags(spec, values as Partial<Record<F, string>>, env);
  }

  string(flag: F): string | undefined {
    return this.values[flag] ?? this.env[this.spec[flag]];
  }

  number(flag: F, fallback: number, min: number, max = Infinity): number {
    const text = this.string(flag);
    const value = text === undefined ? fallback : Number(text);
    if (Number.isFinite(value) && value >= min && value <= max) return value;
    const range = max === Infinity ? `>= ${min}` : `from ${min} to ${max}`;
    throw new Error(`--${flag} / ${this.spec[flag]} must be a number ${range}`);
  }

  /** On for 1, true or yes, in any case. */
  boolean(flag: F): boolean {
    return ['1', 'true', 'yes'].includes(String(this.string(flag) ?? '').toLowerCase());
  }
}

/**
 * Flags that stand alone (`--redis-cluster`) given the value 1 when no value follows them, so that
 * Flags.parse, where every flag takes a value, reads them as on.
 */
export function expandSwitches(argv: readonly string[], switches: readonly string[]): string[] {
  return argv.flatMap((arg, i) => (switches.includes(arg) && (argv[i + 1] ?? '--').startsWith('--') ? [arg, '1'] : [arg]));
}

export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** The flags and their variables, for --help; what each means is in the tool's README. */
export function usage(command: string, spec: FlagSpec, readme: string): string {
  const width = Math.max(...Object.keys(spec).map((flag) => flag.length)) + 10;
  const lines = Object.entries(spec).map(([flag, variable]) => `  ${`--${flag} <value>`.padEnd(width)} ${variable}`);
  return [`usage: ${command} [flags]   (each flag, or the variable beside it; see ${readme})`, ...lines].join('\n');
}
