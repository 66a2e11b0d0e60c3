// Bull Board as a test reaches it: a stack with the board mounted, basic auth, and a failed job to look at.
import type { Stack, StackOptions } from './stack';
import { startStack } from './stack';

export const BOARD_USER = 'ops';
export const BOARD_PASSWORD = 'correct horse battery staple';

export function startBoardStack(env: Record<string, string> = {}, options: StackOptions = {}): Promise<Stack> {
  return startStack({ ...options, env: { BULL_BOARD_USER: BOARD_USER, BULL_BOARD_PASSWORD: BOARD_PASSWORD, ...env } });
}

export function basicAuthHeader(user = BOARD_USER, password = BOARD_PASSWORD): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Queues a task-result job that the worker fails at once: its body is not a valid event. */
export async function queueInvalidJob(stack: Stack, tenantId: string, jobId = `tr-${tenantId}-f${'0'.repeat(40)}`): Promise<string> {
  const body = {
    provider_activity_id: 'visit-9',
    commerce_external_id: 'store-9',
    status: 'NOT_A_STATUS',
    occurred_at: '2025-01-16T14:30:00.000Z',
    task_result: { result: 'x' },
  };
  await stack.web.taskResults.add(
    {
      tenantId,
      fingerprint: '0'.repeat(64),
      body: JSON.stringify(body),
      receivedAt: new Date().toISOString(),
      requestId: 'req-board-test',
    },
    jobId,
    { keyed: false },
  );
  return jobId;
}
