// POST /api/activity-results/tasks/batch as a provider's upload reaches it: a JSON array, NDJSON, gzip;
// the caps on events and bytes (a zip bomb included); bodies that are not a batch; each event's text kept
// as sent, into the job and into PostgreSQL.
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { Tenant } from '../../models';
import { sequelize } from '../support/db';
import { createTenant, seedEvent, type TestTenant } from '../support/fixtures';
import { BATCH_PATH, postBatch, request, type Reply } from '../support/http';
import { startStack, type Stack } from '../support/stack';

const T0 = '2025-01-16T14:30:00.000Z';

async function rows<T>(sql: string, bind: unknown[] = []): Promise<T[]> {
  return (await sequelize().query(sql, { bind }))[0] as T[];
}

/** An event's text with numbers a JavaScript number cannot hold, written as a provider's code would. */
const exactText = (key: string) =>
  JSON.stringify(
    seedEvent({ provider_activity_id: key, raw_payload: { id: '#ID#' }, task_result: { result: 'ok', payload: { amount: '#AMOUNT#' } } }),
  )
    .replace('"#ID#"', '12345678901234567890123')
    .replace('"#AMOUNT#"', '0.12345678901234567891');

describe('batch bodies', () => {
  let stack: Stack;
  let tenant: TestTenant;
  const post = (rawBody: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> =>
    request(stack.baseUrl, 'POST', BATCH_PATH, { tenant, rawBody, headers: { 'content-type': 'application/json', ...headers } });

  beforeEach(async () => {
    stack = await startStack();
    tenant = await createTenant();
  });
  afterEach(() => stack.close());

  it("applies a JSON array, keeping each event's text as sent in its job and its numbers digit for digit in PostgreSQL", async () => {
    const texts = [exactText('exact-1'), exactText('exact-2').replace(/,/g, ',\n      ')];
    const reply = await post(`[\n  ${texts[0]},\n  ${texts[1]}\n]`);
    expect(reply.status).to.equal(200);
    expect(reply.body.items.map((i: any) => [i.index, i.status])).to.deep.equal([
      [0, 201],
      [1, 201],
    ]);
    expect(reply.body.counts).to.deep.equal({ 201: 2 });

    for (const [i, item] of reply.body.items.entries()) {
      const job = await stack.web.taskResults.getJob(item.jobId);
      expect(job!.data.body, `job ${i}`).to.equal(texts[i]);
    }
    const stored = await rows<{ key: string; id: string; amount: string; historyId: string }>(
      `SELECT r.provider_activity_id AS key, r.raw_payload->>'id' AS id, r.task_payload->>'amount' AS amount, e.body->'raw_payload'->>'id' AS "historyId"
       FROM activity_results r JOIN activity_result_events e ON e.result_id = r.id ORDER BY key`,
    );
    expect(stored).to.deep.equal(
      ['exact-1', 'exact-2'].map((key) => ({
        key,
        id: '12345678901234567890123',
        amount: '0.12345678901234567891',
        historyId: '12345678901234567890123',
      })),
    );
  });

  it('takes NDJSON, one event a line, blank lines and CRLF included', async () => {
    const body = `${exactText('nd-1')}\r\n\n${JSON.stringify(seedEvent({ provider_activity_id: 'nd-2' }))}\n`;
    const reply = await post(body, { 'content-type': 'application/x-ndjson' });
    expect(reply.status).to.equal(200);
    expect(reply.body.items.map((i: any) => i.status)).to.deep.equal([201, 201]);
    expect((await stack.web.taskResults.getJob(reply.body.items[0].jobId))!.data.body).to.equal(exactText('nd-1'));
  });

  it('takes a gzip body, for either format', async () => {
    const events = [seedEvent({ provider_activity_id: 'gz-1' }), seedEvent({ provider_activity_id: 'gz-2' })];
    const array = await post(gzipSync(JSON.stringify(events)), { 'content-encoding': 'gzip' });
    expect(array.status).to.equal(200);
    expect(array.body.counts).to.deep.equal({ 201: 2 });
    const ndjson = await post(gzipSync(events.map((e) => JSON.stringify({ ...e, occurred_at: '2025-01-16T15:30:00.000Z' })).join('\n')), {
      'content-encoding': 'gzip',
      'content-type': 'application/x-ndjson',
    });
    expect(ndjson.body.counts).to.deep.equal({ 200: 2 });
  });

  it('answers an empty array with no items', async () => {
    const reply = await post('[]');
    expect(reply.status).to.equal(200);
    expect(reply.body).to.deep.equal({ items: [], counts: {} });
  });

  describe('caps, and bodies that are not a batch: refused whole, nothing queued', () => {
    afterEach(async () => {
      expect(await stack.web.taskResults.queue.count()).to.equal(0);
      expect((await rows('SELECT 1 FROM activity_results')).length).to.equal(0);
    });

    it('answers 413 for 1,001 events, and takes 1,000', async () => {
      await Tenant.update({ rateLimitRps: 0, rateLimitBurst: 0 }, { where: { id: tenant.tenantId } }); // a batch counts its events
      const events = (n: number) => Array.from({ length: n }, (_, i) => seedEvent({ provider_activity_id: `cap-${i}` }));
      const over = await postBatch(stack.baseUrl, tenant, events(1001));
      expect(over.status).to.equal(413);
      expect(over.body.code).to.equal('PAYLOAD_TOO_LARGE');
      const ndjson = await post(
        events(1001)
          .map((e) => JSON.stringify(e))
          .join('\n'),
        { 'content-type': 'application/x-ndjson' },
      );
      expect(ndjson.status).to.equal(413);
      // Exactly at the cap, but each event refused by validation: nothing to queue, nothing to clean up.
      const atCap = await postBatch(
        stack.baseUrl,
        tenant,
        events(1000).map((e) => ({ ...e, status: 'DONE' })),
      );
      expect(atCap.status).to.equal(200);
      expect(atCap.body.counts).to.deep.equal({ 400: 1000 });
    });

    it('answers 413 for more than 5 MB, and for a gzip body that inflates past 5 MB, without inflating it all', async () => {
      const padded = (bytes: number) => `[${JSON.stringify(seedEvent({ raw_payload: { pad: 'x'.repeat(bytes) } }))}]`;
      const big = await post(padded(5 * 1024 * 1024));
      expect(big.status).to.equal(413);
      expect(big.body.code).to.equal('PAYLOAD_TOO_LARGE');
      // 256 MB of spaces in 250 KB of gzip: inflated whole, it would hold 256 MB (as a string, twice that).
      const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024, ' '), { level: 9 });
      const started = Date.now();
      const inflated = await post(bomb, { 'content-encoding': 'gzip' });
      expect(inflated.status).to.equal(413);
      expect(inflated.body.message).to.match(/5 MB/);
      expect(Date.now() - started).to.be.below(2_000);
    });

    it('answers 400 for a body that is not an array, or malformed JSON or NDJSON, naming the event', async () => {
      const cases: [string, string, RegExp][] = [
        ['application/json', JSON.stringify(seedEvent()), /must be a JSON array/],
        ['application/json', '', /must be a JSON array/],
        ['application/json', `[${JSON.stringify(seedEvent())},`, /not closed/],
        ['application/json', `[${JSON.stringify(seedEvent())}, {"status": }]`, /event 1 of the batch is not valid JSON/],
        ['application/x-ndjson', `${JSON.stringify(seedEvent())}\n{"status": "PENDING"`, /event 1 of the batch is not valid JSON/],
      ];
      for (const [type, body, message] of cases) {
        const reply = await post(body, { 'content-type': type });
        expect(reply.status, body.slice(0, 40)).to.equal(400);
        expect(reply.body.code).to.equal('VALIDATION_FAILED');
        expect(reply.body.message).to.match(message);
      }
    });

    it('answers 415 for another content type', async () => {
      const reply = await post('[]', { 'content-type': 'text/plain' });
      expect(reply.status).to.equal(415);
    });
  });

  it('refuses an event the single route would refuse as its own item, hostile ones included, and queues the others', async () => {
    const wide = JSON.stringify(
      seedEvent({ provider_activity_id: 'wide', raw_payload: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i])) }),
    );
    const proto = JSON.stringify(seedEvent({ provider_activity_id: 'proto' })).replace('{', '{"__proto__":{"status":"PENDING"},');
    const inner = JSON.stringify(seedEvent({ provider_activity_id: 'inner-proto' }))
      .replace('"raw_payload"', '"x"')
      .replace('{', '{"raw_payload":{"__proto__":{"a":1}},');
    const reply = await post(`[${wide},${proto},${inner},"not an event"]`);
    expect(reply.status).to.equal(200);
    expect(reply.body.items.map((i: any) => i.status)).to.deep.equal([400, 400, 201, 400]);
    expect(reply.body.items[0].message).to.match(/more than 1000 fields/);
    expect(reply.body.items[1].details).to.deep.include({ path: '__proto__', message: '"__proto__" is not allowed' });
    const [{ proto: kept }] = await rows<{ proto: string }>(
      `SELECT raw_payload->'__proto__'->>'a' AS proto FROM activity_results WHERE provider_activity_id = 'inner-proto'`,
    );
    expect(kept).to.equal('1');
  });

  it('leaves an event over 1 MB out as its own 413', async () => {
    const huge = seedEvent({ provider_activity_id: 'huge', raw_payload: { pad: 'x'.repeat(1024 * 1024) } });
    const reply = await postBatch(stack.baseUrl, tenant, [huge, seedEvent({ occurred_at: T0 })]);
    expect(reply.body.items.map((i: any) => [i.status, i.code])).to.deep.equal([
      [413, 'PAYLOAD_TOO_LARGE'],
      [201, undefined],
    ]);
  });
});
