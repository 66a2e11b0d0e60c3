// Debian's chromium, driven by playwright-core (which brings no browser of its own). Missing outside CI,
// the browser tests skip; in CI (CI=true) a missing browser fails them: .ci/install-chromium installs it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type BrowserContextOptions } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

export const TEST_OUTPUT = path.resolve(__dirname, '../../../test-output');

export function findChromium(): string | undefined {
  return CANDIDATES.find((candidate): candidate is string => !!candidate && existsSync(candidate));
}

export function chromiumRequired(): boolean {
  return process.env.CI === 'true';
}

/** A browser with a fresh profile of its own; close() also removes the profile. */
export async function openBrowser(
  executablePath: string,
  options: BrowserContextOptions = {},
): Promise<BrowserContext & { dispose(): Promise<void> }> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'board-browser-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    // The machine has no network beyond loopback: keep the browser from trying to reach anything else.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 900 },
    ...options,
  });
  return Object.assign(context, {
    async dispose() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  });
}
