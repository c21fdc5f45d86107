import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../core/logger.ts';
import { ForgeError } from '../../github/errors.ts';
import { marker } from '../../github/forge.ts';
import { OctokitForge } from '../../github/octokit-forge.ts';
import { type GitHubServer, type RepoState, startGitHubServer } from '../support/github-server.ts';
import { commit, git, gitFixture } from './fixtures.ts';

const TOKEN = 'ghs_verySecretToken123';
let gh: GitHubServer;
let repo: RepoState;
let forge: OctokitForge;

beforeEach(async () => {
  gh = await startGitHubServer();
  repo = gh.state.addRepo('octo-org/models');
  forge = new OctokitForge({ token: TOKEN, repository: 'octo-org/models', apiUrl: gh.url, timeUnitMs: 1 });
});
afterEach(() => gh.stop());

describe('comments', () => {
  it('upsertComment leaves one comment, updated, after three runs', async () => {
    const pr = gh.state.addPullRequest(repo, { head: 'mlops/churn-v7', headSha: 'a'.repeat(40) });
    const m = marker('evaluate', 'churn');
    const r1 = await forge.upsertComment(pr.number, m, 'first');
    const r2 = await forge.upsertComment(pr.number, m, 'second');
    const r3 = await forge.upsertComment(pr.number, m, 'second');
    expect([r1.action, r2.action, r3.action]).toEqual(['created', 'updated', 'unchanged']);
    expect(repo.comments).toHaveLength(1);
    expect(repo.comments[0].body).toBe(`${m}\nsecond`);
    expect(r2.item.id).toBe(r1.item.id);
  });

  it('upsertComment finds the marker on page 3 of 250 comments', async () => {
    const issue = gh.state.addIssue(repo, { title: 'busy' });
    const m = marker('evaluate', 'churn');
    for (let k = 0; k < 250; k++) {
      gh.state.addComment(repo, issue.number, k === 230 ? `${m}\nold report` : `chatter ${k}`, 'someone');
    }
    const r = await forge.upsertComment(issue.number, m, 'new report');
    expect(r.action).toBe('updated');
    expect(repo.comments).toHaveLength(250);
    expect(repo.comments[230].body).toBe(`${m}\nnew report`);
    const pages = gh.requests.filter((q) => q.method === 'GET' && q.path.includes('/comments'));
    expect(pages.map((q) => new URL(q.path, gh.url).searchParams.get('page') ?? '1')).toEqual([
      '1',
      '2',
      '3',
    ]);
  });

  it('upsertComment cuts a body over 65,536 characters with a note and the full-report link', async () => {
    const issue = gh.state.addIssue(repo, { title: 'big' });
    const r = await forge.upsertComment(issue.number, marker('evaluate', 'm'), 'x'.repeat(70_000), {
      fullReportUrl: 'https://github.com/octo-org/models/actions/runs/1',
    });
    expect(r.item.body.length).toBeLessThanOrEqual(65_536);
    expect(r.item.body.startsWith(marker('evaluate', 'm'))).toBe(true);
    expect(r.item.body).toContain('[full report](https://github.com/octo-org/models/actions/runs/1)');
  });
});

