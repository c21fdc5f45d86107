import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { evaluateGate, type GateResult } from '../../actions/promote/src/gate.ts';
import { runGate } from '../../actions/promote/src/gate-run.ts';
import { gateSummary } from '../../actions/promote/src/report.ts';
import { silentLogger } from '../../core/logger.ts';
import { OctokitForge } from '../../github/octokit-forge.ts';
import { type GitHubServer, type RepoState, startGitHubServer } from '../support/github-server.ts';
import { createGateFixture, type GateFixture, SHA2 } from './gate-fixture.ts';
import { evaluatedCheck } from './evaluated.ts';

const REPO = 'octo-org/models';
let fx: GateFixture;
let gh: GitHubServer;
let repo: RepoState;
let forge: OctokitForge;

beforeAll(async () => {
  fx = createGateFixture();
  gh = await startGitHubServer();
});
afterAll(async () => {
  await gh.stop();
  fx.cleanup();
});
beforeEach(() => {
  repo = gh.state.addRepo(REPO, { gitDir: fx.bare });
  gh.state.teams = {};
  forge = new OctokitForge({ token: 'ghs_gateTest', repository: REPO, apiUrl: gh.url, timeUnitMs: 1 });
});
afterEach(() => {
  expect(gh.violations()).toEqual([]);
});

/** Open PR #1 from `head` into `base` by carol, approved by alice and evaluated green on its head unless told. */
async function openPr(
  head = 'promote',
  base = 'main',
  opts: { approve?: string[]; evaluate?: boolean } = {},
): Promise<number> {
  const pr = gh.state.addPullRequest(repo, { head, base, author: 'carol', title: 'Promote churn v2' });
  for (const who of opts.approve ?? ['alice']) gh.state.addReview(repo, pr.number, who, 'APPROVED');
  if (opts.evaluate ?? true) await evaluated(fx.sha[head]);
  return pr.number;
}

/** Post the evaluate check the way the evaluate action does, on `sha`. */
function evaluated(
  sha: string,
  opts: { conclusion?: 'success' | 'failure'; artifact?: string; version?: number; externalId?: string } = {},
) {
  return forge.upsertCheckRun(evaluatedCheck({ headSha: sha, ...opts, sha256: opts.artifact ?? SHA2 }));
}

async function gate(pr = 1, evaluateApp?: string): Promise<GateResult> {
  const p = await forge.getPullRequest(pr);
  return evaluateGate({
    forge,
    pr: p,
    model: 'churn',
    root: 'models',
    files: await forge.listPullRequestFiles(pr),
    evaluateApp,
  });
}
const unmet = (r: GateResult) => r.conditions.filter((c) => !c.ok).map((c) => c.id);
const text = (r: GateResult) => r.conditions.flatMap((c) => c.details).join('\n');
const short = (name: string) => fx.sha[name].slice(0, 7);

