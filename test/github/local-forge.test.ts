import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { marker } from '../../github/forge.ts';
import { LocalForge } from '../../github/local-forge.ts';
import { git, gitFixture } from './fixtures.ts';

const clock = () => new Date('2026-02-01T00:00:00Z');

describe('LocalForge', () => {
  it('upsertComment writes one Markdown file under .mlops/outbox and updates it', async () => {
    const fx = gitFixture({ main: { a: '1' }, feature: { b: '2' } });
    const forge = new LocalForge({ root: fx.work, clock });
    const m = marker('evaluate', 'churn');
    const a = await forge.upsertComment(7, m, 'first');
    const b = await forge.upsertComment(7, m, 'second');
    const c = await new LocalForge({ root: fx.work }).upsertComment(7, m, 'second');
    expect([a.action, b.action, c.action]).toEqual(['created', 'updated', 'unchanged']);
    expect(b.item.url).toBe(join(fx.work, '.mlops/outbox/comments/7-1.md'));
    expect(readFileSync(b.item.url, 'utf8')).toBe(`${m}\nsecond`);
  });

  it('upsertIssue, findIssue and closeIssue keep one issue per marker', async () => {
    const fx = gitFixture({ main: { a: '1' }, feature: { b: '2' } });
    const forge = new LocalForge({ root: fx.work });
    const m = marker('drift', 'churn');
    const a = await forge.upsertIssue({ marker: m, title: 'Drift', body: 'x', labels: ['drift'] });
    const b = await forge.upsertIssue({ marker: m, title: 'Drift', body: 'y', labels: ['mlops'] });
    expect([a.action, b.action]).toEqual(['created', 'updated']);
    expect(b.item).toMatchObject({ number: a.item.number, labels: ['mlops:drift', 'drift', 'mlops'] });
    expect(readFileSync(b.item.url, 'utf8')).toContain('y');
    await forge.closeIssue(a.item.number, 'cleared');
    expect(await forge.findIssue(m)).toBeUndefined();
    expect(await forge.findIssue(m, { includeClosed: true })).toMatchObject({ state: 'closed' });
  });

  it('upsertCheckRun and setStatus write JSON and Markdown', async () => {
    const fx = gitFixture({ main: { a: '1' }, feature: { b: '2' } });
    const forge = new LocalForge({ root: fx.work, clock });
    const run = await forge.upsertCheckRun({
      name: 'mlops/evaluate',
      headSha: fx.featureSha,
      status: 'completed',
      conclusion: 'failure',
      title: 'Gate failed',
      summary: 's',
    });
    expect(await forge.getCheckRun(fx.featureSha, 'mlops/evaluate')).toEqual(run);
    expect(run.url).toBe(join(forge.outbox, `checks/${fx.featureSha.slice(0, 12)}-mlops_evaluate.md`));
    await forge.setStatus({
      sha: fx.featureSha,
      context: 'mlops/promote',
      state: 'success',
      description: 'ok',
    });
    const statuses = JSON.parse(readFileSync(join(forge.outbox, 'statuses.json'), 'utf8'));
    expect(statuses).toEqual([
      expect.objectContaining({ context: 'mlops/promote', at: '2026-02-01T00:00:00.000Z' }),
    ]);
    expect(existsSync(join(forge.outbox, `checks/${fx.featureSha.slice(0, 12)}-mlops_evaluate.md`))).toBe(
      true,
    );
  });

  it('pull requests are local branches: files, approvals at a SHA, and a real merge commit', async () => {
    const fx = gitFixture({ main: { 'README.md': 'x' }, feature: { 'models/churn/v1.yaml': 'v: 1' } });
    const forge = new LocalForge({
      root: fx.work,
      approvals: [{ reviewer: 'alice', sha: fx.featureSha }],
      teams: { 'o/ml': ['Alice'] },
    });
    const pr = await forge.openPullRequest({
      head: 'feature',
      base: 'main',
      title: 'Promote',
      body: 'b',
      labels: ['mlops'],
    });
    expect(pr).toMatchObject({ headSha: fx.featureSha, state: 'open', author: 'local', labels: ['mlops'] });
    expect(
      (await forge.openPullRequest({ head: 'feature', base: 'main', title: 'Promote', body: 'c' })).number,
    ).toBe(pr.number);
    expect(await forge.listPullRequestFiles(pr.number)).toEqual(['models/churn/v1.yaml']);
    expect(await forge.latestReviews(pr.number)).toEqual([
      expect.objectContaining({ reviewer: 'alice', state: 'APPROVED', commitSha: fx.featureSha }),
    ]);
    expect(await forge.isTeamMember('o', 'ml', 'alice')).toBe(true);
    await expect(forge.mergePullRequest(pr.number, { sha: fx.mainSha })).rejects.toThrow(/moved/);
    const sha = await forge.mergePullRequest(pr.number, { sha: fx.featureSha });
    expect(git(fx.work, 'rev-parse', 'main')).toBe(sha);
    expect(git(fx.work, 'rev-list', '--parents', '-n1', sha).split(' ').slice(1)).toEqual([
      fx.mainSha,
      fx.featureSha,
    ]);
    expect(readFileSync(join(fx.work, 'models/churn/v1.yaml'), 'utf8')).toBe('v: 1');
    expect(await forge.getPullRequest(pr.number)).toMatchObject({ merged: true, state: 'closed' });
    expect(await forge.readFile('models/churn/v1.yaml', 'main')).toBe('v: 1');
    expect(await forge.readFile('nope', 'main')).toBeUndefined();
  });

  it('LocalForge keeps its defaults for options passed as undefined', async () => {
    const fx = gitFixture({ main: { a: '1' }, feature: { b: '2' } });
    const forge = new LocalForge({
      root: fx.work,
      author: undefined,
      approvals: undefined,
      teams: undefined,
      logger: undefined,
      clock: undefined,
    });
    const pr = await forge.openPullRequest({ head: 'feature', base: 'main', title: 't', body: '' });
    expect(pr.author).toBe('local');
    expect(await forge.latestReviews(pr.number)).toEqual([]);
    expect(await forge.isTeamMember('o', 'ml', 'alice')).toBe(false);
    await forge.dispatchWorkflow('retrain.yml', 'main', {});
    const [d] = JSON.parse(readFileSync(join(forge.outbox, 'dispatches.json'), 'utf8'));
    expect(Date.parse(d.at)).not.toBeNaN();
    const named = new LocalForge({ root: fx.work, author: 'carol' });
    const second = await named.openPullRequest({ head: 'main', base: 'main', title: 't', body: '' });
    expect(second.author).toBe('carol');
  });

  it('openPullRequest refuses a branch that does not exist', async () => {
    const fx = gitFixture({ main: { a: '1' }, feature: { b: '2' } });
    await expect(
      new LocalForge({ root: fx.work }).openPullRequest({ head: 'nope', base: 'main', title: 't', body: '' }),
    ).rejects.toThrow("branch 'nope' does not exist");
  });
});
