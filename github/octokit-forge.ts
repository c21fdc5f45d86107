/**
 * The Forge over GitHub's REST API: @octokit/rest with plugin-retry (5xx retried with backoff) and
 * plugin-throttling (primary and secondary rate limits waited out). The only module that calls Octokit.
 */
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { UsageError } from '../core/errors.ts';
import { type Logger, silentLogger } from '../core/logger.ts';
import { forgeError, type Permission, statusOf } from './errors.ts';
import type {
  CheckRunInput,
  CommitStatusInput,
  Forge,
  ForgeCheckRun,
  ForgeComment,
  ForgeIssue,
  ForgePullRequest,
  ForgeReview,
  IssueUpsertInput,
  UpsertResult,
} from './forge.ts';
import { purposeLabel } from './forge.ts';
import { CHECK_TEXT_LIMIT, truncate } from './markdown.ts';
import { toCheckRun, toIssue, toPullRequest, toReviews } from './octokit-map.ts';

/** How to reach GitHub. */
export interface OctokitForgeOptions {
  token: string;
  /** `owner/repo`. */
  repository: string;
  /** Default https://api.github.com; GitHub Enterprise Server: `https://HOST/api/v3`. */
  apiUrl?: string;
  logger?: Logger;
  /** Milliseconds per "second" of retry and throttle waits (default 1000); tests make it small. */
  timeUnitMs?: number;
  /** Retries of a failed (5xx) or rate-limited request (default 3). */
  retries?: number;
}

/** A stand-in for a Bottleneck group that runs every job at once. */
const UNSPACED = Object.freeze({
  key: () => ({
    schedule: (_opts: unknown, fn: (...a: unknown[]) => unknown, ...args: unknown[]) => fn(...args),
  }),
});

/** An Octokit with the retry and throttling plugins. */
function createClient(options: ConstructorParameters<typeof Octokit>[0]) {
  return new (Octokit.plugin(retry, throttling))(options);
}

type Kit = ReturnType<typeof createClient>;

/** The Forge backed by GitHub's REST API. */
export class OctokitForge implements Forge {
  readonly repository: string;
  /** The underlying client; only for this module's tests. */
  readonly octokit: Kit;
  readonly #owner: string;
  readonly #repo: string;
  readonly #token: string;
  readonly #log: Logger;

