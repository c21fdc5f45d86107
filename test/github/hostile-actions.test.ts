import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Marked } from 'marked';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import { openRegistry } from '../../registry/index.ts';
import { runAction } from '../support/action-harness.ts';
import { createRemote, git, type TestRemote } from '../support/git.ts';
import { type GitHubServer, type RepoState, startGitHubServer } from '../support/github-server.ts';

// Hostile user text through the bundled actions, run as the runner runs them: metric names, a version
// description, a reviewer login and a git actor carrying HTML, Markdown links, table pipes and @mentions must
// reach the PR body, comments, check runs and job summaries escaped.
// Metric names are limited to letters, digits and `_ . : / -` (the registry refuses others), which still spell
// emphasis and autolinks.
const HOSTILE_METRICS = ['__bold__', 'https://evil.example/beacon', 'www.evil.example'];
const HOSTILE_NOTE = '<script>alert(1)</script> @octo-org/admins ![b](https://evil.example/p.png)';
const HOSTILE_ACTOR = '<b>actor</b>@mallory';
const marked = new Marked({ gfm: true, async: false });

/** Tags marked renders that user text could have produced (structure of our own Markdown is allowed). */
function liveUserHtml(md: string): string[] {
  const html = marked.parse(md) as string;
  const bad: string[] = [];
  for (const m of html.matchAll(/<(script|img|b|iframe)\b[^>]*>/gi)) bad.push(m[0]);
  if (/<strong>bold<\/strong>/.test(html)) bad.push('emphasis from a metric name');
  for (const m of html.matchAll(/<a\b[^>]*href="([^"]*)"/gi))
    if (/javascript:|evil/i.test(m[1])) bad.push(m[0]);
  if (/@(octo-org|mallory|octocat)\b/.test(html.replace(/<[^>]*>/g, ''))) bad.push('@mention');
  return bad;
}

let gh: GitHubServer;
let repo: RepoState;
let remote: TestRemote;

beforeAll(async () => {
  gh = await startGitHubServer();
  remote = await createRemote();
  const reg = await openRegistry({ dir: remote.clone, log: silentLogger });
  await reg.init({
    model: 'churn',
    spec: {
      name: 'churn',
      task: 'binary',
      primary_metric: { name: 'roc_auc', direction: 'maximize' },
      owners: ['alice'],
      artifact_store: await mkdtemp(join(remote.root, 'store-')),
    },
  });
  await git(remote.clone, 'push', '-q', 'origin', 'main');
  repo = gh.state.addRepo('octo-org/models', { gitDir: remote.remote });
}, 60_000);
afterAll(async () => {
  await gh.stop();
  await remote.cleanup();
});

describe('hostile names through the bundled actions', () => {
  it('track escapes metric names and the author in the promotion PR body', async () => {
    await writeFile(join(remote.clone, 'model.bin'), 'not really a model');
    await git(remote.clone, 'config', 'user.name', HOSTILE_ACTOR); // recorded as created_by
    await writeFile(
      join(remote.clone, 'metrics.json'),
      JSON.stringify({ roc_auc: 0.9, ...Object.fromEntries(HOSTILE_METRICS.map((m) => [m, 0.5])) }),
    );
    const r = await runAction({
      action: 'track',
      cwd: remote.clone,
      apiUrl: gh.url,
      inputs: { model: 'churn', artifacts: 'model.bin', metrics: 'metrics.json', description: HOSTILE_NOTE },
      timeoutMs: 120_000,
    });
    expect(r.errors).toEqual([]);
    expect(r.code, r.stderr).toBe(0);
    const pr = repo.issues.find((i) => i.number === Number(r.outputs['pr-number']));
    const body = pr?.body ?? '';
    expect(body).toContain('as &lt;b&gt;actor&lt;/b&gt;@&#8203;mallory');
    expect(body).toContain('\\_\\_bold\\_\\_');
    expect(liveUserHtml(body)).toEqual([]);
    expect(liveUserHtml(r.summary)).toEqual([]);
    // The metrics table renders one row per metric with its name as plain text.
    const html = marked.parse(body) as string;
    for (const m of HOSTILE_METRICS) expect(html).toMatch(new RegExp(`<td>${m.replace(/[.]/g, '\\.')}</td>`));
  }, 180_000);

  it('promote escapes a non-owner reviewer login in its check run and summary (on the PR track opened)', async () => {
    const pr = repo.pulls.at(-1);
    if (!pr) throw new Error('the track test opened no PR');
    const login = '<img src=x onerror=alert(1)>[x](javascript:alert(1))@mallory';
    gh.state.addReview(repo, pr.number, login, 'APPROVED');
    const cwd = await remote.cloneOf();
    const r = await runAction({
      action: 'promote',
      cwd,
      apiUrl: gh.url,
      event: {
        name: 'pull_request_review',
        payload: {
          action: 'submitted',
          pull_request: { number: pr.number },
          review: { state: 'approved' },
        },
      },
      timeoutMs: 120_000,
    });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.outputs.passed).toBe('false');
    const escapedLogin =
      '&lt;img src\\=x onerror\\=alert\\(1\\)&gt;\\[x\\]\\(javascript\\:alert\\(1\\)\\)@&#8203;mallory';
    const checks = repo.checkRuns.filter((c) => c.name.startsWith('mlops/promotion-gate'));
    const comments = repo.comments.filter((c) => c.issueNumber === pr.number);
    const texts = [
      r.summary,
      ...checks.map((c) => `${c.summary}\n${c.text ?? ''}`),
      ...comments.map((c) => c.body),
    ];
    expect(texts.filter((t) => t.includes('is not an owner')).length).toBeGreaterThan(0);
    for (const t of texts) {
      expect(liveUserHtml(t)).toEqual([]);
      if (t.includes('is not an owner')) expect(t).toContain(escapedLogin);
    }
  }, 180_000);
});
