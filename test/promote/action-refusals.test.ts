import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCheckMetrics } from '../../actions/evaluate/src/check-metrics.ts';
import { silentLogger } from '../../core/logger.ts';
import { OctokitForge } from '../../github/octokit-forge.ts';
import { openRegistry, type Registry } from '../../registry/index.ts';
import { openStore } from '../../registry/stores/open.ts';
import { readPromotionTags } from '../../registry/tags.ts';
import { type ActionResult, runAction } from '../support/action-harness.ts';
import { type GitHubServer, type RepoState, startGitHubServer } from '../support/github-server.ts';
import { createRemote, git, type TestRemote } from '../support/git.ts';
import { startS3Server, type TestS3Server } from '../support/s3-server.ts';
import { evaluatedCheck } from './evaluated.ts';

// Each refusal of the gate, through the bundled action as the runner runs it (GitHub test server, bare remote),
// and finalise against a real S3-compatible store. One remote, server and store; every case has its own branch.
const REPO = 'octo-org/models';
const GATE = 'mlops/promotion-gate (churn)';
const STORE = 's3://artifacts/churn';
let gh: GitHubServer;
let s3: TestS3Server;
let repo: RepoState;
let forge: OctokitForge;
let remote: TestRemote;
const sha256 = new Map<number, string>();

const s3Options = () => ({
  endpoint: s3.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
});
const open = (): Promise<Registry> => openRegistry({ dir: remote.clone, log: silentLogger });

beforeAll(async () => {
  [gh, s3, remote] = await Promise.all([
    startGitHubServer(),
    startS3Server({ buckets: ['artifacts'] }),
    createRemote(),
  ]);
  const reg = await open();
  await reg.init({
    model: 'churn',
    spec: {
      name: 'churn',
      task: 'binary',
      primary_metric: { name: 'roc_auc', direction: 'maximize' },
      owners: ['alice', 'bob'],
      artifact_store: STORE,
    },
  });
  await reg.init({
    model: 'fraud',
    spec: { name: 'fraud', task: 'binary', primary_metric: { name: 'roc_auc', direction: 'maximize' } },
  });
  const store = openStore(STORE, { s3: s3Options() });
  for (const n of [1, 2, 3]) {
    await writeFile(join(remote.root, `m${n}.onnx`), `model ${n}`);
    const r = await reg.register({
      model: 'churn',
      files: [{ path: join(remote.root, `m${n}.onnx`), name: 'model.onnx' }],
      store,
      metrics: { roc_auc: 0.8 + n / 100, train_loss: 0.1 },
    });
    sha256.set(n, r.record.artifacts[0].sha256);
  }
  await reg.setAlias({ model: 'churn', alias: 'champion', version: 1 });
  repo = gh.state.addRepo(REPO, { gitDir: remote.remote });
  forge = new OctokitForge({ token: 'ghs_action', repository: REPO, apiUrl: gh.url, timeUnitMs: 1 });
}, 120_000);
afterAll(async () => {
  await Promise.all([gh.stop(), s3.stop()]);
  await remote.cleanup();
});

/**
 * A branch (from main) that moves churn's champion to `version`, plus a commit of its own note (so that no two
 * branches share a head SHA) and whatever `edit` commits; returns its head.
 */
async function promotionBranch(branch: string, version: number, edit?: (dir: string) => Promise<void>) {
  await (await open()).setAlias({ model: 'churn', alias: 'champion', version, branch });
  const dir = await remote.cloneOf();
  await git(dir, 'checkout', '-q', branch);
  await writeFile(join(dir, `models/churn/notes-${branch}.md`), `${branch}\n`);
  await git(dir, 'add', '.');
  await git(dir, 'commit', '-q', '-m', `notes for ${branch}`);
  if (edit) await edit(dir);
  await git(dir, 'push', '-q', 'origin', branch);
  return git(remote.remote, 'rev-parse', branch);
}

