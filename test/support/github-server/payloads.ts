/**
 * Response bodies of the test GitHub server: GitHub's own documented examples (from the OpenAPI description)
 * with the server's state laid over them, so every field GitHub documents is present and well-typed.
 */
import type { Spec } from './spec.ts';
import {
  type CheckRunState,
  type CommentState,
  changedFiles,
  headSha,
  type IssueState,
  type LabelState,
  type PullState,
  type RepoState,
  type ReviewState,
  type StatusState,
} from './state.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON.
type Json = any;

const first = (v: Json) => (Array.isArray(v) ? v[0] : v);

/** Builds payloads for one server (base URLs and the spec's examples). */
export class Payloads {
  constructor(
    private readonly spec: Spec,
    private readonly apiUrl: string,
    private readonly webUrl = 'https://github.com',
  ) {}

  #repoUrl(r: RepoState) {
    return `${this.apiUrl}/repos/${r.owner}/${r.name}`;
  }

  user(login: string): Json {
    const u = first(this.spec.example('issue-comment')).user;
    const id = [...login].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 1_000_000, 7);
    return {
      ...u,
      login,
      id,
      url: `${this.apiUrl}/users/${encodeURIComponent(login)}`,
      html_url: `${this.webUrl}/${encodeURIComponent(login)}`,
      type: login.endsWith('[bot]') ? 'Bot' : 'User',
    };
  }

  label(r: RepoState, l: LabelState): Json {
    return {
      ...this.spec.example('label'),
      id: l.id,
      name: l.name,
      color: l.color,
      description: l.description,
      default: false,
      url: `${this.#repoUrl(r)}/labels/${encodeURIComponent(l.name)}`,
    };
  }

  #labels(r: RepoState, names: string[]): Json[] {
    return names.flatMap((n) => {
      const l = r.labels.find((x) => x.name === n);
      return l ? [this.label(r, l)] : [];
    });
  }

  issue(r: RepoState, i: IssueState): Json {
    const base = this.spec.example('issue');
    const url = `${this.#repoUrl(r)}/issues/${i.number}`;
    const kind = i.isPullRequest ? 'pull' : 'issues';
    const out: Json = {
      ...base,
      id: i.id,
      number: i.number,
      url,
      repository_url: this.#repoUrl(r),
      comments_url: `${url}/comments`,
      html_url: `${this.webUrl}/${r.owner}/${r.name}/${kind}/${i.number}`,
      title: i.title,
      body: i.body,
      state: i.state,
      state_reason: i.stateReason,
      user: this.user(i.author),
      labels: this.#labels(r, i.labels),
      assignee: null,
      assignees: [],
      milestone: null,
      comments: r.comments.filter((c) => c.issueNumber === i.number).length,
      created_at: i.createdAt,
      updated_at: i.updatedAt,
      closed_at: i.closedAt,
      closed_by: null,
    };
    if (i.isPullRequest) {
      out.pull_request = {
        ...base.pull_request,
        url: `${this.#repoUrl(r)}/pulls/${i.number}`,
        merged_at: null,
      };
    } else {
      delete out.pull_request;
    }
    return out;
  }

  comment(r: RepoState, c: CommentState): Json {
    const isPr = r.pulls.some((p) => p.number === c.issueNumber);
    return {
      ...this.spec.example('issue-comment'),
      id: c.id,
      url: `${this.#repoUrl(r)}/issues/comments/${c.id}`,
      html_url: `${this.webUrl}/${r.owner}/${r.name}/${isPr ? 'pull' : 'issues'}/${c.issueNumber}#issuecomment-${c.id}`,
      issue_url: `${this.#repoUrl(r)}/issues/${c.issueNumber}`,
      body: c.body,
      user: this.user(c.author),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
    };
  }

  #branch(r: RepoState, ref: string, sha: string, repoFull: string, template: Json): Json {
    const [owner, name] = repoFull.split('/');
    return {
      ...template,
      label: `${owner}:${ref}`,
      ref,
      sha,
      user: this.user(owner),
      repo: {
        ...template.repo,
        id: r.id,
        name,
        full_name: repoFull,
        owner: this.user(owner),
        default_branch: r.defaultBranch,
        url: `${this.apiUrl}/repos/${repoFull}`,
        html_url: `${this.webUrl}/${repoFull}`,
      },
    };
  }

  pull(r: RepoState, p: PullState, simple = false): Json {
    const i = r.issues.find((x) => x.number === p.number) as IssueState;
    const base = first(this.spec.example(simple ? 'pull-request-simple-items' : 'pull-request'));
    const sha = headSha(r, p);
    const full = `${r.owner}/${r.name}`;
    const out: Json = {
      ...base,
      id: i.id,
      number: p.number,
      url: `${this.#repoUrl(r)}/pulls/${p.number}`,
      html_url: `${this.webUrl}/${full}/pull/${p.number}`,
      issue_url: `${this.#repoUrl(r)}/issues/${p.number}`,
      state: i.state,
      title: i.title,
      body: i.body,
      user: this.user(i.author),
      labels: this.#labels(r, i.labels).map((l) => ({ ...l, description: l.description ?? '' })),
      milestone: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      created_at: i.createdAt,
      updated_at: i.updatedAt,
      closed_at: i.closedAt,
      merged_at: p.mergedAt,
      merge_commit_sha: p.mergeCommitSha,
      head: this.#branch(r, p.head, sha, p.headRepo, base.head),
      base: this.#branch(r, p.base, this.#baseSha(r, p), full, base.base),
      draft: p.draft,
      auto_merge: null,
    };
    if (!simple) {
      const files = p.merged ? [] : changedFiles(r, p);
      Object.assign(out, {
        merged: p.merged,
        mergeable: p.merged ? null : true,
        mergeable_state: p.merged ? 'unknown' : 'clean',
        merged_by: p.merged ? this.user('github-actions[bot]') : null,
        comments: r.comments.filter((c) => c.issueNumber === p.number).length,
        review_comments: 0,
        commits: 1,
        changed_files: files.length,
      });
    }
    return out;
  }

  #baseSha(r: RepoState, p: PullState): string {
    return r.branches[p.base] ?? r.issues.length.toString(16).padStart(40, '0');
  }

  review(r: RepoState, v: ReviewState): Json {
    return {
      ...first(this.spec.example('pull-request-review-items')),
      id: v.id,
      user: this.user(v.reviewer),
      body: v.body,
      state: v.state,
      html_url: `${this.webUrl}/${r.owner}/${r.name}/pull/${v.pullNumber}#pullrequestreview-${v.id}`,
      pull_request_url: `${this.#repoUrl(r)}/pulls/${v.pullNumber}`,
      submitted_at: v.submittedAt,
      commit_id: v.commitSha,
    };
  }

  checkRun(r: RepoState, c: CheckRunState): Json {
    const base = this.spec.example('check-run');
    return {
      ...base,
      id: c.id,
      name: c.name,
      head_sha: c.headSha,
      external_id: c.externalId,
      details_url: c.detailsUrl,
      status: c.status,
      conclusion: c.conclusion,
      started_at: c.startedAt,
      completed_at: c.completedAt,
      url: `${this.#repoUrl(r)}/check-runs/${c.id}`,
      html_url: `${this.webUrl}/${r.owner}/${r.name}/runs/${c.id}`,
      output: {
        ...base.output,
        title: c.title,
        summary: c.summary,
        text: c.text,
        annotations_count: c.annotations.length,
        annotations_url: `${this.#repoUrl(r)}/check-runs/${c.id}/annotations`,
      },
      pull_requests: [],
      app: { ...base.app, slug: c.app ?? 'github-actions', name: c.app ?? 'GitHub Actions' },
    };
  }

  status(r: RepoState, s: StatusState): Json {
    return {
      ...this.spec.example('status'),
      id: s.id,
      url: `${this.#repoUrl(r)}/statuses/${s.sha}`,
      state: s.state,
      context: s.context,
      description: s.description,
      target_url: s.targetUrl,
      created_at: s.createdAt,
      updated_at: s.createdAt,
      creator: this.user('github-actions[bot]'),
    };
  }

  file(r: RepoState, path: string, ref: string, text: string): Json {
    const content = Buffer.from(text, 'utf8').toString('base64');
    const url = `${this.#repoUrl(r)}/contents/${path}?ref=${encodeURIComponent(ref)}`;
    return {
      ...this.spec.example('content-file-response-if-content-is-a-file'),
      type: 'file',
      encoding: 'base64',
      size: Buffer.byteLength(text),
      name: path.split('/').pop(),
      path,
      content,
      url,
      download_url: null,
      _links: { self: url, git: null, html: null },
    };
  }
}
