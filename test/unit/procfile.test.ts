import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';

const ROOT = path.resolve(__dirname, '..', '..', '..');

describe('Procfile and npm scripts', () => {
  const procfile = Object.fromEntries(
    readFileSync(path.join(ROOT, 'Procfile'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
  );
  const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

  it('starts web and worker with the same node command as the Procfile', () => {
    expect(scripts.start).to.equal(`npm run build && ${procfile.web}`);
    expect(scripts.worker).to.equal(`npm run build && ${procfile.worker}`);
  });

  it('caps the heap of both long-running processes, and gives the web a larger young generation', () => {
    expect(procfile.web).to.match(/^node --max-old-space-size=\d+ --max-semi-space-size=\d+ dist\//);
    expect(procfile.worker).to.match(/^node --max-old-space-size=\d+ dist\//);
  });
});
