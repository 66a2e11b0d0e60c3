// Bull Board in a real browser, as an operator uses it: log in, see both queues, open a failed job and read
// why it failed. Leaves a screenshot under test-output/.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { BOARD_PASSWORD, BOARD_USER, queueInvalidJob, startBoardStack } from '../support/board';
import { chromiumRequired, findChromium, openBrowser, TEST_OUTPUT } from '../support/chromium';
import { eventually } from '../support/wait';
import { createTenant } from '../support/fixtures';
import type { Stack } from '../support/stack';

describe('Bull Board in a browser', function () {
  this.timeout(60_000);
  let executablePath: string;
  let stack: Stack | undefined;

  before(function () {
    const found = findChromium();
    if (!found) {
      if (chromiumRequired()) throw new Error('chromium is missing: run .ci/install-chromium (CI=true needs the browser test)');
      this.skip();
    }
    executablePath = found!;
  });
  afterEach(() => stack?.close());

  it('logs in, lists both queues, and shows a failed job with its failure reason', async () => {
    stack = await startBoardStack({ NODE_ENV: 'staging' });
    const tenant = await createTenant();
    const jobId = await queueInvalidJob(stack, tenant.tenantId);
    await eventually(async () => ((await stack!.web.taskResults.getJob(jobId))?.finishedOn ? true : undefined));

    const refused = await openBrowser(executablePath);
    try {
      const page = await refused.newPage();
      // Headless Chromium has no login prompt: it reports the 401 challenge as a failed navigation.
      const outcome = await page.goto(`${stack.baseUrl}/admin/queues`).then(
        (r) => `status ${r?.status()}`,
        (e: Error) => e.message,
      );
      expect(outcome, 'no credentials').to.match(/status 401|ERR_INVALID_AUTH_CREDENTIALS/);
    } finally {
      await refused.dispose();
    }

    const browser = await openBrowser(executablePath, { httpCredentials: { username: BOARD_USER, password: BOARD_PASSWORD } });
    try {
      const page = await browser.newPage();
      const refusedByPolicy: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) refusedByPolicy.push(message.text());
      });
      const response = await page.goto(`${stack.baseUrl}/admin/queues`);
      expect(response?.status()).to.equal(200);
      expect(response?.headers()['content-security-policy']).to.include("frame-ancestors 'none'");
      await page.getByText('Follow-ups').first().waitFor();
      await page.getByText('Activity results', { exact: false }).first().waitFor();
      await page.getByText('staging').first().waitFor();

      await page.getByText('activity-results').first().click();
      await page
        .getByText(/^Failed/i)
        .first()
        .click();
      await page.getByText('failed VALIDATION_FAILED (not retried)', { exact: false }).first().waitFor();
      await page.goto(`${stack.baseUrl}/admin/queues/queue/activity-results/${jobId}`); // the job's own page
      await page.getByText(jobId).first().waitFor();
      const failure = page.getByText(/VALIDATION_FAILED: invalid task result/).first();
      await failure.waitFor();
      expect(await failure.textContent()).to.match(/"status" must be one of/);

      // The third-party web font is the one thing the policy keeps out; the board's own code all ran.
      expect(refusedByPolicy.filter((text) => !text.includes('fonts.googleapis.com'))).to.deep.equal([]);
      mkdirSync(TEST_OUTPUT, { recursive: true });
      await page.screenshot({ path: path.join(TEST_OUTPUT, 'board-failed-job.png'), fullPage: true });
    } finally {
      await browser.dispose();
    }
  });
});
