/**
 * An in-memory Forge for the gate's tests: files per ref, one PR, its reviews, check runs and team members,
 * and a record of what the gate posted. It implements the Forge seam (not a mock of our modules).
 */
import type {
  CheckRunInput,
  CommitStatusInput,
  Forge,
  ForgeCheckRun,
  ForgeComment,
  ForgeIssue,
  ForgePullRequest,
  ForgeReview,
  UpsertResult,
} from '../../github/forge.ts';

/** State the tests arrange and inspect. */
export class MemoryForge implements Forge {
  readonly repository = 'acme/models';
  files = new Map<string, Map<string, string>>();
  prs = new Map<number, ForgePullRequest>();
  prFiles = new Map<number, string[]>();
  reviews = new Map<number, ForgeReview[]>();
  checks: ForgeCheckRun[] = [];
  statuses: CommitStatusInput[] = [];
  comments: { issue: number; marker: string; body: string }[] = [];
  teams = new Map<string, string[]>();
  merged: number[] = [];

  setFiles(ref: string, files: Record<string, string>): void {
    this.files.set(ref, new Map(Object.entries(files)));
  }
  async readFile(path: string, ref: string) {
    return this.files.get(ref)?.get(path);
  }
  async getPullRequest(n: number) {
    const pr = this.prs.get(n);
    if (!pr) throw new Error(`no PR #${n}`);
    return pr;
  }
  async listPullRequestFiles(n: number) {
    return this.prFiles.get(n) ?? [];
  }
  async latestReviews(n: number) {
    return this.reviews.get(n) ?? [];
  }
  async isTeamMember(org: string, team: string, user: string) {
    return (this.teams.get(`${org}/${team}`) ?? []).includes(user);
  }
  async getCheckRun(headSha: string, name: string) {
    return this.checks.filter((c) => c.headSha === headSha && c.name === name).at(-1);
  }
  async upsertCheckRun(input: CheckRunInput) {
    const run: ForgeCheckRun = {
      id: this.checks.length + 1,
      name: input.name,
      headSha: input.headSha,
      status: input.status,
      conclusion: input.conclusion ?? null,
      title: input.title,
      summary: input.summary,
      text: input.text ?? '',
      externalId: input.externalId ?? null,
    };
    this.checks.push(run);
    return run;
  }
  async setStatus(input: CommitStatusInput) {
    this.statuses.push(input);
  }
  async upsertComment(issue: number, marker: string, body: string): Promise<UpsertResult<ForgeComment>> {
    this.comments.push({ issue, marker, body });
    return {
      action: 'created',
      item: { id: this.comments.length, body, url: `https://example.test/c/${this.comments.length}` },
    };
  }
  async mergePullRequest(n: number, opts: { sha: string }) {
    const pr = await this.getPullRequest(n);
    if (pr.headSha !== opts.sha) throw new Error('head moved');
    this.merged.push(n);
    return 'f'.repeat(40);
  }
  async addComment(): Promise<ForgeComment> {
    throw new Error('not used');
  }
  async findIssue(): Promise<ForgeIssue | undefined> {
    return undefined;
  }
  issues: { title: string; body: string; labels: string[] }[] = [];
  async upsertIssue(input: {
    title: string;
    body: string;
    labels: string[];
  }): Promise<UpsertResult<ForgeIssue>> {
    this.issues.push(input);
    const n = 100 + this.issues.length;
    return {
      action: 'created',
      item: {
        number: n,
        title: input.title,
        body: input.body,
        state: 'open',
        labels: input.labels,
        url: `https://example.test/issues/${n}`,
      },
    };
  }
  async closeIssue() {}
  async addLabels() {}
  opened: { head: string; base: string; title: string; body: string }[] = [];
  async openPullRequest(input: {
    head: string;
    base: string;
    title: string;
    body: string;
  }): Promise<ForgePullRequest> {
    this.opened.push(input);
    const n = 50 + this.opened.length;
    return {
      number: n,
      title: input.title,
      body: input.body,
      state: 'open',
      merged: false,
      draft: false,
      author: 'bot',
      headRef: input.head,
      headSha: '',
      headRepo: this.repository,
      baseRef: input.base,
      labels: [],
      url: `https://example.test/pull/${n}`,
    };
  }
  async updatePullRequest() {}
  async findPullRequestsForBranch() {
    return [];
  }
  async dispatchWorkflow() {}
}
