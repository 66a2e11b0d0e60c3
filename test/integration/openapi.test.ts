// The OpenAPI document and the reference page as an integrator finds them: public, valid, complete,
// and served entirely by the service itself. That the answers match the document is checked on every
// /api answer the other tests receive (test/support/openapi.ts).
import SwaggerParser from '@apidevtools/swagger-parser';
import { expect } from 'chai';
import { chromiumRequired, findChromium, openBrowser } from '../support/chromium';
import { request } from '../support/http';
import { startStack, type Stack } from '../support/stack';

const ROUTES = [
  'post /api/activity-results/tasks',
  'post /api/activity-results/tasks/batch',
  'get /api/activity-results',
  'get /api/activity-results/{id}',
  'get /api/activity-results/{id}/events',
  'get /api/activity-results/jobs/{jobId}',
  'post /api/activities/tasks',
  'get /api/activities',
  'get /api/activities/{id}',
  'get /healthz',
  'get /readyz',
  'get /metrics',
  'get /openapi.json',
];

/** Every property of a schema and its nested objects, with its path. */
function properties(schema: any, path = ''): Array<[string, any]> {
  return Object.entries<any>(schema.properties ?? {}).flatMap(([name, property]) => [
    [`${path}${name}`, property] as [string, any],
    ...properties(property, `${path}${name}.`),
  ]);
}

