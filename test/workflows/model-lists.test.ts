import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { git, gitTestEnv } from '../support/git.ts';
import { loadWorkflow } from './support.ts';

const execFileP = promisify(execFile);
const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** The `run:` script of a workflow step, found by job and step id. */
function script(file: string, job: string, id: string): string {
  const step = loadWorkflow(`.github/workflows/${file}`).jobs[job].steps!.find((s) => s.id === id);
  return step!.run!;
}

/** Run a step's script as the runner does (`bash --noprofile --norc -eo pipefail`) and return its outputs. */
async function runStep(
  body: string,
  cwd: string,
  env: Record<string, string>,
): Promise<Record<string, string>> {
  const temp = await mkdtemp(join(tmpdir(), 'mlops-runner-'));
  temps.push(temp);
  const output = join(temp, 'output');
  await writeFile(output, '');
  await writeFile(join(temp, 'step.sh'), body);
  await execFileP('bash', ['--noprofile', '--norc', '-eo', 'pipefail', join(temp, 'step.sh')], {
    cwd,
    env: { ...gitTestEnv, ...env, RUNNER_TEMP: temp, GITHUB_OUTPUT: output },
  });
  const lines = (await readFile(output, 'utf8')).split('\n').filter(Boolean);
  return Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

/** A work tree with some files, committed; returns the directory and the commit. */
async function repo(files: string[], dir?: string): Promise<{ dir: string; sha: string }> {
  const d = dir ?? (await mkdtemp(join(tmpdir(), 'mlops-models-')));
  if (!dir) {
    temps.push(d);
    await git(d, 'init', '-q', '-b', 'main');
  }
  for (const f of files) {
    await mkdir(dirname(join(d, f)), { recursive: true });
    await writeFile(join(d, f), `${f}\n${Math.random()}\n`);
  }
  await git(d, 'add', '-A');
  await git(d, 'commit', '-q', '--allow-empty', '-m', 'change');
  return { dir: d, sha: await git(d, 'rev-parse', 'HEAD') };
}

describe('evaluate.yml models job', () => {
  const body = script('evaluate.yml', 'models', 'list');

  it('list names each model whose registry files the PR changes, group prefixes included', async () => {
    const { dir, sha: baseSha } = await repo([
      'models/churn/model.yaml',
      'models/team/fraud/model.yaml',
      'models/idle/model.yaml',
      'README.md',
    ]);
    const { sha: headSha } = await repo(
      [
        'models/churn/versions/v2/version.yaml',
        'models/churn/aliases.yaml',
        'models/team/fraud/versions/v1/card.md',
        'models/README.md',
        'src/app.ts',
      ],
      dir,
    );
    const out = await runStep(body, dir, { ROOT: 'models', BASE_SHA: baseSha, HEAD_SHA: headSha });
    expect(JSON.parse(out.models)).toEqual(['churn', 'team/fraud']);
  });

  it('list gives [] when no model changed, and skips directories that are not model names', async () => {
    const { dir, sha: baseSha } = await repo(['models/churn/model.yaml']);
    const { sha: headSha } = await repo(['models/Bad Name/model.yaml', 'models/README.md'], dir);
    const out = await runStep(body, dir, { ROOT: 'models', BASE_SHA: baseSha, HEAD_SHA: headSha });
    expect(out.models).toBe('[]');
  });
});

describe('promote.yml merged job', () => {
  const body = script('promote.yml', 'merged', 'list');

  it('list names the models whose aliases file the push changed', async () => {
    const { dir, sha: before } = await repo(['models/churn/model.yaml', 'models/churn/aliases.yaml']);
    const { sha: after } = await repo(
      [
        'models/churn/aliases.yaml',
        'models/team/fraud/aliases.yaml',
        'models/other/versions/v1/version.yaml',
      ],
      dir,
    );
    const out = await runStep(body, dir, { ROOT: 'models', BEFORE: before, AFTER: after });
    expect(JSON.parse(out.models)).toEqual(['churn', 'team/fraud']);
  });

  it('list falls back to the last commit when before is unknown (a new branch: all zeros)', async () => {
    const { dir } = await repo(['models/churn/aliases.yaml']);
    const { sha: after } = await repo(['models/fraud/aliases.yaml'], dir);
    const out = await runStep(body, dir, { ROOT: 'models', BEFORE: '0'.repeat(40), AFTER: after });
    expect(JSON.parse(out.models)).toEqual(['fraud']);
  });

  it('list gives [] for a push that moves no alias', async () => {
    const { dir, sha: before } = await repo(['models/churn/model.yaml']);
    const { sha: after } = await repo(['models/churn/versions/v1/version.yaml'], dir);
    const out = await runStep(body, dir, { ROOT: 'models', BEFORE: before, AFTER: after });
    expect(out.models).toBe('[]');
  });
});

describe('drift.yml models job', () => {
  const body = script('drift.yml', 'models', 'list');

  it('list builds the matrix from every model.yaml in the registry, with a slug for artifact names', async () => {
    const { dir } = await repo([
      'models/churn/model.yaml',
      'models/team/fraud/model.yaml',
      'models/churn/versions/v1/version.yaml',
      'models/README.md',
    ]);
    const out = await runStep(body, dir, { ROOT: 'models', ONLY: '' });
    expect(JSON.parse(out.matrix)).toEqual([
      { model: 'churn', slug: 'churn' },
      { model: 'team/fraud', slug: 'team__fraud' },
    ]);
  });

  it('list takes one model when asked, and refuses a hostile name', async () => {
    const { dir } = await repo(['models/churn/model.yaml']);
    expect(JSON.parse((await runStep(body, dir, { ROOT: 'models', ONLY: 'churn' })).matrix)).toEqual([
      { model: 'churn', slug: 'churn' },
    ]);
    const hostile = await runStep(body, dir, { ROOT: 'models', ONLY: 'x","y":"z' });
    expect(hostile.matrix).toBe('[]');
  });
});