describe('evaluateGate', () => {
  it('evaluateGate passes with an owner approval and a green evaluation of the same artifacts', async () => {
    await openPr();
    const r = await gate();
    expect(unmet(r)).toEqual([]);
    expect(r).toMatchObject({ passed: true, approvers: ['alice'], headSha: fx.sha.promote });
    expect(r.changes).toEqual([{ alias: 'champion', from: 1, to: 2 }]);
  });

  it("evaluateGate refuses the author's own approval", async () => {
    await openPr('promote', 'main', { approve: ['carol'] });
    const r = await gate();
    expect(unmet(r)).toEqual(['approvals']);
    expect(text(r)).toContain("@carol is the author; an author's own approval never counts");
  });

  it('evaluateGate refuses an approval from a non-owner', async () => {
    await openPr('promote', 'main', { approve: ['mallory'] });
    const r = await gate();
    expect(unmet(r)).toEqual(['approvals']);
    expect(text(r)).toContain('@mallory is not an owner of this model');
  });

  it('evaluateGate refuses an approval given on an older commit (a push after approval)', async () => {
    const pr = await openPr('promote', 'main', { approve: [] });
    gh.state.addReview(repo, pr, 'alice', 'APPROVED', fx.sha['promote-old']);
    const r = await gate();
    expect(unmet(r)).toEqual(['approvals']);
    expect(text(r)).toContain(
      `@alice approved ${short('promote-old')}, not the head commit ${short('promote')}`,
    );
  });

  it('evaluateGate counts a member of an owner team, and not a member of another team', async () => {
    gh.state.setTeam('octo-org', 'ml-leads', ['dana']);
    gh.state.setTeam('octo-org', 'interns', ['ivan']);
    await openPr('promote', 'main', { approve: ['ivan'] });
    expect(text(await gate())).toContain('@ivan is not an owner');
    gh.state.addReview(repo, 1, 'dana', 'APPROVED');
    expect((await gate()).passed).toBe(true);
  });

  it('evaluateGate falls back to CODEOWNERS when model.yaml names no owners', async () => {
    await openPr('promote-codeowners', 'main-codeowners', { approve: ['alice'] });
    const r = await gate();
    expect(text(r)).toContain('@alice is not an owner');
    expect(text(r)).toContain('from @erin (CODEOWNERS)');
    gh.state.addReview(repo, 1, 'erin', 'APPROVED');
    expect((await gate()).passed).toBe(true);
  });

  it('evaluateGate reads owners from the base branch, so a PR cannot make a reviewer an owner', async () => {
    await openPr('self-owner', 'main', { approve: ['mallory'] });
    expect(unmet(await gate())).toEqual(['approvals']);
  });

  it('evaluateGate blocks on changes requested by an owner even with another approval', async () => {
    gh.state.setTeam('octo-org', 'ml-leads', ['dana']);
    await openPr();
    gh.state.addReview(repo, 1, 'dana', 'CHANGES_REQUESTED', fx.sha['promote-old']);
    const r = await gate();
    expect(unmet(r)).toEqual(['approvals']);
    expect(text(r)).toContain('@dana requested changes');
  });

  it('evaluateGate requires promotion.approvals approvals', async () => {
    gh.state.setTeam('octo-org', 'ml-leads', ['dana']);
    await openPr('promote-approvals2', 'main-approvals2');
    expect(text(await gate())).toContain('1 of 2 required approvals');
    gh.state.addReview(repo, 1, 'dana', 'APPROVED');
    expect((await gate()).passed).toBe(true);
  });

  it('evaluateGate refuses a missing evaluate check', async () => {
    await openPr('promote', 'main', { evaluate: false });
    const r = await gate();
    expect(unmet(r)).toEqual(['evaluation']);
    expect(text(r)).toContain(`no mlops/evaluate (churn) check on the head commit ${short('promote')}`);
  });

  it('evaluateGate refuses an evaluate check on a different SHA', async () => {
    await openPr('promote', 'main', { evaluate: false });
    await evaluated(fx.sha['promote-old']);
    expect(unmet(await gate())).toEqual(['evaluation']);
  });

  it('evaluateGate counts only the evaluate check of the expected app, whatever another app posted later', async () => {
    await openPr('promote', 'main', { evaluate: false });
    await evaluated(fx.sha.promote, { conclusion: 'failure' });
    const ours = repo.checkRuns[repo.checkRuns.length - 1];
    repo.checkRuns.push({ ...ours, id: gh.state.nextId(), conclusion: 'success', app: 'forger' });
    const r = await gate(1, 'github-actions');
    expect(unmet(r)).toEqual(['evaluation']);
    expect(text(r)).toContain('concluded failure, not success');
    expect(unmet(await gate(1, 'forger'))).toEqual([]);
  });

  it('evaluateGate refuses a failed evaluate check', async () => {
    await openPr('promote', 'main', { evaluate: false });
    await evaluated(fx.sha.promote, { conclusion: 'failure' });
    expect(text(await gate())).toContain('concluded failure, not success');
  });

  it('evaluateGate refuses an artifact whose sha256 changed after evaluation', async () => {
    await openPr('promote', 'main', { evaluate: false });
    await evaluated(fx.sha.promote, { artifact: '3'.repeat(64) });
    const r = await gate();
    expect(unmet(r)).toEqual(['evaluation']);
    expect(text(r)).toContain(
      'artifact model.onnx has sha256 222222222222… in version.yaml but 333333333333… was evaluated',
    );
  });

  it('evaluateGate refuses an evaluation of another version', async () => {
    await openPr('promote', 'main', { evaluate: false });
    await evaluated(fx.sha.promote, { version: 1 });
    expect(text(await gate())).toContain('evaluated v1, but the PR promotes v2');
  });

  it('evaluateGate reads only the external_id format the evaluate action writes', async () => {
    await openPr('promote', 'main', { evaluate: false });
    const other = JSON.stringify({ artifacts: [{ path: 'model.onnx', sha256: SHA2 }] });
    await evaluated(fx.sha.promote, { externalId: other });
    const r = await gate();
    expect(unmet(r)).toEqual(['evaluation']);
    expect(text(r)).toContain('does not record the artifacts it evaluated');
  });

  it('evaluateGate refuses a PR from a fork', async () => {
    await openPr();
    repo.pulls[0].headRepo = 'mallory/models';
    const r = await gate();
    expect(unmet(r)).toEqual(['source']);
    expect(text(r)).toContain('the PR comes from the fork mallory/models');
  });

  it('evaluateGate refuses a PR that also edits another model or other files', async () => {
    await openPr('also-other');
    const r = await gate();
    expect(unmet(r)).toEqual(['files']);
    expect(text(r)).toContain('touches models/fraud/aliases.yaml');
    expect(text(r)).toContain('touches .github/workflows/ci.yml');
  });

  it('evaluateGate refuses a PR that rewrites or deletes a version record of the base branch', async () => {
    await openPr('rewrite-v1');
    const r = await gate();
    expect(unmet(r)).toEqual(['files']);
    expect(text(r)).toContain(
      'rewrites models/churn/versions/v1/version.yaml, which exists on main: version records are immutable',
    );
    gh.state.addPullRequest(repo, { head: 'delete-v1', base: 'main', author: 'carol', title: 'x' });
    gh.state.addReview(repo, 2, 'alice', 'APPROVED');
    await evaluated(fx.sha['delete-v1']);
    const d = await gate(2);
    expect(unmet(d)).toEqual(['files']);
    expect(text(d)).toContain('deletes models/churn/versions/v1/version.yaml, which exists on main');
  });

  it('evaluateGate allows editing the version record the PR itself adds', async () => {
    await openPr('record-v2');
    expect(unmet(await gate())).toEqual([]);
  });

  it('evaluateGate allows the configured extra paths', async () => {
    await openPr('promote-extra', 'main-extra');
    expect((await gate()).passed).toBe(true);
  });

  it('evaluateGate requires a version to be staging before champion when model.yaml says so', async () => {
    await openPr('promote-requires', 'main-requires');
    expect(text(await gate())).toContain('champion requires v2 to be staging first (staging is unset)');
    gh.state.addPullRequest(repo, { head: 'promote-staged', base: 'main-staged', author: 'carol' });
    gh.state.addReview(repo, 2, 'alice', 'APPROVED');
    await evaluated(fx.sha['promote-staged']);
    expect((await gate(2)).passed).toBe(true);
  });

  it('evaluateGate lists every unmet condition at once', async () => {
    await openPr('promote', 'main', { approve: ['carol'], evaluate: false });
    repo.pulls[0].headRepo = 'mallory/models';
    const r = await gate();
    expect(unmet(r)).toEqual(['source', 'evaluation', 'approvals']);
    const summary = gateSummary(r);
    expect(summary.startsWith('**Blocked.**')).toBe(true);
    expect(summary).toContain('Next: ask a model owner to review the head commit');
  });
});