describe('issues', () => {
  it('upsertIssue creates once, then updates the same issue, creating labels when missing', async () => {
    const m = marker('drift', 'churn');
    const a = await forge.upsertIssue({
      marker: m,
      title: 'Drift in churn',
      body: 'share 0.6',
      labels: ['drift', 'mlops'],
    });
    const b = await forge.upsertIssue({
      marker: m,
      title: 'Drift in churn',
      body: 'share 0.7',
      labels: ['drift'],
    });
    const c = await forge.upsertIssue({
      marker: m,
      title: 'Drift in churn',
      body: 'share 0.7',
      labels: ['drift'],
    });
    expect([a.action, b.action, c.action]).toEqual(['created', 'updated', 'unchanged']);
    expect(repo.issues).toHaveLength(1);
    expect(repo.labels.map((l) => l.name).sort()).toEqual(['drift', 'mlops', 'mlops:drift']);
    expect(b.item).toMatchObject({
      number: a.item.number,
      state: 'open',
      labels: ['mlops:drift', 'drift', 'mlops'],
    });
    expect(await forge.findIssue(m)).toMatchObject({ number: a.item.number, body: `${m}\nshare 0.7` });
  });

  it('closeIssue comments and closes; the next upsert opens a new issue', async () => {
    const m = marker('drift', 'churn');
    const a = await forge.upsertIssue({ marker: m, title: 'Drift', body: 'b', labels: [] });
    await forge.closeIssue(a.item.number, 'Drift cleared.');
    expect(repo.issues[0]).toMatchObject({ state: 'closed', stateReason: 'completed' });
    expect(repo.comments.at(-1)?.body).toBe('Drift cleared.');
    expect(await forge.findIssue(m)).toBeUndefined();
    expect(await forge.findIssue(m, { includeClosed: true })).toMatchObject({
      number: a.item.number,
      state: 'closed',
    });
    const b = await forge.upsertIssue({ marker: m, title: 'Drift', body: 'b', labels: [] });
    expect(b.action).toBe('created');
    expect(b.item.number).not.toBe(a.item.number);
  });

  it('findIssue skips pull requests that carry the marker', async () => {
    const m = marker('drift', 'x');
    gh.state.addPullRequest(repo, { head: 'h', body: m, headSha: 'b'.repeat(40) });
    expect(await forge.findIssue(m)).toBeUndefined();
  });
});

describe('checks and statuses', () => {
  it('upsertCheckRun sends 120 annotations in batches of 50 and updates the same run', async () => {
    const sha = 'c'.repeat(40);
    const annotations = Array.from({ length: 120 }, (_, k) => ({
      path: 'models/churn/model.yaml',
      startLine: k + 1,
      endLine: k + 1,
      level: 'warning' as const,
      message: `m${k}`,
    }));
    const first = await forge.upsertCheckRun({
      name: 'mlops/evaluate',
      headSha: sha,
      status: 'in_progress',
      title: 'Running',
      summary: '…',
    });
    const done = await forge.upsertCheckRun({
      name: 'mlops/evaluate',
      headSha: sha,
      status: 'completed',
      conclusion: 'success',
      title: 'Gates passed',
      summary: 'all good',
      text: 'details',
      annotations,
      externalId: 'churn@v7',
    });
    expect(done).toMatchObject({
      id: first.id,
      status: 'completed',
      conclusion: 'success',
      summary: 'all good',
      externalId: 'churn@v7',
    });
    expect(repo.checkRuns).toHaveLength(1);
    expect(repo.checkRuns[0].annotations).toHaveLength(120);
    const writes = gh.requests.filter((q) => q.path.includes('/check-runs') && q.method !== 'GET');
    expect(
      writes.map(
        (q) => ((q.body as { output?: { annotations?: unknown[] } }).output?.annotations ?? []).length,
      ),
    ).toEqual([0, 50, 50, 20]);
    expect(await forge.getCheckRun(sha, 'mlops/evaluate')).toMatchObject({
      id: first.id,
      title: 'Gates passed',
    });
    expect(await forge.getCheckRun(sha, 'other')).toBeUndefined();
  });

  it('setStatus records the state and cuts a long description to 140 characters', async () => {
    await forge.setStatus({
      sha: 'd'.repeat(40),
      context: 'mlops/promote',
      state: 'failure',
      description: 'y'.repeat(300),
    });
    expect(repo.statuses[0]).toMatchObject({ state: 'failure', context: 'mlops/promote' });
    expect(repo.statuses[0].description).toHaveLength(140);
  });
});

