import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GitHubServer, startGitHubServer } from '../support/github-server.ts';

let gh: GitHubServer;
beforeEach(async () => {
  gh = await startGitHubServer();
  gh.state.addRepo('octo-org/models');
  gh.state.addIssue(gh.state.repo('octo-org/models'), { title: 'one' });
});
afterEach(() => gh.stop());

const call = (method: string, path: string, body?: unknown) =>
  fetch(`${gh.url}${path}`, {
    method,
    headers: { authorization: 'token t', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('startGitHubServer', () => {
  it('startGitHubServer refuses a body with a wrong field type and records the violation', async () => {
    const res = await call('POST', '/repos/octo-org/models/issues/1/comments', { body: 42 });
    expect(res.status).toBe(422);
    expect(gh.violations()).toEqual(['issues/create-comment request: body: body/body must be string']);
    expect(gh.state.repo('octo-org/models').comments).toEqual([]);
    gh.expectViolations(1);
  });

  it('startGitHubServer refuses a missing required field', async () => {
    const res = await call('POST', '/repos/octo-org/models/issues', { body: 'no title' });
    expect(res.status).toBe(422);
    expect(gh.violations()[0]).toMatch(
      /issues\/create request: body: body must have required property 'title'/,
    );
    gh.expectViolations(/required property 'title'/);
  });

  it('startGitHubServer refuses a wrong path parameter type, an unknown query parameter and a bad enum', async () => {
    await call('GET', '/repos/octo-org/models/issues/abc');
    await call('GET', '/repos/octo-org/models/issues?colour=red');
    await call('POST', '/repos/octo-org/models/statuses/abc', { state: 'green' });
    expect(gh.violations()).toEqual([
      expect.stringMatching(/issue_number.*must be integer/),
      "issues/list-for-repo request: unknown query parameter 'colour'",
      expect.stringMatching(/body\/state must be equal to one of the allowed values/),
    ]);
    gh.expectViolations(3);
  });

  it('startGitHubServer answers an endpoint it does not implement with 501, distinct from a real 404', async () => {
    const res = await call('DELETE', '/repos/octo-org/models');
    expect(res.status).toBe(501);
    expect(gh.violations()).toEqual(['not implemented: DELETE /repos/octo-org/models']);
    expect((await call('GET', '/repos/octo-org/models/issues/99')).status).toBe(404);
    expect((await call('GET', '/repos/octo-org/other/issues/1')).status).toBe(404);
    gh.expectViolations(1);
  });

  it('stop throws listing a violation the test did not accept', async () => {
    const other = await startGitHubServer();
    other.state.addRepo('octo-org/models');
    await fetch(`${other.url}/repos/octo-org/models/issues`, {
      method: 'POST',
      headers: { authorization: 'token t' },
      body: JSON.stringify({ body: 'no title' }),
    });
    await expect(other.stop()).rejects.toThrow(/1 unexpected violation\(s\):\n {2}- issues\/create request/);
  });

  it('expectViolations throws when the count or the pattern does not match, and accepts only what it saw', async () => {
    await call('POST', '/repos/octo-org/models/issues', { body: 'no title' });
    expect(() => gh.expectViolations(2)).toThrow(/expected 2 violation\(s\), saw 1/);
    expect(() => gh.expectViolations(/colour/)).toThrow(/not matching \/colour\//);
    gh.expectViolations(/title/);
    expect(() => gh.expectViolations(/title/)).toThrow(/saw none/);
    gh.expectViolations(0);
  });

  it('startGitHubServer paginates with Link headers like GitHub', async () => {
    const repo = gh.state.repo('octo-org/models');
    for (let k = 0; k < 69; k++) gh.state.addComment(repo, 1, `c${k}`);
    const first = await call('GET', '/repos/octo-org/models/issues/1/comments');
    expect(((await first.json()) as unknown[]).length).toBe(30);
    const link = first.headers.get('link') ?? '';
    expect(link).toContain(
      `<${gh.url}/repos/octo-org/models/issues/1/comments?per_page=30&page=2>; rel="next"`,
    );
    expect(link).toContain('page=3>; rel="last"');
    const last = await call('GET', '/repos/octo-org/models/issues/1/comments?page=3');
    expect(((await last.json()) as unknown[]).length).toBe(9);
    expect(last.headers.get('link')).toContain('rel="prev"');
    expect(gh.violations()).toEqual([]);
  });

  it('failNext answers the next requests with the fault, then serves normally', async () => {
    gh.failNext(1, 'secondary-rate-limit');
    gh.failNext(1, 429);
    const a = await call('GET', '/repos/octo-org/models/issues/1');
    const b = await call('GET', '/repos/octo-org/models/issues/1');
    const c = await call('GET', '/repos/octo-org/models/issues/1');
    expect([a.status, b.status, c.status]).toEqual([403, 429, 200]);
    expect(((await a.json()) as { message: string }).message).toMatch(/secondary rate limit/);
    expect(b.headers.get('retry-after')).toBe('1');
  });

  it('startGitHubServer answers 403 when the token lacks the permission', async () => {
    gh.state.permissions.t = { issues: 'read' };
    expect((await call('GET', '/repos/octo-org/models/issues/1')).status).toBe(200);
    expect((await call('POST', '/repos/octo-org/models/issues/1/comments', { body: 'x' })).status).toBe(403);
    expect(gh.state.repo('octo-org/models').comments).toEqual([]);
  });
});
