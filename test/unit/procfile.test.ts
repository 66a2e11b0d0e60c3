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
  const tsconfig = (name: string) => JSON.parse(readFileSync(path.join(ROOT, name), 'utf8')) as { extends?: string; include: string[] };

  it('starts web and worker with the same node command as the Procfile', () => {
    expect(scripts.start).to.equal(`npm run build && ${procfile.web}`);
    expect(scripts.worker).to.equal(`npm run build && ${procfile.worker}`);
  });

  it('caps the heap of both long-running processes, and gives the web a larger young generation', () => {
    expect(procfile.web).to.match(/^node --max-old-space-size=\d+ --max-semi-space-size=\d+ dist\//);
    expect(procfile.worker).to.match(/^node --max-old-space-size=\d+ dist\//);
  });

  it('builds the service alone for production, leaving the tests and the tools out of dist/ and removing their old output', () => {
    const all = tsconfig('tsconfig.json').include;
    const production = tsconfig('tsconfig.build.json');
    const tools = ['test', 'bench', 'chaos', 'harness'];
    expect(production.extends).to.equal('./tsconfig.json');
    expect(production.include).to.have.members(all.filter((folder) => !tools.includes(folder)));
    expect(all).to.include.members(tools);
    expect(scripts.build).to.equal(`rm -rf ${tools.map((folder) => `dist/${folder}`).join(' ')} && tsc -p tsconfig.build.json`);
    for (const name of ['start', 'worker', 'migrate', 'dev']) expect(scripts[name], name).to.match(/^npm run build && node /);
  });

  it('builds everything for the tests, the bench and the chaos run', () => {
    expect(scripts['build:all']).to.equal('tsc -p tsconfig.json');
    for (const name of ['test', 'test:unit', 'bench', 'chaos']) expect(scripts[name], name).to.match(/^npm run build:all && /);
  });
});