describe('pull requests on a real git remote', () => {
  it('openPullRequest creates from a branch, then updates the open one; files, head and merge come from git', async () => {
    const fx = gitFixture({
      main: { 'README.md': 'hi\n' },
      feature: { 'models/churn/versions/v7/version.yaml': 'version: 7\n' },
    });
    repo.gitDir = fx.bare;
    const a = await forge.openPullRequest({
      head: 'feature',
      base: 'main',
      title: 'Promote churn v7',
      body: 'one',
      labels: ['mlops'],
    });
    const b = await forge.openPullRequest({
      head: 'feature',
      base: 'main',
      title: 'Promote churn v7',
      body: 'two',
    });
    expect(b.number).toBe(a.number);
    expect(b).toMatchObject({
      body: 'two',
      headSha: fx.featureSha,
      headRef: 'feature',
      baseRef: 'main',
      labels: ['mlops'],
      state: 'open',
    });
    expect(await forge.findPullRequestsForBranch('feature')).toHaveLength(1);
    expect(await forge.listPullRequestFiles(a.number)).toEqual(['models/churn/versions/v7/version.yaml']);

    await expect(forge.mergePullRequest(a.number, { sha: fx.mainSha })).rejects.toThrow(/409/);
    const mergeSha = await forge.mergePullRequest(a.number, { sha: fx.featureSha });
    expect(git(fx.bare, 'rev-parse', 'refs/heads/main')).toBe(mergeSha);
    expect(git(fx.bare, 'rev-list', '--parents', '-n1', mergeSha).split(' ').slice(1)).toEqual([
      fx.mainSha,
      fx.featureSha,
    ]);
    expect(await forge.getPullRequest(a.number)).toMatchObject({ merged: true, state: 'closed' });
    expect(await forge.findPullRequestsForBranch('feature')).toEqual([]);
  });

  it('getPullRequest reads the head SHA after a push', async () => {
    const fx = gitFixture({ main: { a: '1' }, feature: { b: '2' } });
    repo.gitDir = fx.bare;
    const pr = await forge.openPullRequest({ head: 'feature', base: 'main', title: 't', body: '' });
    git(fx.work, 'checkout', '-q', 'feature');
    const next = commit(fx.work, { c: '3' });
    git(fx.work, 'push', '-q', 'origin', 'feature');
    expect((await forge.getPullRequest(pr.number)).headSha).toBe(next);
  });

  it('readFile reads CODEOWNERS from the default branch and is undefined when absent', async () => {
    const fx = gitFixture({ main: { '.github/CODEOWNERS': '* @octo-org/ml\n' }, feature: { x: '1' } });
    repo.gitDir = fx.bare;
    expect(await forge.readFile('.github/CODEOWNERS', 'main')).toBe('* @octo-org/ml\n');
    expect(await forge.readFile('CODEOWNERS', 'main')).toBeUndefined();
  });
});

describe('findIssue', () => {
  it('findIssue lists only issues with the purpose label and stops at the first match', async () => {
    const m = marker('drift', 'churn');
    const labelled = (title: string) => gh.state.addIssue(repo, { title, labels: ['mlops:drift'] });
    for (let k = 0; k < 100; k++) labelled(`older ${k}`); // page 3, newest first: never read
    const a = await forge.upsertIssue({ marker: m, title: 'Drift', body: 'x', labels: ['extra'] });
    expect(a.item.labels.sort()).toEqual(['extra', 'mlops:drift']);
    for (let k = 0; k < 150; k++) labelled(`newer ${k}`); // pages 1 and 2
    for (let k = 0; k < 50; k++) gh.state.addIssue(repo, { title: `unlabelled ${k}`, body: m });
    gh.requests.length = 0;
    expect(await forge.findIssue(m)).toMatchObject({ number: a.item.number, title: 'Drift' });
    const lists = gh.requests.map((q) => new URL(q.path, gh.url));
    expect(lists.map((u) => [u.pathname, u.searchParams.get('labels'), u.searchParams.get('page')])).toEqual([
      ['/repos/octo-org/models/issues', 'mlops:drift', null],
      ['/repos/octo-org/models/issues', 'mlops:drift', '2'],
    ]);
  });
});