  constructor(opts: OctokitForgeOptions) {
    const m = /^([^/\s]+)\/([^/\s]+)$/.exec(opts.repository);
    if (!m) throw new UsageError(`repository '${opts.repository}' is not of the form owner/repo`);
    this.repository = opts.repository;
    [this.#owner, this.#repo] = [m[1], m[2]];
    this.#token = opts.token;
    this.#log = opts.logger ?? silentLogger;
    const unit = opts.timeUnitMs ?? 1000;
    const retries = opts.retries ?? 3;
    const log = this.#log;
    const onLimit =
      (kind: string) => (after: number, o: { method: string; url: string }, _k: unknown, n: number) => {
        log.warn(
          `GitHub ${kind} on ${o.method} ${o.url}; ${n < retries ? `retrying in ${after}s` : 'giving up'}`,
        );
        return n < retries;
      };
    this.octokit = createClient({
      auth: opts.token,
      baseUrl: (opts.apiUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
      userAgent: 'mlops-actions',
      log: {
        debug: () => {},
        info: () => {},
        warn: (m: string) => log.debug(m),
        error: (m: string) => log.debug(m),
      },
      retry: { retries, retryAfterBaseValue: unit },
      throttle: {
        retryAfterBaseValue: unit,
        fallbackSecondaryRateRetryAfter: 60,
        onRateLimit: onLimit('rate limit'),
        onSecondaryRateLimit: onLimit('secondary rate limit'),
        // GitHub asks for a second between writes (three after notifying ones); tests shorten the time unit and
        // then skip that spacing too.
        ...(unit < 1000 ? ({ write: UNSPACED, notifications: UNSPACED } as object) : {}),
      },
    });
  }

  get #r() {
    return { owner: this.#owner, repo: this.#repo };
  }

  async #call<T>(
    operation: string,
    permission: Permission,
    write: boolean,
    fn: () => Promise<T>,
  ): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw forgeError(err, { operation, permission, token: this.#token, write });
    }
  }

  /**
   * A comment request on issue or PR `issueNumber`. Refused, the error names what the token needs: `issues: write`
   * on an issue; on a pull request GitHub accepts `pull-requests: write` or `issues: write`, and the message says so.
   */
  async #commentCall<T>(
    issueNumber: number,
    operation: string,
    write: boolean,
    fn: () => Promise<T>,
  ): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const status = statusOf(err);
      const refused = status === 403 || (status === 404 && write);
      const onPull = refused ? await this.#isPullRequest(issueNumber) : false;
      throw forgeError(err, {
        operation,
        permission: onPull ? 'pull-requests: write' : 'issues: write',
        ...(onPull ? { alternative: 'issues: write' as const } : {}),
        token: this.#token,
        write,
      });
    }
  }

  async #isPullRequest(issueNumber: number): Promise<boolean> {
    try {
      const { data } = await this.octokit.rest.issues.get({ ...this.#r, issue_number: issueNumber });
      return data.pull_request != null;
    } catch {
      return false;
    }
  }

  async upsertComment(
    issueNumber: number,
    marker: string,
    body: string,
    opts: { fullReportUrl?: string } = {},
  ): Promise<UpsertResult<ForgeComment>> {
    const text = truncate(`${marker}\n${body}`, { fullReportUrl: opts.fullReportUrl, what: 'comment' }).text;
    const what = `comment on #${issueNumber}`;
    const comments = await this.#commentCall(issueNumber, `list comments of #${issueNumber}`, false, () =>
      this.octokit.paginate(this.octokit.rest.issues.listComments, {
        ...this.#r,
        issue_number: issueNumber,
        per_page: 100,
      }),
    );
    const mine = comments.find((c) => (c.body ?? '').includes(marker));
    if (mine && mine.body === text) {
      return { action: 'unchanged', item: { id: mine.id, body: text, url: mine.html_url } };
    }
    const { data } = mine
      ? await this.#commentCall(issueNumber, what, true, () =>
          this.octokit.rest.issues.updateComment({ ...this.#r, comment_id: mine.id, body: text }),
        )
      : await this.#commentCall(issueNumber, what, true, () =>
          this.octokit.rest.issues.createComment({ ...this.#r, issue_number: issueNumber, body: text }),
        );
    return {
      action: mine ? 'updated' : 'created',
      item: { id: data.id, body: data.body ?? '', url: data.html_url },
    };
  }

  async addComment(issueNumber: number, body: string): Promise<ForgeComment> {
    const text = truncate(body, { what: 'comment' }).text;
    const { data } = await this.#commentCall(issueNumber, `comment on #${issueNumber}`, true, () =>
      this.octokit.rest.issues.createComment({ ...this.#r, issue_number: issueNumber, body: text }),
    );
    return { id: data.id, body: data.body ?? '', url: data.html_url };
  }

  async findIssue(marker: string, opts: { includeClosed?: boolean } = {}): Promise<ForgeIssue | undefined> {
    // The marker's issues always carry its purpose label (upsertIssue adds it): list only those, newest first,
    // and stop at the first page holding the marker.
    const label = purposeLabel(marker);
    return this.#call('list issues', 'issues: read', false, async () => {
      const pages = this.octokit.paginate.iterator(this.octokit.rest.issues.listForRepo, {
        ...this.#r,
        state: opts.includeClosed ? 'all' : 'open',
        ...(label !== undefined ? { labels: label } : {}),
        sort: 'created',
        direction: 'desc',
        per_page: 100,
      });
      for await (const { data } of pages) {
        const found = data.find((i) => !i.pull_request && (i.body ?? '').includes(marker));
        if (found) return toIssue(found);
      }
      return undefined;
    });
  }

  async upsertIssue(input: IssueUpsertInput): Promise<UpsertResult<ForgeIssue>> {
    const purpose = purposeLabel(input.marker);
    input = { ...input, labels: [...new Set([...(purpose ? [purpose] : []), ...input.labels])] };
    await this.#ensureLabels(input.labels);
    const body = truncate(`${input.marker}\n${input.body}`, { what: 'issue' }).text;
    const open = await this.findIssue(input.marker);
    if (!open) {
      const { data } = await this.#call('create an issue', 'issues: write', true, () =>
        this.octokit.rest.issues.create({ ...this.#r, title: input.title, body, labels: input.labels }),
      );
      return { action: 'created', item: toIssue(data) };
    }
    const labels = [...new Set([...open.labels, ...input.labels])];
    if (open.title === input.title && open.body === body && labels.length === open.labels.length) {
      return { action: 'unchanged', item: open };
    }
    const { data } = await this.#call(`update issue #${open.number}`, 'issues: write', true, () =>
      this.octokit.rest.issues.update({
        ...this.#r,
        issue_number: open.number,
        title: input.title,
        body,
        labels,
      }),
    );
    return { action: 'updated', item: toIssue(data) };
  }

  async closeIssue(issueNumber: number, comment?: string): Promise<void> {
    if (comment !== undefined) await this.addComment(issueNumber, comment);
    await this.#call(`close issue #${issueNumber}`, 'issues: write', true, () =>
      this.octokit.rest.issues.update({
        ...this.#r,
        issue_number: issueNumber,
        state: 'closed',
        state_reason: 'completed',
      }),
    );
  }

  async addLabels(issueNumber: number, labels: string[]): Promise<void> {
    if (labels.length === 0) return;
    await this.#ensureLabels(labels);
    await this.#call(`label #${issueNumber}`, 'issues: write', true, () =>
      this.octokit.rest.issues.addLabels({ ...this.#r, issue_number: issueNumber, labels }),
    );
  }

  async #ensureLabels(labels: string[]): Promise<void> {
    for (const name of labels) {
      try {
        await this.octokit.rest.issues.getLabel({ ...this.#r, name });
        continue;
      } catch (err) {
        if (statusOf(err) !== 404)
          throw forgeError(err, { operation: `read label '${name}'`, permission: 'issues: read' });
      }
      try {
        await this.octokit.rest.issues.createLabel({ ...this.#r, name, color: 'ededed' });
      } catch (err) {
        // 422: created meanwhile by someone else.
        if (statusOf(err) !== 422) {
          throw forgeError(err, {
            operation: `create label '${name}'`,
            permission: 'issues: write',
            write: true,
          });
        }
      }
    }
  }

  async upsertCheckRun(input: CheckRunInput): Promise<ForgeCheckRun> {
    // Refused here, the token needs `checks: write` (which includes read): say that once, not `checks: read` first.
    const existing = await this.#findCheckRun(input.headSha, input.name, 'checks: write');
    const annotations = (input.annotations ?? []).map((a) => ({
      path: a.path,
      start_line: a.startLine,
      end_line: a.endLine,
      annotation_level: a.level,
      message: a.message,
      ...(a.title !== undefined ? { title: a.title } : {}),
    }));
    const output = (batch: typeof annotations) => ({
      title: input.title,
      summary: truncate(input.summary, { limit: CHECK_TEXT_LIMIT, what: 'summary' }).text,
      ...(input.text !== undefined
        ? { text: truncate(input.text, { limit: CHECK_TEXT_LIMIT, what: 'text' }).text }
        : {}),
      ...(batch.length ? { annotations: batch } : {}),
    });
    const fields = {
      ...this.#r,
      name: input.name,
      status: input.status,
      ...(input.conclusion !== undefined ? { conclusion: input.conclusion } : {}),
      ...(input.detailsUrl !== undefined ? { details_url: input.detailsUrl } : {}),
      ...(input.externalId !== undefined ? { external_id: input.externalId } : {}),
    };
    const op = `write check run '${input.name}'`;
    let { data } = existing
      ? await this.#call(op, 'checks: write', true, () =>
          this.octokit.rest.checks.update({
            ...fields,
            check_run_id: existing.id,
            output: output(annotations.slice(0, 50)),
          }),
        )
      : await this.#call(op, 'checks: write', true, () =>
          this.octokit.rest.checks.create({
            ...fields,
            head_sha: input.headSha,
            output: output(annotations.slice(0, 50)),
          }),
        );
    for (let i = 50; i < annotations.length; i += 50) {
      const batch = annotations.slice(i, i + 50);
      ({ data } = await this.#call(op, 'checks: write', true, () =>
        this.octokit.rest.checks.update({ ...this.#r, check_run_id: data.id, output: output(batch) }),
      ));
    }
    return toCheckRun(data);
  }

  async getCheckRun(
    headSha: string,
    name: string,
    opts: { app?: string } = {},
  ): Promise<ForgeCheckRun | undefined> {
    return this.#findCheckRun(headSha, name, 'checks: read', opts.app);
  }

  async #findCheckRun(
    headSha: string,
    name: string,
    permission: Permission,
    app?: string,
  ): Promise<ForgeCheckRun | undefined> {
    const { data } = await this.#call(`read check runs of ${headSha}`, permission, false, () =>
      this.octokit.rest.checks.listForRef({ ...this.#r, ref: headSha, check_name: name, filter: 'latest' }),
    );
    const run = data.check_runs.find((c) => c.name === name && (app === undefined || c.app?.slug === app));
    return run ? toCheckRun(run) : undefined;
  }

  async setStatus(input: CommitStatusInput): Promise<void> {
    const description =
      input.description.length > 140 ? `${input.description.slice(0, 139)}…` : input.description;
    await this.#call(`set status '${input.context}'`, 'statuses: write', true, () =>
      this.octokit.rest.repos.createCommitStatus({
        ...this.#r,
        sha: input.sha,
        state: input.state,
        context: input.context,
        description,
        ...(input.targetUrl !== undefined ? { target_url: input.targetUrl } : {}),
      }),
    );
  }

  async openPullRequest(input: {
    head: string;
    base: string;
    title: string;
    body: string;
    labels?: string[];
    draft?: boolean;
  }): Promise<ForgePullRequest> {
    const body = truncate(input.body, { what: 'description' }).text;
    const [open] = await this.findPullRequestsForBranch(input.head);
    let number: number;
    if (open) {
      number = open.number;
      await this.updatePullRequest(number, { title: input.title, body });
    } else {
      const { data } = await this.#call(
        `open a pull request from ${input.head}`,
        'pull-requests: write',
        true,
        () =>
          this.octokit.rest.pulls.create({
            ...this.#r,
            head: input.head,
            base: input.base,
            title: input.title,
            body,
            draft: input.draft,
          }),
      );
      number = data.number;
    }
    if (input.labels?.length) await this.addLabels(number, input.labels);
    return this.getPullRequest(number);
  }

  async getPullRequest(number: number): Promise<ForgePullRequest> {
    const { data } = await this.#call(`read pull request #${number}`, 'pull-requests: read', false, () =>
      this.octokit.rest.pulls.get({ ...this.#r, pull_number: number }),
    );
    return toPullRequest(data);
  }

  async updatePullRequest(number: number, fields: { title?: string; body?: string }): Promise<void> {
    await this.#call(`update pull request #${number}`, 'pull-requests: write', true, () =>
      this.octokit.rest.pulls.update({ ...this.#r, pull_number: number, ...fields }),
    );
  }

  async listPullRequestFiles(number: number): Promise<string[]> {
    const files = await this.#call(`list files of #${number}`, 'pull-requests: read', false, () =>
      this.octokit.paginate(this.octokit.rest.pulls.listFiles, {
        ...this.#r,
        pull_number: number,
        per_page: 100,
      }),
    );
    return files.map((f) => f.filename);
  }

  async findPullRequestsForBranch(branch: string): Promise<ForgePullRequest[]> {
    const prs = await this.#call(`list pull requests for ${branch}`, 'pull-requests: read', false, () =>
      this.octokit.paginate(this.octokit.rest.pulls.list, {
        ...this.#r,
        state: 'open',
        head: `${this.#owner}:${branch}`,
        per_page: 100,
      }),
    );
    return prs.map(toPullRequest);
  }

  async mergePullRequest(
    number: number,
    opts: { sha: string; method?: 'merge' | 'squash' | 'rebase'; title?: string },
  ): Promise<string> {
    const { data } = await this.#call(`merge pull request #${number}`, 'contents: write', true, () =>
      this.octokit.rest.pulls.merge({
        ...this.#r,
        pull_number: number,
        sha: opts.sha,
        merge_method: opts.method ?? 'merge',
        ...(opts.title !== undefined ? { commit_title: opts.title } : {}),
      }),
    );
    return data.sha;
  }

  async latestReviews(number: number): Promise<ForgeReview[]> {
    const reviews = await this.#call(`list reviews of #${number}`, 'pull-requests: read', false, () =>
      this.octokit.paginate(this.octokit.rest.pulls.listReviews, {
        ...this.#r,
        pull_number: number,
        per_page: 100,
      }),
    );
    return toReviews(reviews);
  }

  async isTeamMember(org: string, teamSlug: string, user: string): Promise<boolean> {
    try {
      const { data } = await this.octokit.rest.teams.getMembershipForUserInOrg({
        org,
        team_slug: teamSlug,
        username: user,
      });
      return data.state === 'active';
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw forgeError(err, {
        operation: `read membership of @${org}/${teamSlug}`,
        permission: 'members: read',
        token: this.#token,
      });
    }
  }

  async readFile(path: string, ref: string): Promise<string | undefined> {
    try {
      const { data } = await this.octokit.rest.repos.getContent({ ...this.#r, path, ref });
      if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) return undefined;
      return Buffer.from(data.content, 'base64').toString('utf8');
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw forgeError(err, {
        operation: `read ${path} at ${ref}`,
        permission: 'contents: read',
        token: this.#token,
      });
    }
  }

  async dispatchWorkflow(workflow: string, ref: string, inputs: Record<string, string>): Promise<void> {
    await this.#call(`dispatch workflow ${workflow}`, 'actions: write', true, () =>
      this.octokit.rest.actions.createWorkflowDispatch({ ...this.#r, workflow_id: workflow, ref, inputs }),
    );
  }
}