/** Open a PR for `branch` by carol (or `author`), with a green evaluate check of `version` on `checkSha`. */
async function openPr(o: { branch: string; version: number; checkSha: string; author?: string }) {
  const pr = gh.state.addPullRequest(repo, { head: o.branch, author: o.author ?? 'carol' }).number;
  const check = evaluatedCheck({
    headSha: o.checkSha,
    sha256: sha256.get(o.version) ?? '',
    version: o.version,
  });
  await forge.upsertCheckRun({ ...check, text: formatCheckMetrics({ roc_auc: 0.9, log_loss: 0.3 }) });
  return pr;
}

/** Run the bundled promote action in a fresh checkout of main. */
async function promote(
  event: { name: string; payload: Record<string, unknown> },
  env: Record<string, string> = {},
): Promise<ActionResult> {
  const cwd = await remote.cloneOf();
  await git(cwd, 'fetch', '-q', '--tags', 'origin');
  const r = await runAction({
    action: 'promote',
    cwd,
    apiUrl: gh.url,
    event,
    env: { ...s3.env, ...env },
    timeoutMs: 120_000,
  });
  expect(gh.violations()).toEqual([]);
  return r;
}

const reviewed = (pr: number) => ({
  name: 'pull_request_review',
  payload: { action: 'submitted', pull_request: { number: pr }, review: { state: 'approved' } },
});

/** Gate `pr` through the bundle; expect it blocked with `reason` in the log and a failed gate check on `head`. */
async function expectRefused(
  pr: number,
  head: string,
  reason: string | RegExp,
  event: { name: string; payload: Record<string, unknown> } = reviewed(pr),
) {
  const r = await promote(event);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  expect(r.outputs.passed).toBe('false');
  expect(r.stdout + r.stderr).toMatch(reason);
  expect((await forge.getCheckRun(head, GATE))?.conclusion).toBe('failure');
}

describe('promote action (bundled) refusals', () => {
  it('promote refuses the author approving their own PR', async () => {
    const head = await promotionBranch('self-approval', 2);
    const pr = await openPr({ branch: 'self-approval', version: 2, checkSha: head, author: 'alice' });
    gh.state.addReview(repo, pr, 'alice', 'APPROVED');
    await expectRefused(pr, head, "@alice is the author; an author's own approval never counts");
  }, 180_000);

  it('promote refuses on pull_request synchronize after a push to the branch following the approval', async () => {
    const first = await promotionBranch('pushed-after', 2);
    const pr = await openPr({ branch: 'pushed-after', version: 2, checkSha: first });
    gh.state.addReview(repo, pr, 'alice', 'APPROVED');
    const ok = await promote(reviewed(pr));
    expect(ok.outputs.passed, ok.stdout).toBe('true');
    const dir = await remote.cloneOf();
    await git(dir, 'checkout', '-q', 'pushed-after');
    await writeFile(join(dir, 'models/churn/notes-pushed-after.md'), 'pushed after the approval\n');
    await git(dir, 'add', '.');
    await git(dir, 'commit', '-q', '-m', 'after approval');
    await git(dir, 'push', '-q', 'origin', 'pushed-after');
    const head = await git(remote.remote, 'rev-parse', 'pushed-after');
    const check = evaluatedCheck({ headSha: head, sha256: sha256.get(2) ?? '', version: 2 });
    await forge.upsertCheckRun(check);
    const sync = {
      name: 'pull_request',
      payload: { action: 'synchronize', pull_request: { number: pr, head: { sha: head } } },
    };
    await expectRefused(
      pr,
      head,
      `@alice approved ${first.slice(0, 7)}, not the head commit ${head.slice(0, 7)}`,
      sync,
    );
  }, 180_000);

  it('promote refuses while an owner has requested changes', async () => {
    const head = await promotionBranch('changes-requested', 2);
    const pr = await openPr({ branch: 'changes-requested', version: 2, checkSha: head });
    gh.state.addReview(repo, pr, 'alice', 'APPROVED');
    gh.state.addReview(repo, pr, 'bob', 'CHANGES_REQUESTED');
    await expectRefused(pr, head, '@bob requested changes');
  }, 180_000);

  it('promote refuses an evaluate check that ran on another commit', async () => {
    const head = await promotionBranch('other-sha', 2);
    const pr = await openPr({
      branch: 'other-sha',
      version: 2,
      checkSha: await git(remote.remote, 'rev-parse', 'main'),
    });
    gh.state.addReview(repo, pr, 'alice', 'APPROVED');
    await expectRefused(pr, head, `no mlops/evaluate (churn) check on the head commit ${head.slice(0, 7)}`);
  }, 180_000);

  it('promote refuses a green evaluate check posted by another app (forged external_id)', async () => {
    const head = await promotionBranch('forged', 2);
    const pr = gh.state.addPullRequest(repo, { head: 'forged', author: 'carol' }).number;
    await forge.upsertCheckRun(evaluatedCheck({ headSha: head, sha256: sha256.get(2) ?? '', version: 2 }));
    const forged = repo.checkRuns[repo.checkRuns.length - 1];
    forged.app = 'push-anything-bot';
    gh.state.addReview(repo, pr, 'alice', 'APPROVED');
    await expectRefused(pr, head, "was posted by the app 'push-anything-bot', not 'github-actions'");
  }, 180_000);

  it('promote refuses a PR from a fork', async () => {
    const head = await promotionBranch('from-fork', 2);
    const pr = await openPr({ branch: 'from-fork', version: 2, checkSha: head });
    const pull = repo.pulls.find((p) => p.number === pr);
    if (pull) pull.headRepo = 'mallory/models';
    gh.state.addReview(repo, pr, 'alice', 'APPROVED');
    await expectRefused(pr, head, 'the PR comes from the fork mallory/models');
  }, 180_000);

  it('promote refuses a PR that also edits another model', async () => {
    const head = await promotionBranch('extra-file', 2, async (dir) => {
      await writeFile(join(dir, 'models/fraud/model.yaml'), 'name: fraud\n');
      await git(dir, 'commit', '-q', '-am', 'edit fraud too');
    });
    const pr = await openPr({ branch: 'extra-file', version: 2, checkSha: head });
    gh.state.addReview(repo, pr, 'alice', 'APPROVED');
    await expectRefused(pr, head, 'touches models/fraud/model.yaml, outside models/churn/');
  }, 180_000);
});