describe('reviews, teams, dispatch', () => {
  it('latestReviews keeps the latest review per reviewer with its commit', async () => {
    const pr = gh.state.addPullRequest(repo, { head: 'h', headSha: '1'.repeat(40) });
    gh.state.addReview(repo, pr.number, 'alice', 'CHANGES_REQUESTED', '0'.repeat(40));
    gh.state.addReview(repo, pr.number, 'bob', 'APPROVED');
    gh.state.addReview(repo, pr.number, 'alice', 'APPROVED');
    gh.state.addReview(repo, pr.number, 'bob', 'COMMENTED');
    for (let k = 0; k < 120; k++) gh.state.addReview(repo, pr.number, `r${k}`, 'COMMENTED');
    const reviews = await forge.latestReviews(pr.number);
    expect(reviews).toHaveLength(122);
    expect(reviews.filter((r) => r.state === 'APPROVED')).toEqual([
      expect.objectContaining({ reviewer: 'bob', commitSha: '1'.repeat(40) }),
      expect.objectContaining({ reviewer: 'alice', commitSha: '1'.repeat(40) }),
    ]);
  });

  it('readFile and isTeamMember fail on an endpoint the server does not implement (501), never read it as absent', async () => {
    // A GitHub Enterprise Server style base URL the test server does not serve: every route is unimplemented.
    const ghes = new OctokitForge({
      token: TOKEN,
      repository: 'octo-org/models',
      apiUrl: `${gh.url}/api/v3`,
      timeUnitMs: 1,
    });
    await expect(ghes.readFile('CODEOWNERS', 'main')).rejects.toThrow(/501/);
    await expect(ghes.isTeamMember('octo-org', 'ml', 'alice')).rejects.toThrow(/501/);
    gh.expectViolations(/^not implemented: GET \/api\/v3\//);
  });

  it('isTeamMember is true for members only', async () => {
    gh.state.setTeam('octo-org', 'ml-reviewers', ['alice']);
    expect(await forge.isTeamMember('octo-org', 'ml-reviewers', 'alice')).toBe(true);
    expect(await forge.isTeamMember('octo-org', 'ml-reviewers', 'mallory')).toBe(false);
  });

  it('dispatchWorkflow is refused as GitHub refuses it: a missing workflow, no trigger, undeclared inputs', async () => {
    const fx = gitFixture({
      main: {
        '.github/workflows/retrain.yml':
          'on:\n  workflow_dispatch:\n    inputs:\n      model: { required: true }\n      note: {}\njobs: {}\n',
        '.github/workflows/ci.yml': 'on: [push, pull_request]\njobs: {}\n',
        '.github/workflows/manual.yml': 'on: workflow_dispatch\njobs: {}\n',
      },
      feature: { x: '1' },
    });
    repo.gitDir = fx.bare;
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => '',
        (e: Error) => e.message,
      );
    expect(await failure(forge.dispatchWorkflow('nope.yml', 'main', {}))).toMatch(/\(404\)/);
    expect(await failure(forge.dispatchWorkflow('ci.yml', 'main', {}))).toMatch(
      /422.*does not have 'workflow_dispatch' trigger/,
    );
    expect(
      await failure(forge.dispatchWorkflow('retrain.yml', 'main', { model: 'm', colour: 'red' })),
    ).toMatch(/422.*Unexpected inputs provided: \["colour"\]/);
    expect(await failure(forge.dispatchWorkflow('retrain.yml', 'main', { note: 'n' }))).toMatch(
      /422.*Required input 'model' not provided/,
    );
    await forge.dispatchWorkflow('retrain.yml', 'main', { model: 'churn' });
    await forge.dispatchWorkflow('manual.yml', 'feature', {});
    expect(repo.dispatches).toEqual([
      { workflow: 'retrain.yml', ref: 'main', inputs: { model: 'churn' } },
      { workflow: 'manual.yml', ref: 'feature', inputs: {} },
    ]);
  });

  it('dispatchWorkflow records the workflow, ref and inputs', async () => {
    repo.branches.main = 'e'.repeat(40);
    await forge.dispatchWorkflow('retrain.yml', 'main', { model: 'churn' });
    expect(repo.dispatches).toEqual([{ workflow: 'retrain.yml', ref: 'main', inputs: { model: 'churn' } }]);
  });
});

