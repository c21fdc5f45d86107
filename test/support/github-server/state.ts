/**
 * The test GitHub server's state: plain data that tests seed and assert on. A repository may have a bare Git
 * repository behind it (`gitDir`): then branch heads, file contents, PR files and merges come from real git.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';

/** A label of a repository. */
export interface LabelState {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

/** An issue or a pull request's issue side (they share numbers, as on GitHub). */
export interface IssueState {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'not_planned' | 'reopened' | null;
  labels: string[];
  author: string;
  isPullRequest: boolean;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

/** A pull request's own fields (its issue side is in `issues`). */
export interface PullState {
  number: number;
  head: string;
  base: string;
  /** owner/repo of the head (a fork when it differs). */
  headRepo: string;
  /** The head SHA when there is no git repository (else read from git). */
  headSha?: string;
  draft: boolean;
  merged: boolean;
  mergeCommitSha: string | null;
  mergedAt: string | null;
  /** Changed files when there is no git repository. */
  files?: { filename: string; status: 'added' | 'modified' | 'removed' | 'renamed' }[];
}

/** A comment on an issue or pull request. */
export interface CommentState {
  id: number;
  issueNumber: number;
  body: string;
  author: string;
  createdAt: string;
  updatedAt: string;
}

/** A submitted pull request review. */
export interface ReviewState {
  id: number;
  pullNumber: number;
  reviewer: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  commitSha: string;
  body: string;
  submittedAt: string;
}

/** A check run. */
export interface CheckRunState {
  id: number;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  externalId: string | null;
  detailsUrl: string | null;
  title: string | null;
  summary: string | null;
  text: string | null;
  annotations: Record<string, unknown>[];
  startedAt: string;
  completedAt: string | null;
  /** Slug of the App that created it; default `github-actions` (what a GITHUB_TOKEN creates). */
  app?: string;
}

/** A commit status. */
export interface StatusState {
  id: number;
  sha: string;
  state: string;
  context: string;
  description: string | null;
  targetUrl: string | null;
  createdAt: string;
}

/** One repository. */
export interface RepoState {
  owner: string;
  name: string;
  id: number;
  defaultBranch: string;
  /** A bare (or normal) Git repository behind this one, if any. */
  gitDir?: string;
  /** Branch → SHA, used when there is no gitDir. */
  branches: Record<string, string>;
  /** Path → text on the default branch, used when there is no gitDir. */
  files: Record<string, string>;
  labels: LabelState[];
  issues: IssueState[];
  pulls: PullState[];
  comments: CommentState[];
  reviews: ReviewState[];
  checkRuns: CheckRunState[];
  statuses: StatusState[];
  dispatches: { workflow: string; ref: string; inputs: Record<string, unknown> }[];
}

/** Permissions granted to a token (GitHub App style); a token with none listed may do everything. */
export type TokenPermissions = Partial<
  Record<
    'issues' | 'pull_requests' | 'checks' | 'statuses' | 'actions' | 'contents' | 'members',
    'read' | 'write'
  >
>;

/** The whole server state. Seed it with the methods, or edit the arrays directly. */
export class GitHubState {
  repos: Record<string, RepoState> = {};
  /** `org/team-slug` → member logins. */
  teams: Record<string, string[]> = {};
  /** token → the login it acts as (default `github-actions[bot]`). */
  tokens: Record<string, string> = {};
  /** token → its permissions (absent: all). */
  permissions: Record<string, TokenPermissions> = {};
  #next = 1000;
  #clock = Date.parse('2026-01-01T00:00:00Z');

  /** A fresh id (ids are shared by every kind of object, as that is harmless). */
  nextId(): number {
    this.#next += 1;
    return this.#next;
  }

