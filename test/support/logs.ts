// A pino logger whose lines a test can read, as a log collector would receive them: tests wait for a line
// logged rather than for a time.
import { Writable } from 'node:stream';
import pino, { type Level } from 'pino';
import type { Logger } from '../../config/logger';

export type LogLine = Record<string, unknown>;

export function capturingLogger(level: Level = 'info'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}
