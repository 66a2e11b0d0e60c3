import net from 'node:net';
import type { TestTenant } from './fixtures';
import { checkAnswer } from './openapi';

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
}

export interface RequestOptions {
  readonly tenant?: TestTenant;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  readonly rawBody?: string | Buffer;
  /** Skip the check against the OpenAPI document: only for answers the document cannot describe. */
  readonly unchecked?: boolean;
}

/** A request as a provider sends it: x-api-key auth and a JSON body unless told otherwise. Every /api
 * answer is checked against the OpenAPI document (openapi.ts). */
export async function request(baseUrl: string, method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.tenant) headers['x-api-key'] = options.tenant.key;
  let body: BodyInit | undefined =
    typeof options.rawBody === 'string' ? options.rawBody : options.rawBody && new Blob([new Uint8Array(options.rawBody)]);
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  if (path.startsWith('/api') && !options.unchecked) checkAnswer(method, path, response.status, response.headers, parsed);
  return { status: response.status, headers: response.headers, body: parsed };
}

export const postResult = (baseUrl: string, tenant: TestTenant, body: unknown, headers: Record<string, string> = {}) =>
  request(baseUrl, 'POST', '/api/activity-results/tasks', { tenant, body, headers });

export const BATCH_PATH = '/api/activity-results/tasks/batch';

/** A batch of events as a JSON array. */
export const postBatch = (baseUrl: string, tenant: TestTenant, events: unknown[], headers: Record<string, string> = {}) =>
  request(baseUrl, 'POST', BATCH_PATH, { tenant, body: events, headers });

/** Writes a request as it is over a plain socket, for requests fetch will not make; returns the status.
 * The request should say `Connection: close`: the answer is read until the server closes. */
export function rawRequest(baseUrl: string, text: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(new URL(baseUrl).port), '127.0.0.1', () => socket.write(text));
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0)));
  });
}

export interface SlowClient {
  /** Resolves when the server has closed the connection: what it answered, and after how long. */
  readonly closed: Promise<{ status: number; response: string; ms: number }>;
  /** Ends the client from its side, for a test that failed while the server still held on. */
  destroy(): void;
}

/**
 * A client that writes `head` at once and then `trickle` over and over, one byte every `everyMs`, as a
 * slowloris does, until the server closes the connection. It never closes on its own, and a server that
 * only half-closes while it goes on reading keeps it going: `closed` resolves when the server let go.
 */
export function slowClient(baseUrl: string, head: string, trickle = '', everyMs = 50): SlowClient {
  const started = Date.now();
  const socket = net.connect({ port: Number(new URL(baseUrl).port), host: '127.0.0.1', allowHalfOpen: true });
  let received = '';
  let sent = 0;
  const timer = setInterval(() => {
    if (trickle && socket.writable) socket.write(trickle[sent++ % trickle.length]);
  }, everyMs);
  socket.on('connect', () => socket.write(head));
  socket.on('data', (chunk) => (received += chunk.toString()));
  socket.on('error', () => {}); // a reset after the answer is one way of closing
  const closed = new Promise<{ status: number; response: string; ms: number }>((resolve) => {
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0), response: received, ms: Date.now() - started });
    });
  });
  return { closed, destroy: () => socket.destroy() };
}
