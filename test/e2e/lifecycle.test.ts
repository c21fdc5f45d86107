/**
 * The whole lifecycle with the bundled actions, as the reusable workflows chain them: retrain (train in one
 * checkout, track in another, as the workflow's two jobs) -> evaluate on the PR -> an owner approves -> the
 * gate passes -> merge -> finalise (champion, tag) -> drift on shifted production data opens the retraining
 * issue and dispatches retrain -> a second version is promoted the same way -> rollback to the first.
 * Real Git (a bare remote), a real S3-compatible server and the spec-validated GitHub test server.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  FEATURES,
  generateClinicalData,
  LABEL,
  type PatientRow,
  toCsv,
} from '../../examples/trainer/data.ts';
import { OctokitForge } from '../../github/octokit-forge.ts';
import { openRegistry } from '../../registry/index.ts';
import type { ModelSpec } from '../../registry/types.ts';
import { type ActionResult, githubEvent, repoRoot, runAction } from '../support/action-harness.ts';
import { createRemote, git, type TestRemote } from '../support/git.ts';
import { type GitHubServer, type RepoState, startGitHubServer } from '../support/github-server.ts';
import { startS3Server, type TestS3Server } from '../support/s3-server.ts';

const REPO = 'octo-org/models';
const MODEL = 'heart';
let s3: TestS3Server;
let gh: GitHubServer;
let repo: RepoState;
let r: TestRemote;
let data: string;

const spec = (bucket: string): ModelSpec => ({
  name: MODEL,
  task: 'binary',
  primary_metric: { name: 'roc_auc', direction: 'maximize' },
  gates: [{ metric: 'roc_auc', min: 0.6 }],
  owners: ['alice'],
  schema: { features: FEATURES.map((name) => ({ name, dtype: 'float32' })), label: LABEL },
  artifact_store: `s3://${bucket}/registry`,
});

/** A fresh checkout of the remote (what actions/checkout gives a job), on `ref`, with tags. */
async function checkout(ref = 'main'): Promise<string> {
  const dir = await r.cloneOf();
  await git(dir, 'fetch', '-q', '--tags', 'origin');
  if (ref !== 'main') await git(dir, 'checkout', '-q', ref);
  return dir;
}

/** Run one bundled action in `cwd` against the servers; fails the test with the log unless it exits `expectCode`. */
async function step(
  action: string,
  cwd: string,
  inputs: Record<string, string>,
  opts: {
    event?: { name: string; payload: Record<string, unknown> };
    env?: Record<string, string>;
    expectCode?: number;
  } = {},
): Promise<ActionResult> {
  const res = await runAction({
    action,
    cwd,
    inputs,
    event: opts.event,
    apiUrl: gh.url,
    env: { ...s3.env, ...opts.env },
    timeoutMs: 60_000,
  });
  if (res.code !== (opts.expectCode ?? 0))
    throw new Error(`${action} exited ${res.code}:\n${res.stdout}\n${res.stderr}`);
  return res;
}

/** The head commit of a branch on the remote. */
const head = (branch: string) => git(r.remote, 'rev-parse', `refs/heads/${branch}`);

/** The PR's branch, as the test server knows it. */
const branchOf = (pr: number) => repo.pulls.find((p) => p.number === pr)!.head;

/** The latest check run of a name on a commit. */
const checkRun = (name: string, sha: string) =>
  repo.checkRuns.filter((c) => c.name === name && c.headSha === sha).at(-1);

/** Evaluate the PR's head as the retrain and evaluate workflows do (checkout of the branch, eval set). */
async function evaluate(pr: number): Promise<ActionResult> {
  const dir = await checkout(branchOf(pr));
  return step('evaluate', dir, { model: MODEL, data: join(data, 'eval.csv'), 'pull-request': String(pr) });
}

/** The gate as promote.yml runs it on a review event. */
async function gate(pr: number, reviewer: string): Promise<ActionResult> {
  const sha = await head(branchOf(pr));
  const event = githubEvent('pull_request_review', {
    repository: REPO,
    number: pr,
    headSha: sha,
    headRef: branchOf(pr),
    reviewer,
    author: 'github-actions[bot]',
  });
  return step('promote', await checkout(), { mode: 'gate', pr: String(pr) }, { event });
}

/** Merge through the GitHub API (as the merge button), then finalise on the push as promote.yml does. */
async function mergeAndFinalise(pr: number): Promise<{ after: string; result: ActionResult }> {
  const forge = new OctokitForge({
    token: 'ghs_maintainer',
    repository: REPO,
    apiUrl: gh.url,
    timeUnitMs: 1,
  });
  const before = await head('main');
  const after = await forge.mergePullRequest(pr, { sha: await head(branchOf(pr)) });
  const event = githubEvent('push', { repository: REPO, headSha: after });
  event.payload.before = before;
  const result = await step(
    'promote',
    await checkout(),
    { mode: 'finalise' },
    { event, env: { GITHUB_SHA: after, GITHUB_REF: 'refs/heads/main' } },
  );
  return { after, result };
}

