import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finalise } from '../../actions/promote/src/finalise.ts';
import { main } from '../../cli/main.ts';
import { memoryLogger, silentLogger } from '../../core/logger.ts';
import { OctokitForge } from '../../github/octokit-forge.ts';
import { openRegistry } from '../../registry/index.ts';
import { openStore } from '../../registry/stores/open.ts';
import { type GitHubServer, type RepoState, startGitHubServer } from '../support/github-server.ts';
import { createRemote, git, type TestRemote } from '../support/git.ts';

// A real bare remote through two promotions made as the promote action makes them: v2 promoted over v1 by PR
// (approved by alice), then rolled back to v1 by PR (approved by alice and bob), each merged through the GitHub
// test server and finalised (annotated tags pushed). `mlops history` then runs in a fresh clone.
const REPO = 'octo-org/models';
let gh: GitHubServer;
let repo: RepoState;
let forge: OctokitForge;
let remote: TestRemote;
let storeDir: string;
const prs: number[] = [];
const open = (dir: string) => openRegistry({ dir, log: silentLogger });

async function mergeAndFinalise(branch: string, approvers: string[]): Promise<void> {
  const pr = gh.state.addPullRequest(repo, { head: branch, author: 'carol', title: `Promote ${branch}` });
  for (const a of approvers) gh.state.addReview(repo, pr.number, a, 'APPROVED');
  const before = await git(remote.remote, 'rev-parse', 'main');
  const after = await forge.mergePullRequest(pr.number, {
    sha: (await forge.getPullRequest(pr.number)).headSha,
  });
  const checkout = await remote.cloneOf();
  await git(checkout, 'fetch', '-q', '--tags', 'origin');
  await finalise({
    registry: await open(checkout),
    before,
    after,
    openStore: async () => openStore(storeDir),
    forge,
    log: silentLogger,
  });
  prs.push(pr.number);
}

beforeAll(async () => {
  gh = await startGitHubServer();
  remote = await createRemote();
  storeDir = await mkdtemp(join(remote.root, 'store-'));
  const reg = await open(remote.clone);
  await reg.init({
    model: 'churn',
    spec: {
      name: 'churn',
      task: 'binary',
      primary_metric: { name: 'roc_auc', direction: 'maximize' },
      owners: ['alice', 'bob'],
      artifact_store: storeDir,
    },
  });
  for (const n of [1, 2]) {
    await writeFile(join(remote.root, `m${n}.onnx`), `model ${n}`);
    await reg.register({
      model: 'churn',
      files: [{ path: join(remote.root, `m${n}.onnx`), name: 'model.onnx' }],
      store: openStore(storeDir),
      metrics: { roc_auc: [0.81, 0.82][n - 1] },
    });
  }
  await reg.setAlias({ model: 'churn', alias: 'champion', version: 1 });
  repo = gh.state.addRepo(REPO, { gitDir: remote.remote });
  forge = new OctokitForge({ token: 'ghs_history', repository: REPO, apiUrl: gh.url, timeUnitMs: 1 });
  await reg.setAlias({ model: 'churn', alias: 'champion', version: 2, branch: 'promote-v2' });
  await mergeAndFinalise('promote-v2', ['alice']);
  await git(remote.clone, 'pull', '-q', 'origin', 'main');
  await (await open(remote.clone)).rollback({ model: 'churn', to: 1, branch: 'rollback-v1' });
  await mergeAndFinalise('rollback-v1', ['alice', 'bob']);
}, 120_000);
afterAll(async () => {
  expect(gh.violations()).toEqual([]);
  await gh.stop();
  await remote.cleanup();
});

async function mlops(argv: string[], cwd: string) {
  const log = memoryLogger();
  const out: string[] = [];
  const code = await main(argv, { cwd, log, out: (t) => out.push(t), env: process.env });
  return { code, out: out.join('\n'), err: log.lines.join('\n') };
}

describe('mlops history', () => {
  it('history --json gives each promotion its PR, approvers, tag and metrics, read in a fresh clone', async () => {
    const { code, out, err } = await mlops(['history', 'churn', '--json'], await remote.cloneOf());
    expect(code, err).toBe(0);
    const events = JSON.parse(out) as Record<string, unknown>[];
    const moves = events.filter((e) => e.alias === 'champion');
    expect(moves.map((e) => [e.type, e.from, e.version, e.pr, e.approvers, e.tag])).toEqual([
      ['rolled_back', 2, 1, prs[1], ['alice', 'bob'], 'churn@v1'],
      ['alias_moved', 1, 2, prs[0], ['alice'], 'churn@v2'],
      ['alias_set', undefined, 1, undefined, undefined, undefined],
    ]);
    expect(moves[1].metrics).toEqual({ roc_auc: 0.82 });
    const others = events.filter((e) => e.alias !== 'champion');
    expect(others.map((e) => e.type)).toEqual(expect.arrayContaining(['archived', 'registered']));
    expect(others.every((e) => e.pr === undefined && e.tag === undefined)).toBe(true);
  });

  it('history prints the PR and the approvers under each promotion', async () => {
    const { code, out } = await mlops(['history', 'churn'], await remote.cloneOf());
    expect(code).toBe(0);
    const lines = out.split('\n');
    const moved = lines.findIndex((l) => l.includes('moved champion v1 -> v2'));
    expect(lines[moved + 1]).toBe(`    PR #${prs[0]}, approved by alice (tag churn@v2)`);
    // No mlops/evaluate check on the PR head: the version's own metrics, labelled as training metrics.
    expect(lines[moved + 2]).toBe('    training metrics (no evaluation recorded): roc_auc=0.82');
    const back = lines.findIndex((l) => l.includes('rolled back champion v2 -> v1'));
    expect(lines[back + 1]).toBe(`    PR #${prs[1]}, approved by alice, bob (tag churn@v1)`);
    const set = lines.findIndex((l) => l.includes('set champion to v1'));
    expect(lines[set + 1] ?? '').not.toMatch(/^ {4}PR/);
  });

  it('history without the tags (a clone that fetched none) shows the events alone', async () => {
    const dir = await remote.cloneOf();
    for (const t of ['churn@v1', 'churn@v2']) await git(dir, 'tag', '-d', t);
    const { code, out } = await mlops(['history', 'churn', '--json'], dir);
    expect(code).toBe(0);
    expect((JSON.parse(out) as { pr?: number }[]).every((e) => e.pr === undefined)).toBe(true);
  });
});