describe('runGate', () => {
  const run = (o: { reportAs?: 'check' | 'status'; merge?: boolean } = {}) =>
    runGate({
      forge,
      pr: 1,
      root: 'models',
      reportAs: o.reportAs ?? 'check',
      merge: o.merge ?? false,
      mergeMethod: 'merge',
      log: silentLogger,
    });

  it('runGate posts a failing check listing the reasons, then a passing one, and merges when asked', async () => {
    await openPr('promote-merge', 'main-merge', { approve: [] });
    const blocked = await run({ merge: true });
    expect(blocked.passed).toBe(false);
    const head = fx.sha['promote-merge'];
    const check = await forge.getCheckRun(head, 'mlops/promotion-gate (churn)');
    expect(check?.conclusion).toBe('failure');
    expect(check?.summary).toContain('0 of 1 required approval');
    expect(repo.pulls[0].merged).toBe(false);
    gh.state.addReview(repo, 1, 'alice', 'APPROVED');
    const ok = await run({ merge: true });
    expect(ok.passed).toBe(true);
    expect((await forge.getCheckRun(head, 'mlops/promotion-gate (churn)'))?.conclusion).toBe('success');
    expect(repo.checkRuns.filter((c) => c.name === 'mlops/promotion-gate (churn)')).toHaveLength(1);
    expect(repo.pulls[0]).toMatchObject({ merged: true, mergeCommitSha: ok.mergeSha });
    const aggregate = repo.statuses.filter((s) => s.context === 'mlops/promotion-gate');
    expect(aggregate.map((s) => [s.sha, s.state])).toEqual([
      [head, 'failure'],
      [head, 'success'],
    ]);
    expect(aggregate[1].createdAt < (repo.pulls[0].mergedAt ?? '')).toBe(true);
  });

  it('runGate posts a commit status when asked, and gives a PR that moves no alias only the aggregate', async () => {
    await openPr();
    await run({ reportAs: 'status' });
    expect(repo.statuses).toMatchObject([
      { sha: fx.sha.promote, context: 'mlops/promotion-gate (churn)', state: 'success' },
      { sha: fx.sha.promote, context: 'mlops/promotion-gate', state: 'success' },
    ]);
    gh.state.addRepo(REPO, { gitDir: fx.bare });
    repo = gh.state.repos[REPO];
    gh.state.addPullRequest(repo, { head: 'main-codeowners', base: 'main', author: 'carol' });
    const r = await run({ merge: true });
    expect(r).toMatchObject({ results: [], passed: true, aggregate: { state: 'success' } });
    expect(r.mergeSha).toBeUndefined();
    expect(repo.checkRuns).toEqual([]);
    expect(repo.statuses).toMatchObject([
      { sha: fx.sha['main-codeowners'], context: 'mlops/promotion-gate', state: 'success' },
    ]);
  });

  it('runGate posts no aggregate for a model list that leaves a promoted model out', async () => {
    gh.state.addPullRequest(repo, { head: 'also-other', base: 'main', author: 'carol' });
    const partial = await runGate({
      forge,
      pr: 1,
      models: ['churn'],
      root: 'models',
      reportAs: 'check',
      merge: false,
      mergeMethod: 'merge',
      log: silentLogger,
    });
    expect(partial.results.map((r) => r.model)).toEqual(['churn']);
    expect(partial.aggregate).toBeUndefined();
    expect(repo.statuses).toEqual([]);
  });
});
