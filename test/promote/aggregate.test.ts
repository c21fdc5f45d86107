import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { aggregateGate, aggregateSummary } from '../../actions/promote/src/aggregate.ts';
import type { GateResult } from '../../actions/promote/src/gate.ts';
import { OctokitForge } from '../../github/octokit-forge.ts';
import { runAction } from '../support/action-harness.ts';
import { type GitHubServer, type RepoState, startGitHubServer } from '../support/github-server.ts';
import { gitTestEnv } from '../support/git.ts';
import { evaluatedCheck } from './evaluated.ts';

const result = (model: string, passed: boolean): GateResult => ({
  model,
  pr: 1,
  headSha: 'a'.repeat(40),
  passed,
  conditions: [],
  approvers: [],
  changes: [],
});

describe('aggregateGate', () => {
  it('aggregateGate passes a PR that promotes nothing, and one whose every model passed', () => {
    expect(aggregateGate({ results: [], detailsUrl: 'https://run' })).toEqual({
      state: 'success',
      description: 'This PR promotes no model: nothing to gate.',
      targetUrl: 'https://run',
      blocked: [],
    });
    const ok = aggregateGate({ results: [result('churn', true), result('fraud', true)] });
    expect(ok).toMatchObject({ state: 'success', description: 'Passed: churn, fraud may be promoted.' });
  });

  it("aggregateGate fails naming the blocked models, linking the one blocked model's check", () => {
    const one = aggregateGate({
      results: [result('churn', true), result('fraud', false)],
      checkUrls: { churn: 'https://gh/runs/1', fraud: 'https://gh/runs/2' },
      prUrl: 'https://gh/o/r/pull/7',
      detailsUrl: 'https://run',
    });
    expect(one).toEqual({
      state: 'failure',
      description: 'Blocked: fraud. See mlops/promotion-gate (fraud).',
      targetUrl: 'https://gh/runs/2',
      blocked: [{ model: 'fraud', url: 'https://gh/runs/2' }],
    });
    expect(aggregateSummary(one)).toBe(
      '**mlops/promotion-gate**: failure. Blocked: [fraud](https://gh/runs/2).',
    );
    const two = aggregateGate({
      results: [result('churn', false), result('fraud', false)],
      checkUrls: { churn: 'https://gh/runs/1', fraud: 'https://gh/runs/2' },
      prUrl: 'https://gh/o/r/pull/7',
    });
    expect(two.targetUrl).toBe('https://gh/o/r/pull/7/checks');
    expect(two.description).toMatch(/^Blocked: churn, fraud\. See each model's/);
  });

  it('aggregateGate links the run when the per-model results are statuses, and keeps within 140 characters', () => {
    const names = Array.from({ length: 30 }, (_, i) => `team/model-number-${i}`);
    const a = aggregateGate({
      results: names.map((n) => result(n, false)),
      prUrl: 'https://gh/o/r/pull/7',
      detailsUrl: 'https://run',
    });
    expect(a.targetUrl).toBe('https://run');
    expect(a.description.length).toBeLessThanOrEqual(140);
    expect(a.description).toMatch(/^Blocked: team\/model-number-0, .* and \d+ more\. See/);
    const e = aggregateGate({ results: [], error: 'x'.repeat(300), detailsUrl: 'https://run' });
    expect(e).toMatchObject({ state: 'failure', targetUrl: 'https://run' });
    expect(e.description).toHaveLength(140);
  });
});

// The bundled action as the runner runs it, with the gate job's token permissions, on a PR that promotes two
// models (each allows the other's folder), a PR that promotes nothing, and a PR whose model has no model.yaml.
const REPO = 'octo-org/models';
const TOKEN = 'ghs_gateJobToken';
const STALE = '0123456789abcdef0123456789abcdef01234567';
const spec = (name: string, owner: string, other: string) =>
  `name: ${name}\ntask: binary\nprimary_metric: { name: roc_auc, direction: maximize }\nowners: [${owner}]\npromotion: { extra_paths: ['models/${other}/'] }\n`;
const version = (model: string, n: number) =>
  `model: ${model}\nversion: ${n}\ncreated: '2026-01-0${n}T00:00:00Z'\ncreated_by: carol\nmetrics: { roc_auc: 0.8 }\nartifacts:\n  - { path: model.onnx, uri: 's3://b/${model}${n}', sha256: '${sha(model, n)}', bytes: 10 }\n`;
const sha = (model: string, n: number) => (model === 'churn' ? String(n) : String(n + 4)).repeat(64);
const model = (name: string, n: number, owner: string, other: string) => ({
  [`models/${name}/model.yaml`]: spec(name, owner, other),
  [`models/${name}/aliases.yaml`]: `aliases: { champion: ${n} }\narchived: []\n`,
  [`models/${name}/versions/v${n}/version.yaml`]: version(name, n),
});

let root: string;
let gh: GitHubServer;
let repo: RepoState;
let forge: OctokitForge;
const heads: Record<string, string> = {};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mlops-aggregate-'));
  const work = join(root, 'work');
  const bare = join(root, 'remote.git');
  mkdirSync(work);
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: work, env: gitTestEnv, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  const branch = (name: string, from: string | undefined, files: Record<string, string>) => {
    git('checkout', '-q', ...(from ? ['-B', name, from] : ['-B', name]));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      writeFileSync(join(work, path), text);
    }
    git('add', '-A');
    git('commit', '-q', '-m', name);
    heads[name] = git('rev-parse', 'HEAD');
  };
  branch('main', undefined, { 'README.md': '# models\n', ...model('churn', 1, 'alice', 'fraud') });
  branch('main', 'main', model('fraud', 1, 'bob', 'churn'));
  branch('docs', 'main', { 'README.md': '# models, documented\n' });
  branch('both', 'main', { ...model('churn', 2, 'alice', 'fraud'), ...model('fraud', 2, 'bob', 'churn') });
  branch('ghost', 'main', { 'models/ghost/aliases.yaml': 'aliases: { champion: 1 }\n' });
  execFileSync('git', ['clone', '-q', '--bare', work, bare], { env: gitTestEnv });
  gh = await startGitHubServer();
  repo = gh.state.addRepo(REPO, { gitDir: bare });
  gh.state.permissions[TOKEN] = {
    contents: 'read',
    pull_requests: 'read',
    checks: 'write',
    statuses: 'write',
  };
  forge = new OctokitForge({ token: 'ghs_setup', repository: REPO, apiUrl: gh.url, timeUnitMs: 1 });
  for (const m of ['churn', 'fraud'])
    await forge.upsertCheckRun(evaluatedCheck({ model: m, headSha: heads.both, sha256: sha(m, 2) }));
}, 60_000);
afterAll(async () => {
  await gh.stop();
  rmSync(root, { recursive: true, force: true });
});
afterEach(() => {
  expect(gh.violations()).toEqual([]);
});

