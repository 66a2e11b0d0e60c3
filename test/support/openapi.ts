// Every /api answer a test receives is checked against the OpenAPI document (see http.ts), so the
// document cannot drift from what the routes send. Validators are compiled once per route and status.
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../../server/openapi/document';

const document = openApiDocument('test');
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(document, 'openapi');

interface Route {
  readonly template: string;
  readonly pattern: RegExp;
  readonly params: number;
}

// Fewer parameters first, so /api/activity-results/jobs/{jobId} is tried before /api/activity-results/{id}/events.
const ROUTES: Route[] = Object.keys(document.paths)
  .map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    params: (template.match(/\{/g) ?? []).length,
  }))
  .sort((a, b) => a.params - b.params);

const validators = new Map<string, ValidateFunction>();
const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

function validator(ref: string): ValidateFunction {
  let validate = validators.get(ref);
  if (!validate) {
    validate = ajv.compile({ $ref: ref });
    validators.set(ref, validate);
  }
  return validate;
}

function resolve(node: any): any {
  while (node?.$ref)
    node = node.$ref
      .slice(2)
      .split('/')
      .reduce((at: any, key: string) => at[key.replace(/~1/g, '/').replace(/~0/g, '~')], document);
  return node;
}

/** Throws, naming the route and every violation, when an answer is not what the document says. */
export function checkAnswer(method: string, url: string, status: number, headers: Headers, body: unknown): void {
  const path = new URL(url, 'http://x').pathname;
  const route = ROUTES.find((r) => r.pattern.test(path));
  const operation = route && document.paths[route.template][method.toLowerCase()];
  const where = `${method} ${path} → ${status}`;
  if (!operation) {
    // No such route: it must still answer with the error shape.
    if (status < 400) throw new Error(`${where}: not in the OpenAPI document`);
    assertValid(where, 'openapi#/components/schemas/Error', body);
    return;
  }
  const declared = operation.responses[String(status)];
  if (!declared)
    throw new Error(`${where}: status not declared in the OpenAPI document (declared: ${Object.keys(operation.responses).join(', ')})`);
  const response = resolve(declared);
  for (const [name, header] of Object.entries<any>(response.headers ?? {})) {
    if (header.required && !headers.has(name)) throw new Error(`${where}: header ${name} missing`);
  }
  const media = response.content && Object.keys(response.content)[0];
  if (media !== 'application/json') return;
  if (!(headers.get('content-type') ?? '').startsWith('application/json'))
    throw new Error(`${where}: content type ${headers.get('content-type')}`);
  const ref = declared.$ref
    ? `openapi${declared.$ref}/content/application~1json/schema`
    : `openapi#/${pointer('paths', route.template, method.toLowerCase(), 'responses', String(status), 'content', 'application/json', 'schema')}`;
  assertValid(where, ref, body);
}

function assertValid(where: string, ref: string, body: unknown): void {
  const validate = validator(ref);
  if (!validate(body)) {
    const problems = validate.errors!.map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
    throw new Error(
      `${where}: answer does not match the OpenAPI document:\n  ${problems.slice(0, 10).join('\n  ')}\n  body: ${JSON.stringify(body).slice(0, 500)}`,
    );
  }
}
