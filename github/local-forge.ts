/**
 * The Forge on a laptop: comments, issues, check runs and statuses become Markdown/JSON files under
 * `<root>/.mlops/outbox/`, pull requests are branches of the local Git repository (merging makes a real merge
 * commit), and approvals come from the command line (`approvals: [{ reviewer, sha }]`).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { type Clock, systemClock } from '../core/clock.ts';
import { GateFailure, UsageError } from '../core/errors.ts';
import { type Logger, silentLogger } from '../core/logger.ts';
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
import { truncate } from './markdown.ts';

const run = promisify(execFile);

/** How the local forge is set up. */
export interface LocalForgeOptions {
  /** The local Git repository (working tree); the outbox is `<root>/.mlops/outbox`. */
  root: string;
  /** Shown as `owner/repo` (default `local/<folder name>`). */
  repository?: string;
  /** Approvals given on the command line: each counts as an APPROVED review of that commit. */
  approvals?: { reviewer: string; sha: string }[];
  /** Who opens pull requests (default `local`). */
  author?: string;
  /** `org/team` → members, for `@org/team` code owners. */
  teams?: Record<string, string[]>;
  logger?: Logger;
  clock?: Clock;
}

interface Outbox {
  next: number;
  comments: (ForgeComment & { issue: number })[];
  issues: ForgeIssue[];
  pulls: (Omit<ForgePullRequest, 'headSha' | 'url'> & { mergeSha?: string })[];
  checks: ForgeCheckRun[];
  statuses: (CommitStatusInput & { at: string })[];
  dispatches: { workflow: string; ref: string; inputs: Record<string, string>; at: string }[];
}

const EMPTY: Outbox = {
  next: 1,
  comments: [],
  issues: [],
  pulls: [],
  checks: [],
  statuses: [],
  dispatches: [],
};

/** The Forge backed by local files and the local Git repository. */
export class LocalForge implements Forge {
  readonly repository: string;
  /** The folder everything is written to. */
  readonly outbox: string;
  readonly #o: Required<Omit<LocalForgeOptions, 'repository'>>;

