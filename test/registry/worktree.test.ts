import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { memoryLogger } from '../../core/logger.ts';
import { cloneOf, createRemote, git, gitStatus, type TestRemote } from '../support/git.ts';

let root: string;
const env = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.com',
};

async function mlops(argv: string[], cwd: string) {
  const log = memoryLogger();
  const out: string[] = [];
  const code = await main(argv, { cwd, log, out: (t) => out.push(t), env });
  return { code, out: out.join('\n'), err: log.lines.join('\n') };
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mlops-wt-'));
  await writeFile(join(root, 'model.bin'), 'weights');
  await writeFile(join(root, 'metrics.json'), '{"roc_auc": 0.9}');
});
afterEach(async () => rm(root, { recursive: true, force: true }));

describe('registry work tree', () => {
  it('init in a repository with no commits keeps the files the user staged or changed', async () => {
    const dir = join(root, 'repo');
    await git(root, 'init', '-q', '--initial-branch=main', dir);
    await writeFile(join(dir, 'train.py'), 'print(1)\n');
    await writeFile(join(dir, 'notes.txt'), 'draft\n');
    await git(dir, 'add', 'train.py');
    const res = await mlops(['init'], dir);
    expect(res.code).toBe(0);
    expect(await readFile(join(dir, 'train.py'), 'utf8')).toBe('print(1)\n');
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('draft\n');
    expect(await gitStatus(dir)).toBe('A  train.py\n?? notes.txt'.trim());
    expect(await git(dir, 'ls-files')).toBe('.gitignore\nmodels/README.md\ntrain.py');
    expect(await git(dir, 'log', '--format=%s')).toBe('models: create model registry');
  });

  it('a local write keeps staged and unstaged changes; a changed registry file is not overwritten', async () => {
    const dir = join(root, 'repo');
    await git(root, 'init', '-q', '--initial-branch=main', dir);
    await writeFile(join(dir, 'a.txt'), 'one\n');
    await git(dir, 'add', 'a.txt');
    await git(dir, 'commit', '-q', '-m', 'first');
    expect((await mlops(['init'], dir)).code).toBe(0);
    await writeFile(join(dir, 'a.txt'), 'two\n');
    await writeFile(join(dir, 'b.txt'), 'staged\n');
    await git(dir, 'add', 'b.txt');
    await writeFile(join(dir, 'models/README.md'), 'my own edit\n');
    const res = await mlops(['init', 'churn'], dir);
    expect(res.code).toBe(0);
    expect(res.err).toMatch(/work tree not updated for models\/README\.md \(changed locally\)/);
    expect(await readFile(join(dir, 'models/README.md'), 'utf8')).toBe('my own edit\n');
    expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('two\n');
    expect(await readFile(join(dir, 'models/churn/model.yaml'), 'utf8')).toMatch(/name: churn/);
    // Only the user's own changes remain: a.txt edited, b.txt staged, README edited (older in the index).
    expect(await gitStatus(dir)).toBe('M a.txt\nA  b.txt\nMM models/README.md');
  });

  it('init, init churn, register, promote and show work in a fresh clone of an empty remote', async () => {
    const remote = join(root, 'remote.git');
    await git(root, 'init', '-q', '--bare', '--initial-branch=main', remote);
    const dir = join(root, 'work');
    await git(root, 'clone', '-q', remote, dir);
    expect((await mlops(['init'], dir)).code).toBe(0);
    expect(await gitStatus(dir)).toBe('');
    const churn = await mlops(['init', 'churn'], dir);
    expect(churn.code).toBe(0);
    expect(churn.err).not.toMatch(/not fast-forwarded|diverged/);
    const reg = await mlops(
      ['register', 'churn', '--artifact', join(root, 'model.bin'), '--metrics', join(root, 'metrics.json')],
      dir,
    );
    expect(reg.code).toBe(0);
    expect((await mlops(['promote', 'churn', 'v1'], dir)).code).toBe(0);
    const show = await mlops(['show', 'churn@champion', '--json'], dir);
    expect(show.code).toBe(0);
    expect(JSON.parse(show.out)).toMatchObject({ model: 'churn', version: 1 });
    expect(await gitStatus(dir)).toBe('');
    expect(await git(dir, 'rev-parse', 'HEAD')).toBe(await git(remote, 'rev-parse', 'main'));
  });
});

describe('registry reads after a write the local branch cannot follow', () => {
  let r: TestRemote;
  beforeEach(async () => {
    r = await createRemote();
  });
  afterEach(async () => r.cleanup());

  it('register then show sees the new version while an unrelated local commit is unpushed', async () => {
    expect((await mlops(['init', 'churn'], r.clone)).code).toBe(0);
    const other = await cloneOf(r.remote, join(r.root, 'other'));
    await writeFile(join(other, 'other.txt'), 'x\n');
    await git(other, 'add', 'other.txt');
    await git(other, 'commit', '-q', '-m', 'unrelated work');
    await writeFile(join(r.clone, 'mine.txt'), 'mine\n');
    await git(r.clone, 'add', 'mine.txt');
    await git(r.clone, 'commit', '-q', '-m', 'unpushed local work');
    const args = ['--artifact', join(root, 'model.bin'), '--metrics', join(root, 'metrics.json')];
    // The other clone registers v1 too: this clone's write is rebased on it and then cannot fast-forward.
    expect((await mlops(['register', 'churn', ...args], other)).code).toBe(0);
    const reg = await mlops(['register', 'churn', ...args], r.clone);
    expect(reg.code).toBe(0);
    expect(reg.out).toMatch(/Registered churn v2/);
    const show = await mlops(['show', 'churn@v2', '--json'], r.clone);
    expect(show.code).toBe(0);
    expect(JSON.parse(show.out)).toMatchObject({ model: 'churn', version: 2 });
    expect((await mlops(['promote', 'churn', 'v2'], r.clone)).code).toBe(0);
    expect(JSON.parse((await mlops(['show', 'churn', '--json'], r.clone)).out)).toMatchObject({ version: 2 });
    expect(await git(r.clone, 'log', '-1', '--format=%s')).toBe('unpushed local work');
  });
});
