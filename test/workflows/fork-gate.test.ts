/**
 * promote.yml's fork-gate job as the runner runs it on `pull_request_target`: the bundled promote action with
 * the job's own `with:`, in an empty workspace (the job checks out nothing), with a token holding exactly the
 * job's permissions, against the spec-validated GitHub test server.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import { openRegistry } from '../../registry/index.ts';
import { openStore } from '../../registry/stores/open.ts';
import { runAction } from '../support/action-harness.ts';
import { createRemote, git, type TestRemote } from '../support/git.ts';
import { type GitHubServer, type RepoState, startGitHubServer } from '../support/github-server.ts';
import { loadWorkflow } from './support.ts';

const REPO = 'octo-org/models';
const TOKEN = 'ghs_fork_gate';
const job = loadWorkflow('.github/workflows/promote.yml').jobs['fork-gate'];
const step = job.steps!.find((s) => s.uses?.includes('/actions/promote@'))!;
let gh: GitHubServer;
let remote: TestRemote;
let repo: RepoState;
const temps: string[] = [];

beforeAll(async () => {
  [gh, remote] = await Promise.all([startGitHubServer(), createRemote()]);
  const reg = await openRegistry({ dir: remote.clone, log: silentLogger });
  await reg.init({
    model: 'churn',
    spec: {
      name: 'churn',
      task: 'binary',
      primary_metric: { name: 'roc_auc', direction: 'maximize' },
      owners: ['alice'],
    },
  });
  for (const n of [1, 2]) {
    await writeFile(join(remote.root, `m${n}.onnx`), `model ${n}`);
    await reg.register({
      model: 'churn',
      files: [{ path: join(remote.root, `m${n}.onnx`), name: 'model.onnx' }],
      store: openStore(join(remote.root, 'store')),
      metrics: { roc_auc: 0.8 + n / 100 },
    });
  }
  await reg.setAlias({ model: 'churn', alias: 'champion', version: 1 });
  repo = gh.state.addRepo(REPO, { gitDir: remote.remote });
  // The token holds the job's permissions and nothing more (pull-requests -> pull_requests).
  gh.state.permissions[TOKEN] = Object.fromEntries(
    Object.entries(job.permissions as Record<string, string>).map(([k, v]) => [k.replace('-', '_'), v]),
  ) as (typeof gh.state.permissions)[string];
}, 120_000);
afterAll(async () => {
  await gh.stop();
  await remote.cleanup();
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

/** A branch that `push` creates on the remote, opened as a PR from mallory's fork. */
async function forkPr(branch: string, push: () => Promise<void>): Promise<{ pr: number; head: string }> {
  await push();
  const head = await git(remote.remote, 'rev-parse', branch);
  const pr = gh.state.addPullRequest(repo, { head: branch, author: 'mallory' }).number;
  const pull = repo.pulls.find((p) => p.number === pr);
  if (!pull) throw new Error(`PR #${pr} is not in the server state`);
  pull.headRepo = 'mallory/models';
  return { pr, head };
}

/** Run the job's promote step as the runner would on pull_request_target: empty workspace, the job's inputs. */
async function runForkGate(pr: number) {
  const cwd = await mkdtemp(join(tmpdir(), 'mlops-fork-gate-'));
  temps.push(cwd);
  const e = (x: string) => `$\{{ ${x} }}`;
  const expr = (v: unknown) =>
    String(v)
      .replace(e('github.event.pull_request.number'), String(pr))
      .replace(e("inputs.registry-root || 'models'"), 'models')
      .replace(e('steps.app.outputs.token || github.token'), TOKEN);
  const inputs = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, expr(v)]));
  expect(Object.values(inputs).join(' ')).not.toContain(e('').slice(0, 3));
  const r = await runAction({
    action: 'promote',
    cwd,
    apiUrl: gh.url,
    inputs,
    env: { GITHUB_TOKEN: TOKEN },
    event: {
      name: 'pull_request_target',
      payload: {
        action: 'opened',
        pull_request: { number: pr, head: { repo: { full_name: 'mallory/models' } } },
      },
    },
    timeoutMs: 120_000,
  });
  expect(gh.violations()).toEqual([]);
  return r;
}

const status = (sha: string) =>
  repo.statuses.filter((s) => s.sha === sha && s.context === 'mlops/promotion-gate').at(-1);

describe('promote.yml fork-gate job', () => {
  it('fork-gate posts success on a fork PR that promotes nothing, with no checkout', async () => {
    const { pr, head } = await forkPr('fix-typo', async () => {
      const dir = await remote.cloneOf();
      await git(dir, 'checkout', '-q', '-b', 'fix-typo');
      await writeFile(join(dir, 'README.md'), 'a typo fixed\n');
      await git(dir, 'commit', '-q', '-am', 'fix a typo');
      await git(dir, 'push', '-q', 'origin', 'fix-typo');
    });
    const r = await runForkGate(pr);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs.passed).toBe('true');
    expect(status(head)?.state).toBe('success');
  }, 180_000);

  it('fork-gate posts failure on a fork PR that moves an alias: promotions must come from a branch', async () => {
    const { pr, head } = await forkPr('promote-v2', async () => {
      const reg = await openRegistry({ dir: remote.clone, log: silentLogger });
      await reg.setAlias({ model: 'churn', alias: 'champion', version: 2, branch: 'promote-v2' });
    });
    gh.state.addReview(repo, pr, 'alice', 'APPROVED');
    const r = await runForkGate(pr);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs.passed).toBe('false');
    const check = repo.checkRuns
      .filter((c) => c.headSha === head && c.name === 'mlops/promotion-gate (churn)')
      .at(-1);
    expect(check?.conclusion).toBe('failure');
    expect(`${check?.summary}\n${check?.text}`).toContain(
      'the PR comes from the fork mallory/models; promotions must come from a branch of',
    );
    expect(status(head)?.state).toBe('failure');
  }, 180_000);
});
