// GET /openapi.json and the interactive reference at /docs (Swagger UI). Both are public: they describe
// the API and hold no tenant's data. Swagger UI's files come from the swagger-ui-dist package, served by
// this process, so the page works where nothing beyond the service can be reached.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import { openApiDocument } from '../openapi/document';

export const DOCS_PATH = '/docs';

function packageVersion(): string {
  try {
    return JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')).version;
  } catch {
    return '0.0.0';
  }
}

export function openApiRouter(): Router {
  const router = Router();
  const text = JSON.stringify(openApiDocument(packageVersion()));
  router.get('/openapi.json', (_req, res) => void res.type('application/json').send(text));
  return router;
}

/** Mounted at DOCS_PATH. validatorUrl: null keeps Swagger UI from sending the document to a public validator. */
export function docsRouter(): Router {
  const router = Router();
  router.use(
    swaggerUi.serve,
    swaggerUi.setup(undefined, {
      customSiteTitle: 'Activity results API',
      swaggerOptions: { url: '/openapi.json', validatorUrl: null, displayOperationId: false, tryItOutEnabled: false },
    }),
  );
  return router;
}
