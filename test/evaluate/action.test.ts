import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCheckMetrics } from '../../actions/evaluate/src/check-metrics.ts';
import { parseEvaluationExternalId } from '../../actions/evaluate/src/external-id.ts';
import { evaluationProblems } from '../../actions/promote/src/evaluation.ts';
import { writeLinearModel } from '../../onnx/write.ts';
import { openRegistry, type Registry } from '../../registry/index.ts';
import { openStore } from '../../registry/stores/open.ts';
import type { ModelSpec } from '../../registry/types.ts';
import { githubEvent, runAction } from '../support/action-harness.ts';
import { createRemote, git, type TestRemote } from '../support/git.ts';
import { type GitHubServer, type RepoState, startGitHubServer } from '../support/github-server.ts';
import { startS3Server, type TestS3Server } from '../support/s3-server.ts';
import { mulberry32 } from '../../core/random.ts';

let gh: GitHubServer;
let repo: RepoState;
let r: TestRemote;
let reg: Registry;
let storeDir: string;
let s3: TestS3Server;
const s3Uri = () => `s3://${s3.bucket}/artifacts`;

const HOSTILE_COL = 'seg<script>alert(1)</script>';
const HOSTILE_VALUES = ['@octocat', 'a|b **x**', '<img src=x onerror=alert(1)>'];

const rng = mulberry32;

/** 400 rows: features a, b, c; label y from a logistic model in a and b; a hostile slice column. */
function evaluationCsv(): string {
  const u = rng(7);
  const rows = [`c,y,a,b,${HOSTILE_COL.replace(/,/g, '')}`];
  for (let i = 0; i < 400; i++) {
    const a = u() * 4 - 2;
    const b = u() * 4 - 2;
    const c = u() * 4 - 2;
    const p = 1 / (1 + Math.exp(-(1.5 * a - 1.2 * b)));
    rows.push(
      `${c.toFixed(4)},${u() < p ? 1 : 0},${a.toFixed(4)},${b.toFixed(4)},"${HOSTILE_VALUES[i % 3].replace(/"/g, '""')}"`,
    );
  }
  return `${rows.join('\n')}\n`;
}

const spec = (name: string, gates: ModelSpec['gates'], store?: string): ModelSpec => ({
  name,
  task: 'binary',
  primary_metric: { name: 'roc_auc', direction: 'maximize' },
  gates,
  schema: {
    features: ['a', 'b', 'c'].map((n) => ({ name: n, dtype: 'float32' })),
    label: 'y',
    slices: [HOSTILE_COL],
  },
  artifact_store: store ?? storeDir,
});

function onnx(name: string, weights: number[]): string {
  const path = join(r.root, `${name}.onnx`);
  writeFileSync(
    path,
    writeLinearModel({ kind: 'logistic', weights, bias: 0, featureNames: ['a', 'b', 'c'] }),
  );
  return path;
}

async function register(
  model: string,
  file: string,
  opts: { branch?: string; champion?: boolean; s3?: boolean } = {},
) {
  return reg.register({
    model,
    files: [{ path: file, name: 'model.onnx' }],
    store: opts.s3 ? openStore(s3Uri(), { env: s3.env }) : openStore(storeDir),
    metrics: { roc_auc: 0.7 },
    ...(opts.branch ? { branch: opts.branch } : {}),
    ...(opts.champion ? { aliases: ['champion'] } : {}),
  });
}

/** Check out a branch of the remote detached, as the workflow checks out the PR head. */
async function checkout(branch: string): Promise<string> {
  await git(r.clone, 'fetch', '-q', 'origin');
  await git(r.clone, 'checkout', '-q', '--detach', `origin/${branch}`);
  return git(r.clone, 'rev-parse', 'HEAD');
}

const evaluate = (pr: number, inputs: Record<string, string | undefined> = {}) =>
  runAction({
    action: 'evaluate',
    cwd: r.clone,
    apiUrl: gh.url,
    event: githubEvent('pull_request', { number: pr }),
    env: { ...s3.env },
    inputs: { data: 'eval.csv', resamples: '200', ...inputs },
    timeoutMs: 120_000,
  });

