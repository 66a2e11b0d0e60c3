// The hostile burst: malformed and hostile requests a provider (or anyone holding a key) could send.
// None may get a 5xx. Some are valid events despite their looks (an injection string is a fine comment):
// those carry their event, and when the service accepts one it must store it exactly as sent.
import { gzipSync } from 'node:zlib';
import { standaloneKeyId, type ChaosEvent } from './plan';
import { INJECTIONS, INVALID_JSON, INVALID_UTF8, RAW_NUMBERS, STRING_FIELDS, TYPE_FIELDS, UNICODE, WRONG_TYPES } from './hostile-inputs';
import { BATCH_PATH, TASKS_PATH, type HttpRequest } from './sender';

export interface HostileCase {
  readonly name: string;
  /** Sent with fetch; `raw`, when set, goes over a plain socket instead. */
  readonly request: HttpRequest;
  readonly raw?: Buffer;
  /** When the body is a task result the service may accept: accepted, it is checked like any event. */
  readonly event?: ChaosEvent;
  /**
   * Sent at the same moment, with the same Idempotency-Key and another body: of the two, exactly one may
   * be acknowledged, and the other answered 422 IDEMPOTENCY_KEY_REUSED.
   */
  readonly rival?: HostileCase;
}

function nested(depth: number, leaf: unknown, wrap: (inner: unknown) => unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = wrap(value);
  return value;
}

/** JSON text of `depth` nested arrays, built as text: JSON.stringify would recurse that deep. */
const deepArrayText = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

function setPath(body: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = body;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
  node[parts[parts.length - 1]] = value;
}

export interface HostileInput {
  readonly runId: string;
  readonly apiKey: string;
  readonly tenantId: string;
  /** Event time of the hostile events; each gets its own millisecond after it. */
  readonly originMs: number;
  /** seq numbers of hostile events start here, past the stream's. */
  readonly firstSeq: number;
}

