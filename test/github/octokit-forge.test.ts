import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { marker } from '../../github/forge.ts';
import { OctokitForge } from '../../github/octokit-forge.ts';
import { type GitHubServer, startGitHubServer } from '../support/github-server.ts';

let gh: GitHubServer;
let forge: OctokitForge;
beforeEach(async () => {
  gh = await startGitHubServer();
  gh.state.addRepo('octo-org/models');
  forge = new OctokitForge({
    token: 'ghs_secret',
    repository: 'octo-org/models',
    apiUrl: gh.url,
    timeUnitMs: 1,
  });
});
afterEach(async () => {
  expect(gh.violations()).toEqual([]);
  await gh.stop();
});

describe('upsertComment', () => {
  it('upsertComment leaves one comment, updated, after three runs', async () => {
    const repo = gh.state.repo('octo-org/models');
    const pr = gh.state.addPullRequest(repo, { head: 'mlops/churn-v7', headSha: 'a'.repeat(40) });
    const m = marker('evaluate', 'churn');
    const r1 = await forge.upsertComment(pr.number, m, 'first');
    const r2 = await forge.upsertComment(pr.number, m, 'second');
    const r3 = await forge.upsertComment(pr.number, m, 'second');
    expect([r1.action, r2.action, r3.action]).toEqual(['created', 'updated', 'unchanged']);
    expect(repo.comments).toHaveLength(1);
    expect(repo.comments[0].body).toBe(`${m}\nsecond`);
  });
});