describe('promote action (bundled) finalise with an S3 store', () => {
  async function mergeApproved(branch: string, version: number) {
    const head = await promotionBranch(branch, version);
    const pr = await openPr({ branch, version, checkSha: head });
    gh.state.addReview(repo, pr, 'alice', 'APPROVED');
    const before = await git(remote.remote, 'rev-parse', 'main');
    const after = await forge.mergePullRequest(pr, { sha: head });
    const push = { name: 'push', payload: { ref: 'refs/heads/main', before, after } };
    return { pr, after, run: () => promote(push, { GITHUB_SHA: after }) };
  }

  it('promote finalises when the artifacts are in the store, recording the evaluated metrics', async () => {
    const m = await mergeApproved('s3-ok', 2);
    const r = await m.run();
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.outputs.tags).toBe('churn@v2');
    const dir = await remote.cloneOf();
    await git(dir, 'fetch', '-q', '--tags', 'origin');
    const [tag] = await readPromotionTags(dir, 'churn');
    expect(tag).toMatchObject({
      tag: 'churn@v2',
      pr: m.pr,
      approvers: ['alice'],
      metricsSource: 'evaluated',
      metrics: { roc_auc: 0.9, log_loss: 0.3 },
    });
  }, 180_000);

  it('promote refuses to finalise when an artifact is missing from the store', async () => {
    const record = await (await open()).resolve({ model: 'churn', version: 3 });
    const key = record.artifacts[0].uri.replace('s3://artifacts/', '');
    const client = new S3Client({ ...s3Options(), forcePathStyle: true });
    await client.send(new DeleteObjectCommand({ Bucket: 'artifacts', Key: key }));
    const m = await mergeApproved('s3-missing', 3);
    const r = await m.run();
    expect(r.code).toBe(1);
    expect(r.errors.join('\n')).toMatch(
      /churn v3: artifact model\.onnx \(.+\) is missing from s3:\/\/artifacts\/churn/,
    );
    expect(await git(remote.remote, 'tag', '--list', 'churn@v3*')).toBe('');
  }, 180_000);
});