/** Run the bundled gate on PR `pr` for a review event that carries a stale head SHA; the statuses it left. */
async function gateOn(pr: number) {
  const r = await runAction({
    action: 'promote',
    cwd: root,
    apiUrl: gh.url,
    event: {
      name: 'pull_request_review',
      payload: { action: 'submitted', pull_request: { number: pr, head: { sha: STALE } } },
    },
    inputs: { 'github-token': TOKEN },
    timeoutMs: 120_000,
  });
  const statuses = repo.statuses.filter((s) => s.context === 'mlops/promotion-gate');
  return { r, status: statuses.at(-1), statuses };
}

describe('promote action: the aggregate mlops/promotion-gate status (bundled)', () => {
  it('promote posts success on the head of a PR that promotes nothing, read from the PR, not the event', async () => {
    const pr = gh.state.addPullRequest(repo, { head: 'docs', author: 'carol', title: 'Docs' }).number;
    const { r, status, statuses } = await gateOn(pr);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.outputs.passed).toBe('true');
    expect(statuses).toHaveLength(1);
    expect(status).toMatchObject({
      sha: heads.docs,
      state: 'success',
      description: 'This PR promotes no model: nothing to gate.',
      targetUrl: 'https://github.com/octo-org/models/actions/runs/4242',
    });
    expect(repo.checkRuns.filter((c) => c.headSha === heads.docs)).toEqual([]);
    expect(repo.statuses.some((s) => s.sha === STALE)).toBe(false);
  }, 180_000);

  it('promote fails the status naming the one blocked model and linking its check, then passes when both pass', async () => {
    const pr = gh.state.addPullRequest(repo, { head: 'both', author: 'carol', title: 'Promote both' }).number;
    gh.state.addReview(repo, pr, 'alice', 'APPROVED');
    const blocked = await gateOn(pr);
    expect(blocked.r.code, blocked.r.stderr + blocked.r.stdout).toBe(0);
    expect(blocked.r.outputs.passed).toBe('false');
    const fraudCheck = repo.checkRuns.find((c) => c.name === 'mlops/promotion-gate (fraud)');
    expect(fraudCheck?.conclusion).toBe('failure');
    expect(repo.checkRuns.find((c) => c.name === 'mlops/promotion-gate (churn)')?.conclusion).toBe('success');
    expect(blocked.status).toMatchObject({
      sha: heads.both,
      state: 'failure',
      description: 'Blocked: fraud. See mlops/promotion-gate (fraud).',
      targetUrl: `https://github.com/octo-org/models/runs/${fraudCheck?.id}`,
    });
    expect(blocked.r.summary).toContain('**mlops/promotion-gate**: failure. Blocked: [fraud](https://');

    gh.state.addReview(repo, pr, 'bob', 'APPROVED');
    const ok = await gateOn(pr);
    expect(ok.r.code, ok.r.stderr + ok.r.stdout).toBe(0);
    expect(ok.r.outputs.passed).toBe('true');
    expect(ok.status).toMatchObject({
      sha: heads.both,
      state: 'success',
      description: 'Passed: churn, fraud may be promoted.',
    });
    expect(ok.statuses.filter((s) => s.sha === heads.both).map((s) => s.state)).toEqual([
      'failure',
      'success',
    ]);
  }, 180_000);

  it('promote fails the status with the reason when the gate cannot run, and the step fails', async () => {
    const pr = gh.state.addPullRequest(repo, { head: 'ghost', author: 'carol', title: 'Ghost' }).number;
    const { r, status } = await gateOn(pr);
    expect(r.code).toBe(2);
    expect(status).toMatchObject({ sha: heads.ghost, state: 'failure' });
    expect(status?.description).toMatch(
      /^The promotion gate could not run: model 'ghost' has no model\.yaml/,
    );
  }, 180_000);
});