export function buildHostileCases(input: HostileInput): HostileCase[] {
  const cases: HostileCase[] = [];
  let n = 0;
  const auth = { 'x-api-key': input.apiKey };
  const json = { 'content-type': 'application/json', ...auth };

  /** A valid standalone event of its own key, for a case to spoil (or not). */
  const base = () => {
    const i = n++;
    return {
      i,
      body: {
        provider_activity_id: `chaos-${input.runId}-h${i}`,
        commerce_external_id: `chaos-h${i % 5}`,
        occurred_at: new Date(input.originMs + i).toISOString(),
        status: 'PENDING',
        task_result: { result: 'CALLBACK', comment: `hostile ${i}` },
      } as Record<string, unknown>,
    };
  };
  const asEvent = (i: number, name: string, body: Record<string, unknown>, idempotencyKey?: string): ChaosEvent | undefined => {
    if (typeof body.provider_activity_id !== 'string' || typeof body.occurred_at !== 'string') return undefined;
    const providerActivityId = body.provider_activity_id;
    return {
      seq: input.firstSeq + i,
      key: { id: standaloneKeyId(providerActivityId), providerActivityId, commerceExternalId: String(body.commerce_external_id) },
      occurredAtMs: new Date(body.occurred_at).getTime(),
      body,
      idempotencyKey,
      hostile: name,
    };
  };
  const taskCase = (name: string, spoil: (body: Record<string, unknown>) => void, headers: Record<string, string> = {}): HostileCase => {
    const { i, body } = base();
    spoil(body);
    // Half wait for the worker, half do not: both answers must hold.
    const prefer: Record<string, string> = i % 2 === 0 ? { prefer: 'respond-async' } : {};
    const request = { method: 'POST', path: TASKS_PATH, headers: { ...json, ...prefer, ...headers }, body: JSON.stringify(body) };
    return { name, request, event: asEvent(i, name, body, headers['idempotency-key']) };
  };
  const task = (name: string, spoil: (body: Record<string, unknown>) => void, headers: Record<string, string> = {}) => {
    cases.push(taskCase(name, spoil, headers));
  };
  const rawTask = (name: string, text: string | Buffer, headers: Record<string, string> = json) => {
    cases.push({ name, request: { method: 'POST', path: TASKS_PATH, headers, body: text } });
  };

  for (const field of STRING_FIELDS) {
    const strings = [...INJECTIONS.map((s) => [`injection ${JSON.stringify(s).slice(0, 30)}`, s] as const), ...UNICODE];
    for (const [what, s] of strings) {
      task(`${what} in ${field}`, (body) =>
        field === 'raw_payload.key' ? setPath(body, 'raw_payload', { [s]: 'value' }) : setPath(body, field, s),
      );
    }
  }
  for (const field of TYPE_FIELDS) {
    for (const [what, value] of WRONG_TYPES) task(`${what} as ${field}`, (body) => setPath(body, field, value));
    for (const number of RAW_NUMBERS) {
      const { body } = base();
      setPath(body, field, '__RAW__');
      rawTask(`${number} as ${field}`, JSON.stringify(body).replace('"__RAW__"', number));
    }
  }
  for (const text of INVALID_JSON) rawTask(`invalid JSON ${JSON.stringify(text).slice(0, 30)}`, text);
  for (const [what, bytes] of INVALID_UTF8) {
    const { i, body } = base();
    const [before, after] = JSON.stringify(body).split(`hostile ${i}`);
    const raw = Buffer.concat([Buffer.from(`${before}hostile `), Buffer.from(bytes), Buffer.from(after)]);
    // Decoded as the service decodes it, replacement characters and all: that is the event it may store.
    const decoded = JSON.parse(new TextDecoder().decode(raw)) as Record<string, unknown>;
    cases.push({
      name: `invalid UTF-8: ${what}`,
      request: { method: 'POST', path: TASKS_PATH, headers: json, body: raw },
      event: asEvent(i, what, decoded),
    });
  }

  // Sizes: at and past every limit.
  task('comment of 5000 characters', (b) => setPath(b, 'task_result.comment', 'x'.repeat(5000)));
  task('comment of 5001 characters', (b) => setPath(b, 'task_result.comment', 'x'.repeat(5001)));
  task('comment of 900 kB', (b) => setPath(b, 'task_result.comment', 'x'.repeat(900_000)));
  task('provider_activity_id of 255 characters', (b) => setPath(b, 'provider_activity_id', `${n}`.padEnd(255, 'p')));
  task('provider_activity_id of 256 characters', (b) => setPath(b, 'provider_activity_id', 'p'.repeat(256)));
  task('commerce_external_id of 500 kB', (b) => setPath(b, 'commerce_external_id', 'c'.repeat(500_000)));
  task('raw_payload string of 900 kB', (b) => setPath(b, 'raw_payload', { big: 'r'.repeat(900_000) }));
  task('payload array of 100000 numbers', (b) => setPath(b, 'task_result.payload', { list: Array.from({ length: 100_000 }, (_, k) => k) }));
  task('payload of 10000 keys', (b) =>
    setPath(b, 'task_result.payload', Object.fromEntries(Array.from({ length: 10_000 }, (_, k) => [`k${k}`, k]))),
  );
  task('20000 unknown top-level fields', (b) =>
    Object.assign(b, Object.fromEntries(Array.from({ length: 20_000 }, (_, k) => [`f${k}`, k]))),
  );
  rawTask('body of 2 MB', JSON.stringify({ ...base().body, pad: 'x'.repeat(2_000_000) }));

  task('100000 unknown top-level fields', (b) =>
    Object.assign(b, Object.fromEntries(Array.from({ length: 100_000 }, (_, k) => [k.toString(36), 1]))),
  );
  rawTask('__proto__ at the top level', JSON.stringify(base().body).replace(/}$/, ',"__proto__":{"status":"COMPLETED"}}'));

  // Dates PostgreSQL cannot store, that the calendar does not have, or that are implausible.
  for (const date of [
    '0000-01-01T00:00:00Z',
    '0001-01-01T00:00:00+00:01',
    '2025-02-31T10:00:00Z',
    '2025-01-16T24:00:00Z',
    '1969-12-31T23:59:59Z',
  ]) {
    task(`occurred_at ${date}`, (b) => setPath(b, 'occurred_at', date));
  }
  task('future_scheduled_at in year 10000', (b) => setPath(b, 'task_result.future_scheduled_at', '9999-12-31T23:00:00-05:00'));

  // One Idempotency-Key, two bodies, at the same moment.
  for (let k = 0; k < 10; k++) {
    const headers = { 'idempotency-key': `chaos-${input.runId}-race-${k}` };
    const rival = taskCase(`Idempotency-Key race ${k}, second body`, () => {}, headers);
    cases.push({ ...taskCase(`Idempotency-Key race ${k}, first body`, () => {}, headers), rival });
  }

  // Depth: at and past the limit, and far past it.
  task('raw_payload 32 levels deep', (b) =>
    setPath(
      b,
      'raw_payload',
      nested(31, 'leaf', (v) => ({ a: v })),
    ),
  );
  task('raw_payload 33 levels deep', (b) =>
    setPath(
      b,
      'raw_payload',
      nested(32, 'leaf', (v) => ({ a: v })),
    ),
  );
  task('payload 33 levels deep in arrays', (b) => setPath(b, 'task_result.payload', { a: nested(32, 1, (v) => [v]) }));
  for (const depth of [1_000, 100_000]) {
    const { body } = base();
    const text = JSON.stringify(body);
    rawTask(`raw_payload ${depth} arrays deep`, text.replace(/}$/, `,"raw_payload":{"a":${deepArrayText(depth)}}}`));
    rawTask(`status ${depth} objects deep`, text.replace('"PENDING"', `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`));
    rawTask(`unknown field ${depth} arrays deep`, text.replace(/}$/, `,"extra":${deepArrayText(depth)}}`));
  }
  rawTask('a body of 400000 nested arrays', deepArrayText(400_000));

  // Media types and encodings.
  const valid = () => JSON.stringify(base().body);
  for (const type of [
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=utf-16',
    'application/json; charset=iso-8859-1',
    'application/vnd.api+json',
    'application/json, text/plain',
    '*/*',
    '',
  ]) {
    rawTask(`content-type ${JSON.stringify(type)}`, valid(), { ...auth, 'content-type': type });
  }
  for (const encoding of ['gzip', 'deflate', 'br', 'compress', 'gzip, gzip', 'identity, gzip']) {
    rawTask(`content-encoding ${encoding} with garbage`, 'this is not compressed', { ...json, 'content-encoding': encoding });
  }
  rawTask('gzip bomb (5 MB of spaces)', gzipSync(Buffer.alloc(5_000_000, ' ')), { ...json, 'content-encoding': 'gzip' });
  {
    const { i, body } = base();
    cases.push({
      name: 'gzip-compressed valid event',
      request: { method: 'POST', path: TASKS_PATH, headers: { ...json, 'content-encoding': 'gzip' }, body: gzipSync(JSON.stringify(body)) },
      event: asEvent(i, 'gzip-compressed valid event', body),
    });
  }

  // Headers (fetch only sends Latin-1 header values, so only those injections go there).
  const latin1 = INJECTIONS.filter((s) => /^[\x20-\x7e]*$/.test(s));
  for (const s of latin1) {
    task(`idempotency key ${JSON.stringify(s).slice(0, 30)}`, () => {}, { 'idempotency-key': s });
    task(`x-tenant-id ${JSON.stringify(s).slice(0, 30)}`, () => {}, { 'x-tenant-id': s });
    task(`x-request-id ${JSON.stringify(s).slice(0, 30)}`, () => {}, { 'x-request-id': s });
    task(`prefer ${JSON.stringify(s).slice(0, 30)}`, () => {}, { prefer: s });
    rawTask(`x-api-key ${JSON.stringify(s).slice(0, 30)}`, valid(), { 'content-type': 'application/json', 'x-api-key': s });
    rawTask(`bearer ${JSON.stringify(s).slice(0, 30)}`, valid(), {
      'content-type': 'application/json',
      authorization: `Bearer ${s}`,
      'x-tenant-id': input.tenantId,
    });
  }
  task('idempotency key of 256 characters', () => {}, { 'idempotency-key': 'k'.repeat(256) });
  rawTask('bearer key of 8000 characters', valid(), {
    'content-type': 'application/json',
    authorization: `Bearer ${'k'.repeat(8000)}`,
    'x-tenant-id': input.tenantId,
  });
  rawTask('basic authorization', valid(), { 'content-type': 'application/json', authorization: 'Basic YWRtaW46YWRtaW4=' });
  rawTask('bearer without a key', valid(), { 'content-type': 'application/json', authorization: 'Bearer', 'x-tenant-id': input.tenantId });
  rawTask('no credentials', valid(), { 'content-type': 'application/json' });

  // Paths and methods.
  const get = (name: string, path: string) => cases.push({ name, request: { method: 'GET', path, headers: auth } });
  for (const s of INJECTIONS) {
    const e = encodeURIComponent(s);
    get(`result id ${JSON.stringify(s).slice(0, 30)}`, `/api/activity-results/${e}`);
    get(`job id ${JSON.stringify(s).slice(0, 30)}`, `/api/activity-results/jobs/${e}`);
    get(`activity id ${JSON.stringify(s).slice(0, 30)}`, `/api/activities/${e}`);
  }
  for (const path of [
    '/api/activity-results/%E0%A4%A',
    '/api/activity-results/jobs/%ZZ',
    '/api/activities/%',
    '/api/activity-results/%00',
    '/api/activity-results/..%2F..%2Fetc%2Fpasswd',
    `/api/activity-results/${'a'.repeat(10_000)}`,
    `/api/activities/${'%F0%9F%98%80'.repeat(500)}`,
  ]) {
    get(`path ${path.slice(0, 40)}`, path);
  }
  for (const scheduledAt of ['0000-01-01T00:00:00Z', '2025-02-30T00:00:00Z']) {
    const body = { commerce_external_id: `chaos-h${n++ % 5}`, scheduled_at: scheduledAt };
    cases.push({
      name: `new activity scheduled at ${scheduledAt}`,
      request: { method: 'POST', path: '/api/activities/tasks', headers: json, body: JSON.stringify(body) },
    });
  }
  for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    cases.push({
      name: `${method} tasks`,
      request: { method, path: TASKS_PATH, headers: json, body: method === 'OPTIONS' ? undefined : valid() },
    });
  }
  for (const s of [...INJECTIONS.slice(0, 8), ...UNICODE.map(([, u]) => u)]) {
    for (const field of ['commerce_external_id', 'provider_activity_id', 'channel', 'scheduled_at']) {
      const body = { commerce_external_id: `chaos-h${n++ % 5}`, [field]: field === 'provider_activity_id' ? `${s} ${n}` : s };
      cases.push({
        name: `new activity with ${JSON.stringify(s).slice(0, 20)} as ${field}`,
        request: { method: 'POST', path: '/api/activities/tasks', headers: json, body: JSON.stringify(body) },
      });
    }
  }

  // Batches: too many events, too many bytes once inflated, not an array, not JSON; none may be queued.
  const batch = (name: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    cases.push({ name, request: { method: 'POST', path: BATCH_PATH, headers: { ...json, ...headers }, body } });
  const spoiled = JSON.stringify({ commerce_external_id: 'chaos-h0', occurred_at: 'yesterday', status: 'DONE', task_result: {} });
  batch('batch of 1,001 events', `[${Array(1001).fill(spoiled).join(',')}]`);
  batch('batch that inflates to 64 MB', gzipSync(Buffer.alloc(64 * 1024 * 1024, ' ')), { 'content-encoding': 'gzip' });
  batch('batch that is not gzip', Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' });
  batch('batch that is an object', spoiled);
  batch('batch not closed', `[${spoiled},`);
  batch('batch with an element not JSON', `[${spoiled}, {"status": }]`);
  batch('batch nested a million deep', `[${'['.repeat(1_000_000)}`);
  batch('NDJSON batch with a line not JSON', `${spoiled}\n{"status"`, { 'content-type': 'application/x-ndjson' });
  batch('NDJSON batch of a deep line', deepArrayText(10_000), { 'content-type': 'application/x-ndjson' });
  batch('batch as text/plain', `[${spoiled}]`, { 'content-type': 'text/plain' });

  // Broken HTTP, over a plain socket.
  const rawHttp = (name: string, text: string) =>
    cases.push({ name, request: { method: 'RAW', path: '', headers: {} }, raw: Buffer.from(text, 'latin1') });
  rawHttp('garbage request line', 'GARBAGE / HTTP/1.1\r\n\r\n');
  rawHttp(
    'bad chunk size',
    `POST ${TASKS_PATH} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\nx-api-key: ${input.apiKey}\r\n\r\nZZZ\r\n{}\r\n0\r\n\r\n`,
  );
  rawHttp(
    'both content-length and chunked',
    `POST ${TASKS_PATH} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\nx-api-key: ${input.apiKey}\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
  );
  rawHttp('header of 20 kB', `GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`);
  rawHttp(
    'body shorter than content-length',
    `POST ${TASKS_PATH} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 1000\r\nContent-Type: application/json\r\nx-api-key: ${input.apiKey}\r\n\r\n{"status":`,
  );
  rawHttp(
    'JSON content type and no body',
    `POST ${TASKS_PATH} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nx-api-key: ${input.apiKey}\r\n\r\n`,
  );
  rawHttp(
    'new activity without a body',
    `POST /api/activities/tasks HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nx-api-key: ${input.apiKey}\r\n\r\n`,
  );
  rawHttp('NUL in a header', `GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Nul: a\u0000b\r\n\r\n`);
  return cases;
}
