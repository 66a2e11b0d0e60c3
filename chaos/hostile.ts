// Sends the hostile burst and counts its answers. A 5xx to any of it fails the run; an accepted event
// goes into the ledger, so the final state is checked for it like for any other.
import net from 'node:net';
import type { Answer, Ledger } from './ledger';
import type { HostileCase } from './hostile-cases';
import { send } from './sender';

export interface HostileFigures {
  readonly requests: number;
  readonly byStatus: Record<string, number>;
  /** Cases answered with a 5xx: the run fails on any. */
  readonly serverErrors: readonly string[];
  /** Cases the service accepted (2xx) whose event the run cannot rebuild, so cannot check. */
  readonly acceptedUnchecked: readonly string[];
  /** Races of one Idempotency-Key with two bodies not answered one 2xx and one 422: the run fails on any. */
  readonly raceViolations: readonly string[];
  readonly slowest: { readonly name: string; readonly ms: number };
}

/** Writes raw bytes and reads the status line of whatever comes back; status 0 when nothing does. */
function sendRaw(port: number, bytes: Buffer, timeoutMs: number): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    const finish = () => {
      socket.destroy();
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1] ?? 0);
      resolve({ status, ms: performance.now() - started, ...(status === 0 ? { failure: 'network' as const } : {}) });
    };
    socket.setTimeout(timeoutMs, finish);
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('connect', () => socket.end(bytes));
  });
}

export async function runHostile(
  cases: readonly HostileCase[],
  options: { baseUrl: string; ledger: Ledger; concurrency: number; timeoutMs: number },
): Promise<HostileFigures> {
  const port = Number(new URL(options.baseUrl).port);
  const byStatus: Record<string, number> = {};
  const serverErrors: string[] = [];
  const acceptedUnchecked: string[] = [];
  const raceViolations: string[] = [];
  let slowest = { name: '', ms: 0 };
  let next = 0;
  const sendCase = (hostile: HostileCase) =>
    hostile.raw ? sendRaw(port, hostile.raw, options.timeoutMs) : send(options.baseUrl, hostile.request, options.timeoutMs);
  const count = (hostile: HostileCase, answer: Answer) => {
    byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
    if (answer.ms > slowest.ms) slowest = { name: hostile.name, ms: answer.ms };
    if (answer.status >= 500) serverErrors.push(`${hostile.name}: ${answer.status} ${answer.code ?? ''}`.trim());
    const accepted =
      answer.status >= 200 &&
      answer.status < 300 &&
      hostile.request.method === 'POST' &&
      hostile.request.path.endsWith('/activity-results/tasks');
    if (hostile.event) options.ledger.settle(hostile.event, answer);
    else if (accepted) acceptedUnchecked.push(hostile.name);
  };
  const lane = async () => {
    while (next < cases.length) {
      const hostile = cases[next++];
      if (!hostile.rival) {
        count(hostile, await sendCase(hostile));
        continue;
      }
      const answers = await Promise.all([sendCase(hostile), sendCase(hostile.rival)]);
      count(hostile, answers[0]);
      count(hostile.rival, answers[1]);
      const acknowledged = answers.filter((a) => a.status >= 200 && a.status < 300).length;
      const reused = answers.filter((a) => a.code === 'IDEMPOTENCY_KEY_REUSED').length;
      if (acknowledged !== 1 || reused !== 1)
        raceViolations.push(`${hostile.name}: answered ${answers.map((a) => a.status).join(' and ')}`);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  const requests = cases.length + cases.filter((c) => c.rival).length;
  return { requests, byStatus, serverErrors, acceptedUnchecked, raceViolations, slowest };
}
