/** Issues, issue/PR comments and labels. */
import { invalid, type Json, notFound, type Route, type RouteContext } from './route.ts';
import type { IssueState, RepoState } from './state.ts';

const R = '/repos/{owner}/{repo}';

function issueOf(ctx: RouteContext): IssueState {
  const i = ctx.repo.issues.find((x) => x.number === Number(ctx.params.issue_number));
  return i ?? notFound();
}

function ensureLabels(ctx: RouteContext, names: Json[]): string[] {
  const out: string[] = [];
  for (const n of names) {
    const name = typeof n === 'string' ? n : n.name;
    if (!ctx.repo.labels.some((l) => l.name === name)) {
      ctx.repo.labels.push({ id: ctx.state.nextId(), name, color: 'ededed', description: null });
    }
    out.push(name);
  }
  return out;
}

function touch(ctx: RouteContext, i: IssueState) {
  i.updatedAt = ctx.state.now();
}

function listIssues(ctx: RouteContext): IssueState[] {
  const state = ctx.query.get('state') ?? 'open';
  const labels = ctx.query.get('labels')?.split(',').filter(Boolean) ?? [];
  const items = ctx.repo.issues.filter(
    (i) => (state === 'all' || i.state === state) && labels.every((l) => i.labels.includes(l)),
  );
  const key = ctx.query.get('sort') === 'updated' ? 'updatedAt' : 'createdAt';
  const asc = ctx.query.get('direction') === 'asc';
  return [...items].sort(
    (a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : a.number - b.number) * (asc ? 1 : -1),
  );
}

const label = (repo: RepoState, name: string) => repo.labels.find((l) => l.name === name);

/** The routes of this module. */
export const issueRoutes: Route[] = [
  {
    method: 'GET',
    template: `${R}/issues/{issue_number}/comments`,
    permission: ['issues', 'read'],
    orPullRequests: true,
    handle: (ctx) => {
      issueOf(ctx);
      const items = ctx.repo.comments.filter((c) => c.issueNumber === Number(ctx.params.issue_number));
      const page = ctx.page(items);
      return { ...page, body: page.body.map((c: Json) => ctx.payloads.comment(ctx.repo, c)) };
    },
  },
  {
    method: 'POST',
    template: `${R}/issues/{issue_number}/comments`,
    permission: ['issues', 'write'],
    orPullRequests: true,
    handle: (ctx) => {
      const i = issueOf(ctx);
      if (ctx.body.body.length > 65536)
        invalid('IssueComment', 'body', 'custom', 'body is too long (maximum is 65536 characters)');
      const c = ctx.state.addComment(ctx.repo, i.number, ctx.body.body, ctx.user);
      touch(ctx, i);
      return { status: 201, body: ctx.payloads.comment(ctx.repo, c) };
    },
  },
  {
    method: 'PATCH',
    template: `${R}/issues/comments/{comment_id}`,
    permission: ['issues', 'write'],
    orPullRequests: true,
    handle: (ctx) => {
      const c = ctx.repo.comments.find((x) => x.id === Number(ctx.params.comment_id)) ?? notFound();
      if (ctx.body.body.length > 65536)
        invalid('IssueComment', 'body', 'custom', 'body is too long (maximum is 65536 characters)');
      c.body = ctx.body.body;
      c.updatedAt = ctx.state.now();
      return { status: 200, body: ctx.payloads.comment(ctx.repo, c) };
    },
  },
  {
    method: 'GET',
    template: `${R}/issues`,
    permission: ['issues', 'read'],
    handle: (ctx) => {
      const page = ctx.page(listIssues(ctx));
      return { ...page, body: page.body.map((i: IssueState) => ctx.payloads.issue(ctx.repo, i)) };
    },
  },
  {
    method: 'GET',
    template: `${R}/issues/{issue_number}`,
    permission: ['issues', 'read'],
    orPullRequests: true,
    handle: (ctx) => ({ status: 200, body: ctx.payloads.issue(ctx.repo, issueOf(ctx)) }),
  },
  {
    method: 'POST',
    template: `${R}/issues`,
    permission: ['issues', 'write'],
    handle: (ctx) => {
      const title = String(ctx.body.title);
      if (title.trim() === '') invalid('Issue', 'title', 'missing_field');
      if ((ctx.body.body ?? '').length > 65536)
        invalid('Issue', 'body', 'custom', 'body is too long (maximum is 65536 characters)');
      const i = ctx.state.addIssue(ctx.repo, {
        title,
        body: ctx.body.body ?? null,
        labels: ensureLabels(ctx, ctx.body.labels ?? []),
        author: ctx.user,
      });
      return { status: 201, body: ctx.payloads.issue(ctx.repo, i) };
    },
  },
  {
    method: 'PATCH',
    template: `${R}/issues/{issue_number}`,
    permission: ['issues', 'write'],
    handle: (ctx) => {
      const i = issueOf(ctx);
      const b = ctx.body;
      if (b.title !== undefined && b.title !== null) i.title = String(b.title);
      if (b.body !== undefined) i.body = b.body;
      if (b.labels !== undefined) i.labels = ensureLabels(ctx, b.labels);
      if (b.state !== undefined && b.state !== i.state) {
        i.state = b.state;
        i.closedAt = b.state === 'closed' ? ctx.state.now() : null;
        i.stateReason = b.state === 'closed' ? (b.state_reason ?? 'completed') : 'reopened';
      }
      touch(ctx, i);
      return { status: 200, body: ctx.payloads.issue(ctx.repo, i) };
    },
  },
  {
    method: 'GET',
    template: `${R}/labels/{name}`,
    permission: ['issues', 'read'],
    handle: (ctx) => ({
      status: 200,
      body: ctx.payloads.label(ctx.repo, label(ctx.repo, ctx.params.name) ?? notFound()),
    }),
  },
  {
    method: 'POST',
    template: `${R}/labels`,
    permission: ['issues', 'write'],
    handle: (ctx) => {
      if (label(ctx.repo, ctx.body.name)) invalid('Label', 'name', 'already_exists');
      const l = {
        id: ctx.state.nextId(),
        name: ctx.body.name,
        color: ctx.body.color ?? 'ededed',
        description: ctx.body.description ?? null,
      };
      ctx.repo.labels.push(l);
      return { status: 201, body: ctx.payloads.label(ctx.repo, l) };
    },
  },
  {
    method: 'POST',
    template: `${R}/issues/{issue_number}/labels`,
    permission: ['issues', 'write'],
    orPullRequests: true,
    handle: (ctx) => {
      const i = issueOf(ctx);
      const names: Json[] = Array.isArray(ctx.body) ? ctx.body : (ctx.body.labels ?? []);
      i.labels = [...new Set([...i.labels, ...ensureLabels(ctx, names)])];
      touch(ctx, i);
      return {
        status: 200,
        body: i.labels.map((n) => ctx.payloads.label(ctx.repo, label(ctx.repo, n) ?? notFound())),
      };
    },
  },
];
