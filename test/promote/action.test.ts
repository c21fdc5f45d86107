import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import { OctokitForge } from '../../github/octokit-forge.ts';
import { openRegistry } from '../../registry/index.ts';
import { openStore } from '../../registry/stores/open.ts';
import { runAction } from '../support/action-harness.ts';
import { type GitHubServer, type RepoState, startGitHubServer } from '../support/github-server.ts';
import { createRemote, git, type TestRemote } from '../support/git.ts';
import { evaluatedCheck } from './evaluated.ts';

// The bundled action, run as the runner runs it, through one promotion's life: gate on the review, finalise on
// the merge's push, then a rollback dispatched by hand. The steps share one remote and one GitHub server.
const REPO = 'octo-org/models';
const GATE = 'mlops/promotion-gate (churn)';
let gh: GitHubServer;
let repo: RepoState;
let forge: OctokitForge;
let remote: TestRemote;
let head: string;
let pr: number;

beforeAll(async () => {
  gh = await startGitHubServer();
  remote = await createRemote();
  const storeDir = await mkdtemp(join(remote.root, 'store-'));
  const reg = await openRegistry({ dir: remote.clone, log: silentLogger });
  await reg.init({
    model: 'churn',
    spec: {
      name: 'churn',
      task: 'binary',
      primary_metric: { name: 'roc_auc', direction: 'maximize' },
      owners: ['alice'],
      artifact_store: storeDir,
    },
  });
  let sha = '';
  for (const n of [1, 2]) {
    await writeFile(join(remote.root, `m${n}.onnx`), `model ${n}`);
    const r = await reg.register({
      model: 'churn',
      files: [{ path: join(remote.root, `m${n}.onnx`), name: 'model.onnx' }],
      store: openStore(storeDir),
      metrics: { roc_auc: 0.8 + n / 100 },
    });
    sha = r.record.artifacts[0].sha256;
  }
  await reg.setAlias({ model: 'churn', alias: 'champion', version: 1 });
  const branch = 'mlops/promote/churn-v2';
  head = (await reg.setAlias({ model: 'churn', alias: 'champion', version: 2, branch })).commit;
  repo = gh.state.addRepo(REPO, { gitDir: remote.remote });
  forge = new OctokitForge({ token: 'ghs_action', repository: REPO, apiUrl: gh.url, timeUnitMs: 1 });
  pr = gh.state.addPullRequest(repo, { head: branch, author: 'carol', title: 'Promote churn v2' }).number;
  await forge.upsertCheckRun(evaluatedCheck({ headSha: head, sha256: sha }));
}, 60_000);
afterAll(async () => {
  await gh.stop();
  await remote.cleanup();
});

/** Run the bundled promote action on `event` in a fresh checkout of main. */
async function promote(event: { name: string; payload: Record<string, unknown> }, inputs = {}, env = {}) {
  const cwd = await remote.cloneOf();
  await git(cwd, 'fetch', '-q', '--tags', 'origin');
  const r = await runAction({
    action: 'promote',
    cwd,
    apiUrl: gh.url,
    event,
    inputs,
    env,
    timeoutMs: 120_000,
  });
  expect(gh.violations()).toEqual([]);
  return r;
}

const review = () => ({
  name: 'pull_request_review',
  payload: {
    action: 'submitted',
    pull_request: { number: pr, head: { sha: head } },
    review: { state: 'approved' },
  },
});

describe('promote action (bundled)', () => {
  it('promote gates a pull_request_review: failure before the approval, success on the head SHA after it', async () => {
    const blocked = await promote(review());
    expect(blocked.code, blocked.stderr + blocked.stdout).toBe(0);
    expect(blocked.outputs.passed).toBe('false');
    expect((await forge.getCheckRun(head, GATE))?.conclusion).toBe('failure');
    gh.state.addReview(repo, pr, 'alice', 'APPROVED');
    const ok = await promote(review());
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect(ok.outputs.passed).toBe('true');
    const check = await forge.getCheckRun(head, GATE);
    expect(check).toMatchObject({ headSha: head, conclusion: 'success' });
    expect(repo.checkRuns.filter((c) => c.name === GATE)).toHaveLength(1);
    expect(ok.summary).toContain('**Passed.** churn may be promoted');
  }, 180_000);

  it('promote finalises on the push of the merge: tag, archive, PR comment', async () => {
    const before = await git(remote.remote, 'rev-parse', 'main');
    const after = await forge.mergePullRequest(pr, { sha: head });
    const r = await promote(
      { name: 'push', payload: { ref: 'refs/heads/main', before, after } },
      {},
      { GITHUB_SHA: after },
    );
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.outputs.tags).toBe('churn@v2');
    expect(await git(remote.remote, 'rev-list', '-n', '1', 'churn@v2')).toBe(after);
    expect(await git(remote.remote, 'show', 'main:models/churn/aliases.yaml')).toMatch(/archived:\n\s+- 1/);
    const comment = repo.comments.find((c) => c.issueNumber === pr);
    expect(comment?.body).toContain('**Promoted churn**: champion v1 → v2');
  }, 180_000);

  it('promote rolls back on workflow_dispatch by opening a PR through the same gate', async () => {
    const r = await promote(
      { name: 'workflow_dispatch', payload: { inputs: { model: 'churn', 'rollback-to': 'v1' } } },
      { model: 'churn', 'rollback-to': 'v1', reason: 'v2 misbehaves' },
    );
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const opened = repo.pulls.find((p) => p.number === Number(r.outputs.pr));
    expect(opened).toMatchObject({ head: 'mlops/rollback/churn/champion-v1', base: 'main' });
    const aliases = await git(
      remote.remote,
      'show',
      'mlops/rollback/churn/champion-v1:models/churn/aliases.yaml',
    );
    expect(aliases).toMatch(/champion: 1/);
  }, 180_000);
});