  constructor(opts: LocalForgeOptions) {
    this.repository = opts.repository ?? `local/${basename(opts.root)}`;
    this.outbox = join(opts.root, '.mlops', 'outbox');
    // An option passed as `undefined` (e.g. `author: flags.author`) keeps its default.
    this.#o = {
      root: opts.root,
      approvals: opts.approvals ?? [],
      author: opts.author ?? 'local',
      teams: opts.teams ?? {},
      logger: opts.logger ?? silentLogger,
      clock: opts.clock ?? systemClock,
    };
  }

  #load(): Outbox {
    try {
      return { ...EMPTY, ...JSON.parse(readFileSync(join(this.outbox, 'state.json'), 'utf8')) };
    } catch {
      return structuredClone(EMPTY);
    }
  }

  #write(rel: string, text: string): string {
    const path = join(this.outbox, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
    return path;
  }

  #save(o: Outbox): void {
    this.#write('state.json', `${JSON.stringify(o, null, 2)}\n`);
  }

  async #git(...args: string[]): Promise<string> {
    const { stdout } = await run('git', args, { cwd: this.#o.root, maxBuffer: 64 << 20 });
    return stdout.trim();
  }

  async #sha(ref: string): Promise<string | undefined> {
    return this.#git('rev-parse', '--verify', '-q', `${ref}^{commit}`).catch(() => undefined);
  }

  async upsertComment(
    issueNumber: number,
    marker: string,
    body: string,
    opts: { fullReportUrl?: string } = {},
  ) {
    const o = this.#load();
    const text = truncate(`${marker}\n${body}`, { fullReportUrl: opts.fullReportUrl, what: 'comment' }).text;
    const mine = o.comments.find((c) => c.issue === issueNumber && c.body.includes(marker));
    let result: UpsertResult<ForgeComment>;
    if (mine) {
      result = { action: mine.body === text ? 'unchanged' : 'updated', item: mine };
      mine.body = text;
    } else {
      const c = { id: o.next++, issue: issueNumber, body: text, url: '' };
      c.url = this.#write(`comments/${issueNumber}-${c.id}.md`, text);
      o.comments.push(c);
      result = { action: 'created', item: c };
    }
    this.#write(`comments/${issueNumber}-${result.item.id}.md`, text);
    this.#save(o);
    this.#o.logger.info(`comment ${result.action}: ${result.item.url}`);
    return { action: result.action, item: { id: result.item.id, body: text, url: result.item.url } };
  }

  async addComment(issueNumber: number, body: string): Promise<ForgeComment> {
    const o = this.#load();
    const c = { id: o.next++, issue: issueNumber, body, url: '' };
    c.url = this.#write(`comments/${issueNumber}-${c.id}.md`, body);
    o.comments.push(c);
    this.#save(o);
    return { id: c.id, body, url: c.url };
  }

  async findIssue(marker: string, opts: { includeClosed?: boolean } = {}): Promise<ForgeIssue | undefined> {
    const issues = this.#load().issues.filter(
      (i) => i.body.includes(marker) && (opts.includeClosed || i.state === 'open'),
    );
    return issues.sort((a, b) => b.number - a.number)[0];
  }

  #writeIssue(i: ForgeIssue): void {
    i.url = this.#write(
      `issues/${i.number}.md`,
      `# ${i.title}\n\nstate: ${i.state}; labels: ${i.labels.join(', ')}\n\n${i.body}\n`,
    );
  }

  async upsertIssue(input: IssueUpsertInput): Promise<UpsertResult<ForgeIssue>> {
    // As on GitHub: the marker's issue carries its purpose label `mlops:<purpose>`.
    const purpose = purposeLabel(input.marker);
    input = { ...input, labels: [...new Set([...(purpose ? [purpose] : []), ...input.labels])] };
    const o = this.#load();
    const body = truncate(`${input.marker}\n${input.body}`, { what: 'issue' }).text;
    const open = o.issues.find((i) => i.state === 'open' && i.body.includes(input.marker));
    if (!open) {
      const i: ForgeIssue = {
        number: o.next++,
        title: input.title,
        body,
        state: 'open',
        labels: [...input.labels],
        url: '',
      };
      this.#writeIssue(i);
      o.issues.push(i);
      this.#save(o);
      return { action: 'created', item: i };
    }
    const labels = [...new Set([...open.labels, ...input.labels])];
    const same = open.title === input.title && open.body === body && labels.length === open.labels.length;
    Object.assign(open, { title: input.title, body, labels });
    this.#writeIssue(open);
    this.#save(o);
    return { action: same ? 'unchanged' : 'updated', item: open };
  }

  async closeIssue(issueNumber: number, comment?: string): Promise<void> {
    if (comment !== undefined) await this.addComment(issueNumber, comment);
    const o = this.#load();
    const i = o.issues.find((x) => x.number === issueNumber);
    if (!i) throw new UsageError(`no local issue #${issueNumber} in ${this.outbox}`);
    i.state = 'closed';
    this.#writeIssue(i);
    this.#save(o);
  }

  async addLabels(issueNumber: number, labels: string[]): Promise<void> {
    const o = this.#load();
    const item =
      o.issues.find((x) => x.number === issueNumber) ?? o.pulls.find((x) => x.number === issueNumber);
    if (!item) throw new UsageError(`no local issue or pull request #${issueNumber}`);
    item.labels = [...new Set([...item.labels, ...labels])];
    this.#save(o);
  }

  async upsertCheckRun(input: CheckRunInput): Promise<ForgeCheckRun> {
    const o = this.#load();
    let c = o.checks.find((x) => x.headSha === input.headSha && x.name === input.name);
    if (!c) {
      c = {
        id: o.next++,
        name: input.name,
        headSha: input.headSha,
        status: '',
        conclusion: null,
        title: '',
        summary: '',
        text: '',
        externalId: null,
      };
      o.checks.push(c);
    }
    Object.assign(c, {
      status: input.conclusion ? 'completed' : input.status,
      conclusion: input.conclusion ?? null,
      title: input.title,
      summary: input.summary,
      text: input.text ?? '',
      externalId: input.externalId ?? c.externalId,
    });
    const file = `checks/${input.headSha.slice(0, 12)}-${input.name.replace(/[^\w.-]+/g, '_')}`;
    c.url = join(this.outbox, `${file}.md`);
    this.#write(
      `${file}.json`,
      `${JSON.stringify({ ...c, annotations: input.annotations ?? [] }, null, 2)}\n`,
    );
    this.#write(`${file}.md`, `# ${c.title}\n\n${c.conclusion ?? c.status}\n\n${c.summary}\n\n${c.text}\n`);
    this.#save(o);
    return { ...c };
  }

  async getCheckRun(headSha: string, name: string): Promise<ForgeCheckRun | undefined> {
    return this.#load().checks.find((x) => x.headSha === headSha && x.name === name);
  }

  async setStatus(input: CommitStatusInput): Promise<void> {
    const o = this.#load();
    o.statuses.push({ ...input, at: this.#o.clock().toISOString() });
    this.#write('statuses.json', `${JSON.stringify(o.statuses, null, 2)}\n`);
    this.#save(o);
  }

  async #pr(p: Outbox['pulls'][number]): Promise<ForgePullRequest> {
    const headSha = p.merged ? (p.mergeSha ?? '') : ((await this.#sha(`refs/heads/${p.headRef}`)) ?? '');
    return { ...p, headSha, url: join(this.outbox, 'pulls', `${p.number}.md`) };
  }

  async openPullRequest(input: {
    head: string;
    base: string;
    title: string;
    body: string;
    labels?: string[];
    draft?: boolean;
  }) {
    for (const b of [input.head, input.base]) {
      if (!(await this.#sha(`refs/heads/${b}`)))
        throw new UsageError(`branch '${b}' does not exist in ${this.#o.root}`);
    }
    const o = this.#load();
    let p = o.pulls.find((x) => x.state === 'open' && x.headRef === input.head);
    if (p) Object.assign(p, { title: input.title, body: input.body });
    else {
      p = {
        number: o.next++,
        title: input.title,
        body: input.body,
        state: 'open',
        merged: false,
        draft: input.draft ?? false,
        author: this.#o.author,
        headRef: input.head,
        headRepo: this.repository,
        baseRef: input.base,
        labels: [],
      };
      o.pulls.push(p);
    }
    p.labels = [...new Set([...p.labels, ...(input.labels ?? [])])];
    this.#write(`pulls/${p.number}.md`, `# ${p.title}\n\n${p.headRef} → ${p.baseRef}\n\n${p.body}\n`);
    this.#save(o);
    return this.#pr(p);
  }

  #pull(o: Outbox, number: number) {
    const p = o.pulls.find((x) => x.number === number);
    if (!p) throw new UsageError(`no local pull request #${number} in ${this.outbox}`);
    return p;
  }

  async getPullRequest(number: number): Promise<ForgePullRequest> {
    return this.#pr(this.#pull(this.#load(), number));
  }

  async updatePullRequest(number: number, fields: { title?: string; body?: string }): Promise<void> {
    const o = this.#load();
    Object.assign(this.#pull(o, number), fields);
    this.#save(o);
  }

  async listPullRequestFiles(number: number): Promise<string[]> {
    const p = this.#pull(this.#load(), number);
    const out = await this.#git('diff', '--name-only', `refs/heads/${p.baseRef}...refs/heads/${p.headRef}`);
    return out.split('\n').filter(Boolean);
  }

  async findPullRequestsForBranch(branch: string): Promise<ForgePullRequest[]> {
    const open = this.#load().pulls.filter((p) => p.state === 'open' && p.headRef === branch);
    return Promise.all(open.map((p) => this.#pr(p)));
  }

  async mergePullRequest(
    number: number,
    opts: { sha: string; method?: 'merge' | 'squash' | 'rebase'; title?: string },
  ) {
    const o = this.#load();
    const p = this.#pull(o, number);
    if (p.state !== 'open') throw new GateFailure(`pull request #${number} is not open`);
    const head = await this.#sha(`refs/heads/${p.headRef}`);
    if (head !== opts.sha)
      throw new GateFailure(`the head of #${number} moved to ${head}; expected ${opts.sha}`);
    const title = opts.title ?? `Merge pull request #${number} from ${p.headRef}`;
    const current = await this.#git('symbolic-ref', '--short', '-q', 'HEAD').catch(() => '');
    if (current === p.baseRef) {
      await this.#git('merge', '--no-ff', '-m', title, head);
    } else {
      const base = (await this.#sha(`refs/heads/${p.baseRef}`)) as string;
      const tree = (await this.#git('merge-tree', '--write-tree', base, head)).split('\n')[0];
      const commit = await this.#git('commit-tree', tree, '-p', base, '-p', head, '-m', title);
      await this.#git('update-ref', `refs/heads/${p.baseRef}`, commit, base);
    }
    const sha = (await this.#sha(`refs/heads/${p.baseRef}`)) as string;
    Object.assign(p, { state: 'closed', merged: true, mergeSha: head });
    this.#save(o);
    return sha;
  }

  async latestReviews(_number: number): Promise<ForgeReview[]> {
    const at = this.#o.clock().toISOString();
    const latest = new Map(this.#o.approvals.map((a) => [a.reviewer, a]));
    return [...latest.values()].map((a) => ({
      reviewer: a.reviewer,
      state: 'APPROVED',
      commitSha: a.sha,
      submittedAt: at,
    }));
  }

  async isTeamMember(org: string, teamSlug: string, user: string): Promise<boolean> {
    return (this.#o.teams[`${org}/${teamSlug}`] ?? []).some((m) => m.toLowerCase() === user.toLowerCase());
  }

  async readFile(path: string, ref: string): Promise<string | undefined> {
    return run('git', ['show', `${ref}:${path}`], { cwd: this.#o.root, maxBuffer: 64 << 20 }).then(
      (r) => r.stdout,
      () => undefined,
    );
  }

  async dispatchWorkflow(workflow: string, ref: string, inputs: Record<string, string>): Promise<void> {
    const o = this.#load();
    o.dispatches.push({ workflow, ref, inputs, at: this.#o.clock().toISOString() });
    this.#write('dispatches.json', `${JSON.stringify(o.dispatches, null, 2)}\n`);
    this.#save(o);
    this.#o.logger.info(
      `workflow ${workflow} would be dispatched on ${ref} (recorded in ${this.outbox}/dispatches.json)`,
    );
  }
}