describe('OpenAPI document and /docs', () => {
  let stack: Stack;
  let doc: any;

  before(async () => {
    stack = await startStack({ workers: false });
    const reply = await fetch(`${stack.baseUrl}/openapi.json`);
    expect(reply.status).to.equal(200);
    expect(reply.headers.get('content-type')).to.match(/^application\/json/);
    doc = await reply.json();
  });
  after(() => stack.close());

  it('is a valid OpenAPI 3.1 document with every route, wanting no API key', async () => {
    expect(doc.openapi).to.equal('3.1.0');
    await SwaggerParser.validate(structuredClone(doc));
    const routes = Object.entries<any>(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`));
    expect(routes).to.have.members(ROUTES);
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [method, operation] of Object.entries<any>(item)) {
        expect(Object.keys(operation.responses ?? {}), `${method} ${path}`).to.have.length.above(0);
        if (path.startsWith('/api'))
          expect(operation.security, `${method} ${path}`).to.deep.equal([{ bearer: [], tenantId: [] }, { apiKey: [] }]);
      }
    }
  });

  it('describes every body field with its constraints, in the original API wording', () => {
    const body = doc.components.schemas.TaskResultRequest;
    const fields = properties(body);
    expect(fields.map(([name]) => name)).to.include.members([
      'occurred_at',
      'task_result.future_scheduled_at',
      'task_result.payload',
      'raw_payload',
      'hard_override',
    ]);
    for (const [name, property] of [...fields, ...properties(doc.components.schemas.NewActivityRequest)]) {
      expect(property.description, name).to.be.a('string').and.have.length.above(0);
    }
    const field = Object.fromEntries(fields);
    expect(field.raw_payload.description).to.equal('Raw provider payload (stored as-is)');
    expect(field.commerce_external_id).to.include({ description: 'External ID of the commerce', minLength: 1, maxLength: 255 });
    expect(field.occurred_at.format).to.equal('date-time');
    expect(field['task_result.future_scheduled_at'].description).to.match(/^Suggested date for a follow-up activity/);
    expect(field.activity_id.format).to.equal('uuid');
    expect(field.status.enum).to.deep.equal(['PENDING', 'COMPLETED', 'NOT_EXECUTED', 'CANCELED', 'TRANSFERRED']);
    expect(field['task_result.comment'].maxLength).to.equal(5000);
    expect(body.required).to.have.members(['commerce_external_id', 'occurred_at', 'status', 'task_result']);
    expect(body.additionalProperties).to.equal(false);
    expect(field.external_status.type).to.deep.equal(['string', 'null']); // null means absent
    for (const name of ['followUp', 'taskDetails', 'occurredAt']) expect(doc.components.schemas.Result.required).to.include(name);
  });

  it('lists the query parameters, the headers and the error codes', () => {
    const list = doc.paths['/api/activity-results'].get.parameters;
    expect(list.map((p: any) => p.name)).to.deep.equal([
      'activity_id',
      'provider_activity_id',
      'commerce_external_id',
      'status',
      'source',
      'updated_since',
      'limit',
      'cursor',
    ]);
    for (const p of [...list, ...doc.paths['/api/activities'].get.parameters])
      expect(p.description, p.name).to.be.a('string').and.have.length.above(0);
    expect(list.find((p: any) => p.name === 'limit').schema).to.deep.equal({ type: 'integer', default: 25, minimum: 1, maximum: 100 });
    expect(Object.keys(doc.components.headers)).to.include.members([
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
      'RateLimit-Policy',
      'Retry-After',
      'Idempotent-Replayed',
      'Location',
    ]);
    expect(Object.values<any>(doc.components.parameters).map((p) => p.name)).to.include.members(['Idempotency-Key', 'Prefer']);
    expect(Object.values<any>(doc.components.securitySchemes).map((s) => s.name ?? s.scheme)).to.have.members([
      'bearer',
      'x-tenant-id',
      'x-api-key',
    ]);
    expect(doc.components.schemas.Error.properties.code.enum).to.include.members([
      'VALIDATION_FAILED',
      'STALE_EVENT',
      'INVALID_STATE_TRANSITION',
      'IDEMPOTENCY_KEY_REUSED',
      'RATE_LIMITED',
      'TENANT_INACTIVE',
      'RESULT_NOT_FOUND',
    ]);
    expect(doc.paths['/api/activity-results/tasks'].post.responses).to.include.keys(
      '200',
      '201',
      '202',
      '400',
      '401',
      '403',
      '404',
      '409',
      '413',
      '415',
      '422',
      '429',
      '503',
    );
  });

  it('serves the reference page and its assets itself, naming no other host', async () => {
    const page = await fetch(`${stack.baseUrl}/docs`);
    expect(page.status).to.equal(200);
    expect(page.url).to.equal(`${stack.baseUrl}/docs/`);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets).to.include.members(['./swagger-ui.css', './swagger-ui-bundle.js', './swagger-ui-init.js']);
    for (const asset of assets) {
      expect(asset, asset).to.not.match(/^(https?:)?\/\//);
      const served = await fetch(new URL(asset, page.url));
      await served.arrayBuffer(); // read to the end, so the connection is released
      expect(served.status, asset).to.equal(200);
    }
    const init = await (await fetch(`${stack.baseUrl}/docs/swagger-ui-init.js`)).text();
    expect(init).to.include('"url": "/openapi.json"').and.include('"validatorUrl": null');
    expect(init).to.not.match(/https?:\/\//);
    const css = await (await fetch(`${stack.baseUrl}/docs/swagger-ui.css`)).text();
    expect(css).to.not.match(/@import|url\(\s*['"]?(https?:)?\/\//); // no web fonts or images from elsewhere
    // The API itself still wants a key.
    expect((await request(stack.baseUrl, 'GET', '/api/activities')).status).to.equal(401);
  });

  it('renders in a browser with every request going to the service', async function () {
    this.timeout(60_000);
    const executablePath = findChromium();
    if (!executablePath) {
      if (chromiumRequired()) throw new Error('chromium is missing: run .ci/install-chromium');
      this.skip();
    }
    const browser = await openBrowser(executablePath!);
    try {
      const page = await browser.newPage();
      const requested: string[] = [];
      page.on('request', (r) => void requested.push(r.url()));
      await page.goto(`${stack.baseUrl}/docs`);
      await page.getByText('Create Activity Result').first().waitFor();
      await page.getByText('List results').first().waitFor();
      const elsewhere = requested.filter((url) => !url.startsWith(`${stack.baseUrl}/`) && !url.startsWith('data:'));
      expect(elsewhere).to.deep.equal([]);
      expect(requested).to.include(`${stack.baseUrl}/openapi.json`);
    } finally {
      await browser.dispose();
    }
  });
});