describe('failures', () => {
  it('retries 502s, secondary rate limits and 429s, then completes', async () => {
    const log = memoryLogger();
    const f = new OctokitForge({
      token: TOKEN,
      repository: 'octo-org/models',
      apiUrl: gh.url,
      timeUnitMs: 1,
      logger: log,
    });
    const issue = gh.state.addIssue(repo, { title: 't' });
    gh.failNext(2, 502);
    gh.failNext(1, 'secondary-rate-limit');
    gh.failNext(1, 429);
    const r = await f.addComment(issue.number, 'hello');
    expect(r.body).toBe('hello');
    expect(repo.comments).toHaveLength(1);
    expect(gh.requests.map((q) => q.status)).toEqual([502, 502, 403, 429, 201]);
    expect(log.lines.join('\n')).toMatch(/secondary rate limit/);
  });

  it('a persistent 500 fails with a clear message after the retries', async () => {
    gh.failNext(10, 500);
    const err = await forge.addComment(1, 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForgeError);
    expect((err as ForgeError).message).toMatch(/^could not comment on #1: GitHub answered 500/);
    expect(gh.requests).toHaveLength(4);
  });

  it('a 403 names the permission to grant and never prints the token', async () => {
    gh.state.permissions[TOKEN] = { issues: 'read', pull_requests: 'read' };
    const issue = gh.state.addIssue(repo, { title: 't' });
    const err = (await forge
      .upsertComment(issue.number, marker('evaluate', 'm'), 'x')
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('the token needs `issues: write`.');
    const check = (await forge
      .upsertCheckRun({ name: 'n', headSha: 'f'.repeat(40), status: 'queued', title: 't', summary: 's' })
      .catch((e: unknown) => e)) as Error;
    expect(check.message).toContain('the token needs `checks: write`');
    expect(check.message).not.toContain('checks: read');
    for (const e of [err, check]) expect(`${e.message}\n${e.stack}`).not.toContain(TOKEN);
    expect(gh.requests.every((q) => q.authorization === `token ${TOKEN}`)).toBe(true);
  });

  it('upsertComment on a pull request names pull-requests: write and says issues: write works too', async () => {
    gh.state.permissions[TOKEN] = { issues: 'read', pull_requests: 'read' };
    const pr = gh.state.addPullRequest(repo, { head: 'h', headSha: 'a'.repeat(40) });
    const err = (await forge
      .upsertComment(pr.number, marker('evaluate', 'm'), 'x')
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(
      'the token needs `pull-requests: write` (or `issues: write`: GitHub accepts either here).',
    );
    gh.state.permissions[TOKEN] = { pull_requests: 'write' };
    expect((await forge.upsertComment(pr.number, marker('evaluate', 'm'), 'x')).action).toBe('created');
    gh.state.permissions[TOKEN] = { issues: 'write' };
    expect((await forge.upsertComment(pr.number, marker('evaluate', 'm'), 'y')).action).toBe('updated');
  });

  it('a refused issue, dispatch or merge names issues: write, actions: write or contents: write', async () => {
    gh.state.permissions[TOKEN] = {
      issues: 'read',
      pull_requests: 'write',
      actions: 'read',
      contents: 'read',
    };
    repo.branches.main = 'e'.repeat(40);
    const pr = gh.state.addPullRequest(repo, { head: 'h', headSha: 'a'.repeat(40) });
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => '',
        (e: Error) => e.message,
      );
    expect(
      await failure(forge.upsertIssue({ marker: marker('drift', 'm'), title: 't', body: 'b', labels: [] })),
    ).toContain('the token needs `issues: write`.');
    expect(await failure(forge.dispatchWorkflow('retrain.yml', 'main', {}))).toContain(
      'the token needs `actions: write`.',
    );
    expect(await failure(forge.mergePullRequest(pr.number, { sha: 'a'.repeat(40) }))).toContain(
      'the token needs `contents: write`.',
    );
  });
});