beforeAll(async () => {
  gh = await startGitHubServer();
  s3 = await startS3Server();
  r = await createRemote();
  storeDir = join(r.root, 'store');
  repo = gh.state.addRepo('octo-org/models', { gitDir: r.remote });
  reg = await openRegistry({ dir: r.clone });
  const gates = [{ metric: 'roc_auc', min: 0.6, max_regression: 0.01, max_slice_regression: 0.2 }];
  await reg.init({ model: 'churn_x', spec: spec('churn_x', gates) });
  await reg.init({
    model: 'fresh',
    spec: spec('fresh', [{ metric: 'roc_auc', min: 0.6, min_improvement: 0.01 }]),
  });
  await register('churn_x', onnx('weak', [1, 0, 0]));
  await reg.setAlias({ model: 'churn_x', alias: 'champion', version: 1 });
  await register('churn_x', onnx('strong', [1.5, -1.2, 0]), { branch: 'mlops/churn_x/v2', champion: true });
  await register('churn_x', onnx('bad', [0, 0, 1]), { branch: 'mlops/churn_x/v3', champion: true });
  await register('fresh', onnx('fresh', [1.5, -1.2, 0]), { branch: 'mlops/fresh/v1', champion: true });
  await reg.init({ model: 'team/risk', spec: spec('team/risk', [{ metric: 'roc_auc', min: 0.6 }]) });
  await register('team/risk', onnx('risk', [1, 0, 0]));
  await reg.setAlias({ model: 'team/risk', alias: 'champion', version: 1 });
  await register('team/risk', onnx('risk2', [1.5, -1.2, 0]), {
    branch: 'mlops/team/risk/v2',
    champion: true,
  });
  await git(r.clone, 'push', '-q', 'origin', 'main');
  await reg.init({ model: 'lake', spec: spec('lake', [{ metric: 'roc_auc', min: 0.6 }], s3Uri()) });
  await register('lake', onnx('lake1', [1, 0, 0]), { s3: true });
  await reg.setAlias({ model: 'lake', alias: 'champion', version: 1 });
  await register('lake', onnx('lake2', [1.5, -1.2, 0]), {
    branch: 'mlops/lake/v2',
    champion: true,
    s3: true,
  });
  await git(r.clone, 'push', '-q', 'origin', 'main');
  for (const head of [
    'mlops/churn_x/v2',
    'mlops/churn_x/v3',
    'mlops/fresh/v1',
    'mlops/team/risk/v2',
    'mlops/lake/v2',
  ])
    gh.state.addPullRequest(repo, { head, title: `Promote ${head}` });
  writeFileSync(join(r.clone, 'eval.csv'), evaluationCsv());
}, 120_000);
afterAll(async () => {
  await gh.stop();
  await s3.stop();
  await r.cleanup();
});

const commentsOn = (pr: number) => repo.comments.filter((c) => c.issueNumber === pr);

