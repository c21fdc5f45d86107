/**
 * The Forge: everything the toolkit asks of GitHub, as one interface. Two implementations:
 * `github/octokit-forge.ts` (GitHub REST through Octokit, GITHUB_API_URL honoured) and
 * `github/local-forge.ts` (files under `.mlops/outbox/`, approvals from the command line).
 * No other module calls Octokit.
 */

/** A hidden marker that identifies the toolkit's own comment or issue: `<!-- mlops:<purpose>:<model> -->`. */
export function marker(purpose: string, model: string): string {
  return `<!-- mlops:${purpose}:${model} -->`;
}

/**
 * The label every issue carrying `marker` has: `mlops:<purpose>` (e.g. `mlops:drift`), or undefined for text that
 * is not a marker. `upsertIssue` adds it; `findIssue` lists only issues with it.
 */
export function purposeLabel(marker: string): string | undefined {
  const purpose = /^<!-- mlops:([^:\s]+):/.exec(marker)?.[1];
  return purpose === undefined ? undefined : `mlops:${purpose}`;
}

/** A comment on a PR or issue. */
export interface ForgeComment {
  id: number;
  body: string;
  url: string;
}

/** An issue as the toolkit sees it. */
export interface ForgeIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  url: string;
}

/** A pull request as the toolkit sees it. */
export interface ForgePullRequest {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  author: string;
  headRef: string;
  headSha: string;
  /** owner/repo of the head; differs from the base repository for a fork. */
  headRepo: string;
  baseRef: string;
  labels: string[];
  url: string;
}

/** The latest review of one reviewer. */
export interface ForgeReview {
  reviewer: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  /** The commit the review was given on. */
  commitSha: string;
  submittedAt: string;
}

/** One annotation on a check run. */
export interface CheckAnnotation {
  path: string;
  startLine: number;
  endLine: number;
  level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
}

/** Input for creating or updating a check run (found by name on the same head SHA). */
export interface CheckRunInput {
  name: string;
  headSha: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion?: 'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required';
  title: string;
  summary: string;
  text?: string;
  /** Sent in batches of 50, as GitHub requires. */
  annotations?: CheckAnnotation[];
  detailsUrl?: string;
  externalId?: string;
}

/** A check run as read back. */
export interface ForgeCheckRun {
  id: number;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  title: string;
  summary: string;
  text: string;
  externalId: string | null;
  /** The slug of the GitHub App that created it (`github-actions` for GITHUB_TOKEN), when known. */
  app?: string;
  /** Where people read it (GitHub: the check run's page; local: its Markdown file), when known. */
  url?: string;
}

/** A commit status. */
export interface CommitStatusInput {
  sha: string;
  context: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  description: string;
  targetUrl?: string;
}

/** Input for upserting an issue by marker. */
export interface IssueUpsertInput {
  /** The hidden marker the issue body carries (see `marker`). */
  marker: string;
  title: string;
  /** Body without the marker; the forge adds it. */
  body: string;
  labels: string[];
}

/** What an upsert did. */
export interface UpsertResult<T> {
  action: 'created' | 'updated' | 'unchanged';
  item: T;
}

/** Everything the toolkit asks of GitHub. */
export interface Forge {
  /** `owner/repo`. */
  readonly repository: string;

  /** Create or edit the one comment carrying `marker` on a PR or issue; a body over 65,536 characters is cut with a note and `fullReportUrl`. */
  upsertComment(
    issueNumber: number,
    marker: string,
    body: string,
    opts?: { fullReportUrl?: string },
  ): Promise<UpsertResult<ForgeComment>>;
  /** Add a plain comment. */
  addComment(issueNumber: number, body: string): Promise<ForgeComment>;
  /** The open (or, with `includeClosed`, most recent) issue whose body carries `marker`. */
  findIssue(marker: string, opts?: { includeClosed?: boolean }): Promise<ForgeIssue | undefined>;
  /** Create or update the open issue carrying `marker` (labels created when missing). */
  upsertIssue(input: IssueUpsertInput): Promise<UpsertResult<ForgeIssue>>;
  /** Close an issue, optionally with a final comment. */
  closeIssue(issueNumber: number, comment?: string): Promise<void>;
  /** Make sure the labels exist, then add them. */
  addLabels(issueNumber: number, labels: string[]): Promise<void>;

  /** Create or update the check run named `input.name` on `input.headSha`. */
  upsertCheckRun(input: CheckRunInput): Promise<ForgeCheckRun>;
  /** The latest check run with this name on this commit (only from the App `opts.app`, by slug, when given). */
  getCheckRun(headSha: string, name: string, opts?: { app?: string }): Promise<ForgeCheckRun | undefined>;
  /** Set a commit status. */
  setStatus(input: CommitStatusInput): Promise<void>;

  /** Open a PR from `head` into `base`; when one is already open for `head`, update its title and body. */
  openPullRequest(input: {
    head: string;
    base: string;
    title: string;
    body: string;
    labels?: string[];
    draft?: boolean;
  }): Promise<ForgePullRequest>;
  getPullRequest(number: number): Promise<ForgePullRequest>;
  updatePullRequest(number: number, fields: { title?: string; body?: string }): Promise<void>;
  /** Paths changed by the PR (all pages). */
  listPullRequestFiles(number: number): Promise<string[]>;
  /** Open PRs whose head is `branch`. */
  findPullRequestsForBranch(branch: string): Promise<ForgePullRequest[]>;
  /** Merge the PR at `sha` (refused by GitHub when the head moved). Returns the merge commit SHA. */
  mergePullRequest(
    number: number,
    opts: { sha: string; method?: 'merge' | 'squash' | 'rebase'; title?: string },
  ): Promise<string>;
  /** The latest review per reviewer (all pages), in submission order. */
  latestReviews(number: number): Promise<ForgeReview[]>;

  /** True when `user` is an active member of `org/team` (`team` is the slug). */
  isTeamMember(org: string, teamSlug: string, user: string): Promise<boolean>;
  /** A file's text at a ref, or undefined when absent (used for CODEOWNERS). */
  readFile(path: string, ref: string): Promise<string | undefined>;

  /** Start a workflow by file name or id on a ref, with inputs. */
  dispatchWorkflow(workflow: string, ref: string, inputs: Record<string, string>): Promise<void>;
}