/** The registry's aliases file on main. */
const aliasesOnMain = async () => parseYaml(await git(r.remote, 'show', 'main:models/heart/aliases.yaml'));

/** Approve the PR as `alice` (an owner), run the gate, merge, finalise; returns the merge commit. */
async function promote(pr: number): Promise<string> {
  gh.state.addReview(repo, pr, 'alice', 'APPROVED');
  const g = await gate(pr, 'alice');
  expect(g.outputs.passed).toBe('true');
  expect(checkRun('mlops/promotion-gate (heart)', await head(branchOf(pr)))?.conclusion).toBe('success');
  const { after } = await mergeAndFinalise(pr);
  return after;
}

/** The retrain workflow's train job then track job, in two checkouts; returns track's outputs. */
async function retrain(seed: number, reason: string): Promise<Record<string, string>> {
  const trainDir = await checkout();
  const train = await step('train', trainDir, {
    model: MODEL,
    command: `node ${join(repoRoot, 'examples/trainer/run.mjs')} --out mlops-out --checkpoint-dir mlops-out/ckpt --epochs 6 --rows 300 --seed ${seed}`,
    metrics: join(trainDir, 'mlops-out/metrics.jsonl'),
    'run-record': join(trainDir, 'mlops-run/run.json'),
  });
  expect(train.outputs['exit-code']).toBe('0');
  const trackDir = await checkout();
  for (const d of ['mlops-out', 'mlops-run'])
    await cp(join(trainDir, d), join(trackDir, d), { recursive: true });
  const track = await step('track', trackDir, {
    model: MODEL,
    artifacts: 'mlops-out/*.onnx',
    metrics: 'mlops-out/dvclive',
    'run-record': 'mlops-run/run.json',
    'reference-data': 'mlops-out/reference.csv',
    description: `Retrained (${reason})`,
  });
  return track.outputs;
}

/** Production data: the clinical generator, optionally shifted. */
function production(rows: number, seed: number, shift: (row: PatientRow) => PatientRow = (x) => x): string {
  return toCsv(generateClinicalData(rows, seed).map(shift));
}

beforeAll(async () => {
  s3 = await startS3Server();
  gh = await startGitHubServer();
  r = await createRemote();
  repo = gh.state.addRepo(REPO, { gitDir: r.remote });
  const reg = await openRegistry({ dir: r.clone });
  await reg.init({ model: MODEL, spec: spec(s3.bucket) });
  // The retrain workflow drift dispatches, which the GitHub test server reads at the ref: the consumer template.
  await cp(
    join(repoRoot, 'examples/consumer/.github/workflows/mlops-retrain.yml'),
    join(r.clone, '.github/workflows/mlops-retrain.yml'),
    { recursive: true },
  );
  await git(r.clone, 'add', '.github');
  await git(r.clone, 'commit', '-q', '-m', 'retrain workflow');
  await git(r.clone, 'push', '-q', 'origin', 'main');
  data = await mkdtemp(join(r.root, 'data-'));
  await writeFile(join(data, 'eval.csv'), production(500, 101));
  await writeFile(join(data, 'prod-clean.csv'), production(400, 202));
  await writeFile(
    join(data, 'prod-shifted.csv'),
    production(400, 303, (x) => ({ ...x, age: x.age + 15, cholesterol: x.cholesterol * 1.3 })),
  );
});
afterAll(async () => {
  await gh?.stop();
  await s3?.stop();
  await r?.cleanup();
});
afterEach(() => {
  expect(gh.violations()).toEqual([]);
});

