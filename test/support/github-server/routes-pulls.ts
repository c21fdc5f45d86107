/** Pull requests, reviews, check runs, statuses, contents, team membership and workflow dispatch. */
import { HttpError, invalid, type Json, notFound, type Route, type RouteContext } from './route.ts';
import { parse as parseYaml } from 'yaml';
import { branchSha, changedFiles, headSha, mergeInGit, type PullState, readFileAt } from './state.ts';

const R = '/repos/{owner}/{repo}';

function pullOf(ctx: RouteContext): PullState {
  return ctx.repo.pulls.find((p) => p.number === Number(ctx.params.pull_number)) ?? notFound();
}

function issueSide(ctx: RouteContext, p: PullState) {
  return ctx.repo.issues.find((i) => i.number === p.number) ?? notFound();
}

function branchExists(ctx: RouteContext, branch: string): boolean {
  return ctx.repo.gitDir
    ? branchSha(ctx.repo, branch) !== undefined
    : branch in ctx.repo.branches || branch === ctx.repo.defaultBranch;
}

const checkRunFields = (ctx: RouteContext, c: Json) => {
  const b = ctx.body;
  if (b.name !== undefined) c.name = b.name;
  if (b.details_url !== undefined) c.detailsUrl = b.details_url;
  if (b.external_id !== undefined) c.externalId = b.external_id;
  if (b.conclusion !== undefined) c.status = 'completed';
  if (b.status !== undefined) c.status = b.status;
  if (b.conclusion !== undefined) c.conclusion = b.conclusion;
  if (c.status === 'completed' && !c.conclusion) invalid('CheckRun', 'conclusion', 'missing_field');
  if (c.status === 'completed') c.completedAt ??= ctx.state.now();
  if (b.output) {
    const o = b.output;
    if ((o.annotations ?? []).length > 50)
      invalid('CheckRun', 'annotations', 'custom', 'at most 50 annotations per request');
    c.title = o.title ?? c.title;
    c.summary = o.summary ?? c.summary;
    if (o.text !== undefined) c.text = o.text;
    c.annotations.push(...(o.annotations ?? []));
  }
};