describe('evaluate action', () => {
  it('evaluate posts one sticky comment and a success check with the evaluated sha256 for a better candidate', async () => {
    const head = await checkout('mlops/churn_x/v2');
    const res = await evaluate(1, { model: 'churn_x', record: 'true' });
    expect(res.errors).toEqual([]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.outputs.passed).toBe('true');
    expect(JSON.parse(res.outputs.metrics).roc_auc).toBeGreaterThan(0.75);
    expect(res.outputs.report).toMatch(/report\.json$/);
    const comments = commentsOn(1);
    expect(comments).toHaveLength(1);
    expect(comments[0].body.startsWith('<!-- mlops:evaluate:churn_x -->\n')).toBe(true);
    expect(comments[0].body).toContain('✅ **Passed** all 3 judged gates');
    expect(comments[0].body).toMatch(/Candidate is \*\*better than\*\* champion v1 on roc\\_auc/);
    // The summary is recorded in v2's version.yaml on the PR branch, and the check goes on that commit.
    const recorded = await git(r.remote, 'rev-parse', 'mlops/churn_x/v2');
    expect(await git(r.remote, 'rev-parse', `${recorded}^`)).toBe(head);
    const evaluation = parseYaml(
      await git(r.remote, 'show', `${recorded}:models/churn_x/versions/v2/version.yaml`),
    ).evaluation;
    expect(evaluation).toEqual({ commit: head, metrics: JSON.parse(res.outputs.metrics), passed: true });
    expect(await git(r.remote, 'diff', '--name-only', head, recorded)).toBe(
      'models/churn_x/versions/v2/version.yaml',
    );
    const runs = repo.checkRuns.filter((c) => c.name === 'mlops/evaluate (churn_x)');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ headSha: recorded, status: 'completed', conclusion: 'success' });
    // The evaluated metrics, machine-readable for promote's finalise (the promotion's audit record).
    expect(parseCheckMetrics(runs[0].text)).toEqual(JSON.parse(res.outputs.metrics));
    const v2 = await reg.resolve('churn_x@v2', { at: head });
    const v1 = await reg.resolve('churn_x@v1', { at: head });
    const id = parseEvaluationExternalId(runs[0].externalId);
    expect(id).toEqual({
      model: 'churn_x',
      version: 2,
      artifacts: { 'model.onnx': v2.artifacts[0].sha256 },
      champion: { version: 1, artifacts: { 'model.onnx': v1.artifacts[0].sha256 } },
    });
    // The promotion gate reads the same external_id.
    const run = { ...runs[0], title: '', summary: '', text: '' };
    expect(
      evaluationProblems({ model: 'churn_x', headSha: head, run, version: 2, artifacts: v2.artifacts }),
    ).toEqual([]);
    expect(
      evaluationProblems({ model: 'churn_x', headSha: head, run, version: 1, artifacts: v1.artifacts }),
    ).not.toEqual([]);
    expect(res.summary).toContain('### mlops evaluate: churn\\_x v2 vs v1');
    // The chart puts the champion's value measured now next to the candidate's.
    const metrics = JSON.parse(res.outputs.metrics);
    expect(comments[0].body).toContain('x-axis ["v1 champion", "v2 candidate"]');
    expect(comments[0].body).toContain(`, ${Number(metrics.roc_auc.toPrecision(6))}]`);
    expect(gh.violations()).toEqual([]);
  });

  it('evaluate run again updates the same comment and check run instead of adding new ones, and pushes nothing', async () => {
    const tip = await checkout('mlops/churn_x/v2');
    const res = await evaluate(1, { model: 'churn_x', record: 'true' });
    expect(res.errors).toEqual([]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(commentsOn(1)).toHaveLength(1);
    expect(repo.checkRuns.filter((c) => c.name === 'mlops/evaluate (churn_x)')).toHaveLength(1);
    expect(await git(r.remote, 'rev-parse', 'mlops/churn_x/v2')).toBe(tip);
    expect(gh.violations()).toEqual([]);
  });

  it('evaluate warns when the comment cannot be posted and still creates the check run', async () => {
    const tip = await checkout('mlops/churn_x/v2');
    const token = 'ghs_harnessToken0123456789';
    gh.state.permissions[token] = {
      checks: 'write',
      contents: 'write',
      pull_requests: 'read',
      issues: 'read',
    };
    const before = commentsOn(1).map((c) => c.body);
    try {
      const res = await evaluate(1, { model: 'churn_x', seed: '3' });
      expect(res.errors).toEqual([]);
      expect(res.code, res.stdout + res.stderr).toBe(0);
      expect(res.warnings.join('\n')).toMatch(/could not post the evaluation comment on #1/);
      expect(commentsOn(1).map((c) => c.body)).toEqual(before);
      const run = repo.checkRuns.find((c) => c.name === 'mlops/evaluate (churn_x)' && c.headSha === tip);
      expect(run?.conclusion).toBe('success');
    } finally {
      delete gh.state.permissions[token];
    }
  });

  it('evaluate fails the step and concludes failure for a worse candidate, listing the failed gates', async () => {
    const head = await checkout('mlops/churn_x/v3');
    const res = await evaluate(2, { model: 'churn_x', record: 'false' });
    expect(res.code).toBe(1);
    expect(res.outputs.passed).toBe('false');
    expect(res.errors.join('\n')).toMatch(/churn_x v3 failed its gates: roc_auc min, roc_auc max_regression/);
    const [comment] = commentsOn(2);
    expect(comment.body).toMatch(/❌ \*\*Failed\*\* \d of 3 gates/);
    expect(comment.body).toContain('**Next:** this candidate cannot be promoted');
    const run = repo.checkRuns.find((c) => c.name === 'mlops/evaluate (churn_x)' && c.headSha === head);
    expect(run?.conclusion).toBe('failure');
    expect(run?.title).toMatch(/^Failed \d of 3 gates: roc_auc /);
    expect(gh.violations()).toEqual([]);
  });

  it('evaluate escapes hostile model, column and slice names in the comment', async () => {
    const body = commentsOn(1)[0].body;
    expect(body).not.toMatch(/<script>|<img/);
    expect(body).toContain('seg&lt;script&gt;alert\\(1\\)&lt;/script&gt;');
    expect(body).not.toMatch(/@octocat/);
    expect(body).toContain('@&#8203;octocat');
    expect(body).toContain('a\\|b \\*\\*x\\*\\*');
    expect(body).toContain('churn\\_x');
  });

  it('evaluate judges the first version of a model on absolute gates only', async () => {
    await checkout('mlops/fresh/v1');
    const res = await evaluate(3, { model: 'fresh' });
    expect(res.errors).toEqual([]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const [comment] = commentsOn(3);
    expect(comment.body).toContain('No champion yet (first version): only absolute gates were judged.');
    expect(comment.body).toContain('⏭️ not judged');
    const run = repo.checkRuns.find((c) => c.name === 'mlops/evaluate (fresh)');
    expect(run?.conclusion).toBe('success');
    expect(parseEvaluationExternalId(run?.externalId)?.champion).toBeUndefined();
    expect(gh.violations()).toEqual([]);
  });

  it('evaluate takes precomputed predictions for a grouped model and records the candidate artifacts', async () => {
    const head = await checkout('mlops/team/risk/v2');
    const lines = ['y,p_new,p_old,region'];
    const u = rng(11);
    for (let i = 0; i < 300; i++) {
      const t = u() < 0.4 ? 1 : 0;
      lines.push(
        `${t},${(0.5 * t + 0.5 * u()).toFixed(3)},${(0.2 * t + 0.8 * u()).toFixed(3)},${i % 2 ? 'n' : 's'}`,
      );
    }
    writeFileSync(join(r.clone, 'preds.csv'), `${lines.join('\n')}\n`);
    const res = await evaluate(4, {
      model: 'team/risk',
      data: undefined,
      predictions: 'preds.csv',
      score: 'p_new',
      'baseline-score': 'p_old',
      slices: 'region',
      record: 'false',
    });
    expect(res.errors).toEqual([]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const [comment] = commentsOn(4);
    expect(
      comment.body.startsWith('<!-- mlops:evaluate:team/risk -->\n### mlops evaluate: team/risk v2 vs v1'),
    ).toBe(true);
    const run = repo.checkRuns.find((c) => c.name === 'mlops/evaluate (team/risk)');
    expect(run).toMatchObject({ headSha: head, conclusion: 'success' });
    const v2 = await reg.resolve('team/risk@v2', { at: head });
    expect(parseEvaluationExternalId(run?.externalId)).toMatchObject({
      model: 'team/risk',
      version: 2,
      artifacts: { 'model.onnx': v2.artifacts[0].sha256 },
    });
    expect(gh.violations()).toEqual([]);
  });

  it('evaluate refuses a champion whose stored bytes do not match its sha256', async () => {
    const head = await checkout('mlops/churn_x/v2');
    const v1 = await reg.resolve('churn_x@v1', { at: head });
    const sha = v1.artifacts[0].sha256;
    writeFileSync(join(storeDir, 'sha256', sha.slice(0, 2), sha), 'tampered bytes');
    const before = repo.checkRuns.find((c) => c.name === 'mlops/evaluate (churn_x)' && c.headSha === head);
    const beforeConclusion = before?.conclusion;
    const res = await evaluate(1, { model: 'churn_x' });
    expect(res.code).toBe(1);
    expect(res.errors.join('\n')).toMatch(
      /champion churn_x v1 artifact model\.onnx .*the stored bytes do not match the recorded sha256/,
    );
    expect(res.outputs.passed).toBeUndefined();
    // The earlier green check on this head must not stand: it now fails with the error.
    expect(beforeConclusion).toBe('success');
    const after = repo.checkRuns.filter((c) => c.name === 'mlops/evaluate (churn_x)' && c.headSha === head);
    expect(after).toHaveLength(1);
    expect(after[0].conclusion).toBe('failure');
    expect(after[0].title).toMatch(/^Error: champion churn_x v1 artifact model\.onnx .*sha256/);
    expect(after[0].summary).toMatch(/could not be evaluated/);
    expect(gh.violations()).toEqual([]);
  });

  it('evaluate fetches both models from an S3-compatible store, and refuses a tampered S3 champion', async () => {
    const head = await checkout('mlops/lake/v2');
    const ok = await evaluate(5, { model: 'lake', record: 'false' });
    expect(ok.errors).toEqual([]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(commentsOn(5)[0].body).toMatch(/Candidate is \*\*better than\*\* champion v1/);
    const v1 = await reg.resolve('lake@v1', { at: head });
    const sha = v1.artifacts[0].sha256;
    writeFileSync(s3.objectFile(`artifacts/sha256/${sha.slice(0, 2)}/${sha}`), 'tampered bytes');
    const bad = await evaluate(5, { model: 'lake', record: 'false' });
    expect(bad.code).toBe(1);
    expect(bad.errors.join('\n')).toMatch(
      /champion lake v1 artifact model\.onnx .*the stored bytes do not match the recorded sha256/,
    );
    const run = repo.checkRuns.find((c) => c.name === 'mlops/evaluate (lake)' && c.headSha === head);
    expect(run?.conclusion).toBe('failure');
    expect(gh.violations()).toEqual([]);
  });
});