  /** An ISO time, one second later than the previous one (orders events deterministically). */
  now(): string {
    this.#clock += 1000;
    return new Date(this.#clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** A fake 40-hex SHA. */
  fakeSha(seed: string = String(this.nextId())): string {
    return createHash('sha1').update(seed).digest('hex');
  }

  /** Add a repository (`owner/name`), optionally backed by a Git repository. */
  addRepo(
    fullName: string,
    opts: { gitDir?: string; defaultBranch?: string; files?: Record<string, string> } = {},
  ): RepoState {
    const [owner, name] = fullName.split('/');
    const repo: RepoState = {
      owner,
      name,
      id: this.nextId(),
      defaultBranch: opts.defaultBranch ?? 'main',
      gitDir: opts.gitDir,
      branches: {},
      files: opts.files ?? {},
      labels: [],
      issues: [],
      pulls: [],
      comments: [],
      reviews: [],
      checkRuns: [],
      statuses: [],
      dispatches: [],
    };
    this.repos[fullName] = repo;
    return repo;
  }

  /** The repository, or an error naming it. */
  repo(fullName: string): RepoState {
    const r = this.repos[fullName];
    if (!r) throw new Error(`the test server has no repository ${fullName}`);
    return r;
  }

  /** Add an issue (or, with isPullRequest, the issue side of a PR). */
  addIssue(repo: RepoState, fields: Partial<IssueState> & { title: string }): IssueState {
    const now = this.now();
    const issue: IssueState = {
      id: this.nextId(),
      number: repo.issues.length + 1,
      body: null,
      state: 'open',
      stateReason: null,
      labels: [],
      author: 'octocat',
      isPullRequest: false,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      ...fields,
    };
    repo.issues.push(issue);
    return issue;
  }

  /** Add a comment. */
  addComment(repo: RepoState, issueNumber: number, body: string, author = 'octocat'): CommentState {
    const now = this.now();
    const c = { id: this.nextId(), issueNumber, body, author, createdAt: now, updatedAt: now };
    repo.comments.push(c);
    return c;
  }

  /** Open a pull request from `head` into `base` (default: the default branch). */
  addPullRequest(
    repo: RepoState,
    fields: {
      head: string;
      base?: string;
      title?: string;
      body?: string;
      author?: string;
      headSha?: string;
      draft?: boolean;
    },
  ): PullState & { issue: IssueState } {
    const issue = this.addIssue(repo, {
      title: fields.title ?? `Merge ${fields.head}`,
      body: fields.body ?? null,
      author: fields.author ?? 'octocat',
      isPullRequest: true,
    });
    const pull: PullState = {
      number: issue.number,
      head: fields.head,
      base: fields.base ?? repo.defaultBranch,
      headRepo: `${repo.owner}/${repo.name}`,
      headSha: fields.headSha,
      draft: fields.draft ?? false,
      merged: false,
      mergeCommitSha: null,
      mergedAt: null,
    };
    repo.pulls.push(pull);
    return { ...pull, issue };
  }

  /** Submit a review (default: on the PR's current head). */
  addReview(
    repo: RepoState,
    pullNumber: number,
    reviewer: string,
    state: ReviewState['state'],
    commitSha?: string,
  ): ReviewState {
    const pull = repo.pulls.find((p) => p.number === pullNumber);
    if (!pull) throw new Error(`no pull request #${pullNumber}`);
    const r: ReviewState = {
      id: this.nextId(),
      pullNumber,
      reviewer,
      state,
      commitSha: commitSha ?? headSha(repo, pull),
      body: '',
      submittedAt: this.now(),
    };
    repo.reviews.push(r);
    return r;
  }

  /** Set a team's members. */
  setTeam(org: string, slug: string, members: string[]): void {
    this.teams[`${org}/${slug}`] = members;
  }
}

function git(repo: RepoState, args: string[], input?: string): string {
  return execFileSync('git', ['--git-dir', repo.gitDir as string, ...args], {
    encoding: 'utf8',
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'GitHub',
      GIT_AUTHOR_EMAIL: 'noreply@github.com',
      GIT_COMMITTER_NAME: 'GitHub',
      GIT_COMMITTER_EMAIL: 'noreply@github.com',
    },
  }).trim();
}

/** A branch's SHA (from git when the repository has one), or undefined when the branch does not exist. */
export function branchSha(repo: RepoState, branch: string): string | undefined {
  if (!repo.gitDir) return repo.branches[branch];
  try {
    return git(repo, ['rev-parse', '--verify', '-q', `refs/heads/${branch}^{commit}`]);
  } catch {
    return undefined;
  }
}

/** The head SHA of a PR: the seeded one, else its branch in git, else a stable fake. */
export function headSha(repo: RepoState, pull: PullState): string {
  if (pull.merged && pull.headSha) return pull.headSha;
  return (
    pull.headSha ??
    branchSha(repo, pull.head) ??
    createHash('sha1').update(`${repo.name}:${pull.head}`).digest('hex')
  );
}

/** A file's text at a ref (branch, tag or SHA), or undefined. */
export function readFileAt(repo: RepoState, ref: string | undefined, path: string): string | undefined {
  if (!repo.gitDir) return ref === undefined || ref === repo.defaultBranch ? repo.files[path] : undefined;
  try {
    return execFileSync('git', ['--git-dir', repo.gitDir, 'show', `${ref ?? repo.defaultBranch}:${path}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
}

/** Files changed between the merge base of `base` and `head`. */
export function changedFiles(repo: RepoState, pull: PullState): NonNullable<PullState['files']> {
  if (!repo.gitDir) return pull.files ?? [];
  const out = git(repo, ['diff', '--name-status', '--no-renames', `${pull.base}...${headSha(repo, pull)}`]);
  const kinds = { A: 'added', M: 'modified', D: 'removed' } as const;
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [k, filename] = l.split('\t');
      return { filename, status: kinds[k[0] as 'A' | 'M' | 'D'] ?? 'modified' };
    });
}

/** Merge a PR for real (a merge or squash commit on the base branch); returns the new SHA, or undefined on conflict. */
export function mergeInGit(
  repo: RepoState,
  pull: PullState,
  method: string,
  title: string,
): string | undefined {
  const head = headSha(repo, pull);
  if (!repo.gitDir) {
    const sha = createHash('sha1').update(`merge:${head}`).digest('hex');
    repo.branches[pull.base] = sha;
    return sha;
  }
  const base = git(repo, ['rev-parse', `refs/heads/${pull.base}`]);
  let tree: string;
  try {
    tree = git(repo, ['merge-tree', '--write-tree', base, head]).split('\n')[0];
  } catch {
    return undefined;
  }
  const parents = method === 'merge' ? ['-p', base, '-p', head] : ['-p', base];
  const sha = git(repo, ['commit-tree', tree, ...parents, '-m', title]);
  git(repo, ['update-ref', `refs/heads/${pull.base}`, sha, base]);
  return sha;
}