describe('lifecycle', () => {
  let v1: Record<string, string>;
  let v1Pr: number;
  let v2Pr: number;
  let driftIssue: number;

  it('retrain: train and track register v1 on its branch and open the promotion PR', async () => {
    v1 = await retrain(1, 'first version');
    v1Pr = Number(v1['pr-number']);
    expect(v1).toMatchObject({ version: '1', created: 'true', branch: 'mlops/heart/v1' });
    const pr = repo.pulls.find((p) => p.number === v1Pr)!;
    expect(pr).toMatchObject({ head: 'mlops/heart/v1', base: 'main', merged: false });
    const issue = repo.issues.find((i) => i.number === pr.number)!;
    expect(issue.title).toBe('Promote heart v1 to champion');
    expect(issue.labels).toContain('mlops:promotion');
    const record = parseYaml(
      await git(r.remote, 'show', 'mlops/heart/v1:models/heart/versions/v1/version.yaml'),
    );
    expect(record.description).toBe('Retrained (first version)');
    expect(record.artifacts.map((a: { path: string }) => a.path)).toEqual([
      'model.onnx',
      'reference-profile.json',
    ]);
    expect(record.reference_profile).toBe('reference-profile.json');
    const aliases = parseYaml(await git(r.remote, 'show', 'mlops/heart/v1:models/heart/aliases.yaml'));
    expect(aliases.aliases).toEqual({ champion: 1 });
    expect(
      await readFile(s3.objectFile(record.artifacts[0].uri.replace(`s3://${s3.bucket}/`, ''))),
    ).toBeTruthy();
  });

  it('evaluate: one sticky comment and a green mlops/evaluate check on the PR head (no champion yet)', async () => {
    const res = await evaluate(v1Pr);
    expect(res.outputs.passed).toBe('true');
    expect(JSON.parse(res.outputs.metrics).roc_auc).toBeGreaterThan(0.6);
    expect(checkRun('mlops/evaluate (heart)', await head('mlops/heart/v1'))?.conclusion).toBe('success');
    const comments = repo.comments.filter(
      (c) => c.issueNumber === v1Pr && c.body.includes('mlops:evaluate:heart'),
    );
    expect(comments).toHaveLength(1);
  });

  it('gate: red before an owner approves, whoever else approves', async () => {
    const before = await gate(v1Pr, 'github-actions[bot]');
    expect(before.outputs.passed).toBe('false');
    expect(checkRun('mlops/promotion-gate (heart)', await head('mlops/heart/v1'))?.conclusion).toBe(
      'failure',
    );
    gh.state.addReview(repo, v1Pr, 'mallory', 'APPROVED');
    expect((await gate(v1Pr, 'mallory')).outputs.passed).toBe('false');
  });

  it('merge and finalise: champion is v1, tag heart@v1, the PR gets the promotion comment', async () => {
    const after = await promote(v1Pr);
    expect((await aliasesOnMain()).aliases).toEqual({ champion: 1 });
    expect(await git(r.remote, 'rev-list', '-n', '1', 'heart@v1')).toBe(after);
    const finalComment = repo.comments.filter((c) => c.issueNumber === v1Pr).at(-1)!;
    expect(finalComment.body).toContain('Promoted heart');
    expect(finalComment.body).toContain('alice');
  });

  it('drift: shifted production data opens the retraining issue and dispatches retrain once', async () => {
    const res = await step(
      'drift',
      await checkout(),
      { model: MODEL, current: join(data, 'prod-shifted.csv'), 'retrain-workflow': 'mlops-retrain.yml' },
      { event: githubEvent('schedule') },
    );
    expect(res.outputs).toMatchObject({ drift: 'true', 'issue-action': 'created', dispatched: 'true' });
    driftIssue = Number(res.outputs.issue);
    const issue = repo.issues.find((i) => i.number === driftIssue)!;
    expect(issue.state).toBe('open');
    expect(issue.labels).toContain('mlops:drift');
    expect(repo.dispatches).toEqual([
      {
        workflow: 'mlops-retrain.yml',
        ref: 'main',
        inputs: expect.objectContaining({ model: MODEL, issue: String(driftIssue) }),
      },
    ]);
    expect(Object.keys(repo.dispatches[0].inputs).sort()).toEqual(['issue', 'model', 'reason']);
  });

  it('the dispatched retrain promotes v2 over v1, which is archived', async () => {
    const { inputs } = repo.dispatches[0];
    const v2 = await retrain(2, String(inputs.reason));
    v2Pr = Number(v2['pr-number']);
    expect(v2).toMatchObject({ version: '2', branch: 'mlops/heart/v2' });
    const res = await evaluate(v2Pr);
    expect(res.outputs.passed).toBe('true');
    const comment = repo.comments.find(
      (c) => c.issueNumber === v2Pr && c.body.includes('mlops:evaluate:heart'),
    )!;
    expect(comment.body).toContain('v1');
    const after = await promote(v2Pr);
    expect(await aliasesOnMain()).toEqual({ aliases: { champion: 2 }, archived: [1] });
    expect(await git(r.remote, 'rev-list', '-n', '1', 'heart@v2')).toBe(after);
  });

  it('rollback to v1 goes through the same PR, evaluation and gate', async () => {
    const res = await step(
      'promote',
      await checkout(),
      { mode: 'rollback', model: MODEL, 'rollback-to': 'v1', reason: 'v2 misbehaves' },
      { event: githubEvent('workflow_dispatch', { repository: REPO, inputs: { model: MODEL } }) },
    );
    const pr = Number(res.outputs.pr);
    expect(pr).toBeGreaterThan(v2Pr);
    expect((await evaluate(pr)).outputs.passed).toBe('true');
    await promote(pr);
    const aliases = await aliasesOnMain();
    expect(aliases.aliases).toEqual({ champion: 1 });
    expect(aliases.archived).toContain(2);
    const log = await git(r.remote, 'log', '--format=%s', 'main', '--', 'models/heart/aliases.yaml');
    expect(log.split('\n').length).toBeGreaterThanOrEqual(3);
  });
});