/** The routes of this module. */
export const pullRoutes: Route[] = [
  {
    method: 'GET',
    template: `${R}/pulls`,
    permission: ['pull_requests', 'read'],
    handle: (ctx) => {
      const state = ctx.query.get('state') ?? 'open';
      const head = ctx.query.get('head');
      const items = ctx.repo.pulls.filter((p) => {
        const i = issueSide(ctx, p);
        return (
          (state === 'all' || i.state === state) &&
          (!head || `${p.headRepo.split('/')[0]}:${p.head}` === head)
        );
      });
      const page = ctx.page(items);
      return { ...page, body: page.body.map((p: PullState) => ctx.payloads.pull(ctx.repo, p, true)) };
    },
  },
  {
    method: 'POST',
    template: `${R}/pulls`,
    permission: ['pull_requests', 'write'],
    handle: (ctx) => {
      const b = ctx.body;
      const head = String(b.head).includes(':') ? String(b.head).split(':')[1] : String(b.head);
      if (!branchExists(ctx, head)) invalid('PullRequest', 'head', 'invalid');
      if (!branchExists(ctx, b.base)) invalid('PullRequest', 'base', 'invalid');
      const open = ctx.repo.pulls.find((p) => p.head === head && issueSide(ctx, p).state === 'open');
      if (open)
        invalid(
          'PullRequest',
          'head',
          'custom',
          `A pull request already exists for ${ctx.repo.owner}:${head}.`,
        );
      const p = ctx.state.addPullRequest(ctx.repo, {
        head,
        base: b.base,
        title: b.title,
        body: b.body,
        author: ctx.user,
        draft: b.draft,
      });
      return {
        status: 201,
        body: ctx.payloads.pull(ctx.repo, pullOf({ ...ctx, params: { pull_number: String(p.number) } })),
      };
    },
  },
  {
    method: 'GET',
    template: `${R}/pulls/{pull_number}`,
    permission: ['pull_requests', 'read'],
    handle: (ctx) => ({ status: 200, body: ctx.payloads.pull(ctx.repo, pullOf(ctx)) }),
  },
  {
    method: 'PATCH',
    template: `${R}/pulls/{pull_number}`,
    permission: ['pull_requests', 'write'],
    handle: (ctx) => {
      const p = pullOf(ctx);
      const i = issueSide(ctx, p);
      if (ctx.body.title !== undefined) i.title = ctx.body.title;
      if (ctx.body.body !== undefined) i.body = ctx.body.body;
      if (ctx.body.state !== undefined) i.state = ctx.body.state;
      i.updatedAt = ctx.state.now();
      return { status: 200, body: ctx.payloads.pull(ctx.repo, p) };
    },
  },
  {
    method: 'GET',
    template: `${R}/pulls/{pull_number}/files`,
    permission: ['pull_requests', 'read'],
    handle: (ctx) => {
      const p = pullOf(ctx);
      const page = ctx.page(changedFiles(ctx.repo, p));
      const sha = headSha(ctx.repo, p);
      const web = `https://github.com/${ctx.repo.owner}/${ctx.repo.name}`;
      return {
        ...page,
        body: page.body.map((f: Json) => ({
          sha: ctx.state.fakeSha(`${sha}:${f.filename}`),
          filename: f.filename,
          status: f.status,
          additions: 1,
          deletions: 0,
          changes: 1,
          blob_url: `${web}/blob/${sha}/${f.filename}`,
          raw_url: `${web}/raw/${sha}/${f.filename}`,
          contents_url: `${web}/contents/${f.filename}?ref=${sha}`,
        })),
      };
    },
  },
  {
    method: 'PUT',
    template: `${R}/pulls/{pull_number}/merge`,
    permission: ['contents', 'write'],
    handle: (ctx) => {
      const p = pullOf(ctx);
      const i = issueSide(ctx, p);
      if (p.merged || i.state !== 'open') throw new HttpError(405, 'Pull Request is not mergeable');
      const head = headSha(ctx.repo, p);
      if (ctx.body?.sha !== undefined && ctx.body.sha !== head) {
        throw new HttpError(409, 'Head branch was modified. Review and try the merge again.');
      }
      const method = ctx.body?.merge_method ?? 'merge';
      const sha = mergeInGit(
        ctx.repo,
        p,
        method,
        ctx.body?.commit_title ?? `Merge pull request #${p.number} from ${p.head}`,
      );
      if (!sha) throw new HttpError(405, 'Pull Request is not mergeable');
      Object.assign(p, { merged: true, mergeCommitSha: sha, mergedAt: ctx.state.now(), headSha: head });
      Object.assign(i, { state: 'closed', closedAt: p.mergedAt, updatedAt: p.mergedAt });
      return { status: 200, body: { sha, merged: true, message: 'Pull Request successfully merged' } };
    },
  },
  {
    method: 'GET',
    template: `${R}/pulls/{pull_number}/reviews`,
    permission: ['pull_requests', 'read'],
    handle: (ctx) => {
      const p = pullOf(ctx);
      const page = ctx.page(
        ctx.repo.reviews.filter((r) => r.pullNumber === p.number && r.state !== 'PENDING'),
      );
      return { ...page, body: page.body.map((r: Json) => ctx.payloads.review(ctx.repo, r)) };
    },
  },
  {
    method: 'POST',
    template: `${R}/check-runs`,
    permission: ['checks', 'write'],
    handle: (ctx) => {
      const c = {
        id: ctx.state.nextId(),
        name: ctx.body.name,
        headSha: ctx.body.head_sha,
        status: 'queued',
        conclusion: null,
        externalId: null,
        detailsUrl: null,
        title: null,
        summary: null,
        text: null,
        annotations: [],
        startedAt: ctx.state.now(),
        completedAt: null,
      };
      checkRunFields(ctx, c);
      ctx.repo.checkRuns.push(c);
      return { status: 201, body: ctx.payloads.checkRun(ctx.repo, c) };
    },
  },
  {
    method: 'PATCH',
    template: `${R}/check-runs/{check_run_id}`,
    permission: ['checks', 'write'],
    handle: (ctx) => {
      const c = ctx.repo.checkRuns.find((x) => x.id === Number(ctx.params.check_run_id)) ?? notFound();
      checkRunFields(ctx, c);
      return { status: 200, body: ctx.payloads.checkRun(ctx.repo, c) };
    },
  },
  {
    method: 'GET',
    template: `${R}/commits/{ref}/check-runs`,
    permission: ['checks', 'read'],
    handle: (ctx) => {
      const sha = branchSha(ctx.repo, ctx.params.ref) ?? ctx.params.ref;
      const name = ctx.query.get('check_name');
      let runs = ctx.repo.checkRuns.filter((c) => c.headSha === sha && (!name || c.name === name)).reverse();
      if (ctx.query.get('filter') !== 'all')
        runs = runs.filter((c, k) => runs.findIndex((x) => x.name === c.name && x.app === c.app) === k);
      const page = ctx.page(runs);
      return {
        ...page,
        body: {
          total_count: runs.length,
          check_runs: page.body.map((c: Json) => ctx.payloads.checkRun(ctx.repo, c)),
        },
      };
    },
  },
  {
    method: 'POST',
    template: `${R}/statuses/{sha}`,
    permission: ['statuses', 'write'],
    handle: (ctx) => {
      const b = ctx.body;
      if ((b.description ?? '').length > 140)
        invalid('Status', 'description', 'custom', 'description is too long (maximum is 140 characters)');
      const s = {
        id: ctx.state.nextId(),
        sha: ctx.params.sha,
        state: b.state,
        context: b.context ?? 'default',
        description: b.description ?? null,
        targetUrl: b.target_url ?? null,
        createdAt: ctx.state.now(),
      };
      ctx.repo.statuses.push(s);
      return { status: 201, body: ctx.payloads.status(ctx.repo, s) };
    },
  },
  {
    method: 'GET',
    template: `${R}/contents/{path}`,
    permission: ['contents', 'read'],
    handle: (ctx) => {
      const ref = ctx.query.get('ref') ?? ctx.repo.defaultBranch;
      const text = readFileAt(ctx.repo, ref, ctx.params.path) ?? notFound();
      return { status: 200, body: ctx.payloads.file(ctx.repo, ctx.params.path, ref, text) };
    },
  },
  {
    method: 'GET',
    template: '/orgs/{org}/teams/{team_slug}/memberships/{username}',
    permission: ['members', 'read'],
    handle: (ctx) => {
      const { org, team_slug, username } = ctx.params;
      const members = ctx.state.teams[`${org}/${team_slug}`];
      if (!members?.includes(username)) return { status: 404 };
      return {
        status: 200,
        body: {
          url: `https://api.github.com/teams/1/memberships/${username}`,
          role: 'member',
          state: 'active',
        },
      };
    },
  },
  {
    method: 'POST',
    template: `${R}/actions/workflows/{workflow_id}/dispatches`,
    permission: ['actions', 'write'],
    handle: (ctx) => {
      const ref = ctx.body.ref.replace(/^refs\/heads\//, '');
      if (!branchExists(ctx, ref)) {
        invalid('Workflow', 'ref', 'invalid', `No ref found for: ${ctx.body.ref}`);
      }
      if (ctx.repo.gitDir) checkDispatch(ctx, ref);
      ctx.repo.dispatches.push({
        workflow: ctx.params.workflow_id,
        ref: ctx.body.ref,
        inputs: ctx.body.inputs ?? {},
      });
      return { status: 204 };
    },
  },
];

/**
 * What GitHub checks before it accepts a dispatch: the workflow file exists at the ref (404 otherwise), it has a
 * `workflow_dispatch` trigger, every input given is declared and every required input is given (422 otherwise).
 */
function checkDispatch(ctx: RouteContext, ref: string): void {
  const id = ctx.params.workflow_id;
  if (/^\d+$/.test(id)) return; // a numeric workflow id names no file the server can read
  const text = readFileAt(ctx.repo, ref, `.github/workflows/${id}`) ?? notFound();
  let doc: Json;
  try {
    doc = parseYaml(text);
  } catch {
    throw new HttpError(422, `Workflow '${id}' is not valid YAML`);
  }
  const on = doc?.on ?? doc?.true; // YAML 1.1 readers turn a bare `on` into true
  const triggers = typeof on === 'string' ? [on] : Array.isArray(on) ? on : Object.keys(on ?? {});
  if (!triggers.includes('workflow_dispatch')) {
    throw new HttpError(422, "Workflow does not have 'workflow_dispatch' trigger");
  }
  const declared: Record<string, Json> =
    (on && !Array.isArray(on) && typeof on === 'object' ? on.workflow_dispatch?.inputs : undefined) ?? {};
  const given = Object.keys(ctx.body.inputs ?? {});
  const unexpected = given.filter((k) => !(k in declared));
  if (unexpected.length) {
    throw new HttpError(422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
  }
  const missing = Object.entries(declared).find(
    ([k, d]) => d?.required === true && d.default === undefined && !given.includes(k),
  );
  if (missing) throw new HttpError(422, `Required input '${missing[0]}' not provided`);
}
