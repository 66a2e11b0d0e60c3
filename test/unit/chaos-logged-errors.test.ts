import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { loggedErrors } from '../../chaos/logged-errors';

describe("the chaos report's errors the webs logged", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'logged-errors-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const log = (name: string, entries: object[]) => {
    const file = path.join(dir, name);
    writeFileSync(file, `starting\n${entries.map((e) => JSON.stringify(e)).join('\n')}\n{"level":50,"msg":"cut o`);
    return file;
  };

  it('counts each error once across the logs, most frequent first, with the first frame outside node_modules', () => {
    const stack =
      'ReplyError: ERR no\n    at parseError (/app/node_modules/redis-parser/parser.js:1:1)\n    at ReplicaAcks.confirm (/app/dist/server/replica-acks.js:40:19)';
    const waitRefused = { level: 50, msg: 'unhandled error', err: { type: 'ReplyError', message: 'ERR no', stack } };
    const files = [
      log('web-1.log', [
        waitRefused,
        { level: 40, msg: 'fast checks skipped' },
        { level: 60, msg: 'fatal', err: { type: 'Error', message: 'gone' } },
      ]),
      log('web-2.log', [waitRefused, { level: 30, msg: 'request' }]),
    ];
    expect(loggedErrors(files)).to.deep.equal([
      '2× unhandled error: ReplyError: ERR no: at ReplicaAcks.confirm (/app/dist/server/replica-acks.js:40:19)',
      '1× fatal: Error: gone',
    ]);
  });

  it('finds none in logs of warnings and requests only', () => {
    expect(loggedErrors([log('web-1.log', [{ level: 40, msg: 'slow' }])])).to.deep.equal([]);
  });
});
