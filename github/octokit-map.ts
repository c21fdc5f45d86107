/** Mapping from GitHub REST payloads to the Forge's own types (`github/forge.ts`). */
import type { ForgeCheckRun, ForgeIssue, ForgePullRequest, ForgeReview } from './forge.ts';

type Label = string | { name?: string | null };
const labelNames = (labels: Label[] | undefined): string[] =>
  (labels ?? []).map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter((n) => n !== '');

/** An issue payload as a ForgeIssue. */
export function toIssue(i: {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  labels: Label[];
  html_url: string;
}): ForgeIssue {
  return {
    number: i.number,
    title: i.title,
    body: i.body ?? '',
    state: i.state === 'closed' ? 'closed' : 'open',
    labels: labelNames(i.labels),
    url: i.html_url,
  };
}

/** A pull request payload (from get or list) as a ForgePullRequest. */
export function toPullRequest(p: {
  number: number;
  title: string;
  body: string | null;
  state: string;
  merged?: boolean;
  merged_at: string | null;
  draft?: boolean;
  user: { login: string } | null;
  head: { ref: string; sha: string; repo: { full_name: string } | null };
  base: { ref: string; repo: { full_name: string } };
  labels: Label[];
  html_url: string;
}): ForgePullRequest {
  return {
    number: p.number,
    title: p.title,
    body: p.body ?? '',
    state: p.state === 'closed' ? 'closed' : 'open',
    merged: p.merged ?? p.merged_at !== null,
    draft: p.draft ?? false,
    author: p.user?.login ?? '',
    headRef: p.head.ref,
    headSha: p.head.sha,
    headRepo: p.head.repo?.full_name ?? '',
    baseRef: p.base.ref,
    labels: labelNames(p.labels),
    url: p.html_url,
  };
}

/** A check run payload as a ForgeCheckRun. */
export function toCheckRun(c: {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  external_id: string | null;
  html_url?: string | null;
  app?: { slug?: string } | null;
  output: { title: string | null; summary: string | null; text: string | null };
}): ForgeCheckRun {
  return {
    id: c.id,
    name: c.name,
    headSha: c.head_sha,
    status: c.status,
    conclusion: c.conclusion,
    title: c.output.title ?? '',
    summary: c.output.summary ?? '',
    text: c.output.text ?? '',
    externalId: c.external_id || null,
    ...(c.app?.slug ? { app: c.app.slug } : {}),
    ...(c.html_url ? { url: c.html_url } : {}),
  };
}

const STATES = new Set(['APPROVED', 'CHANGES_REQUESTED', 'COMMENTED', 'DISMISSED', 'PENDING']);

/**
 * The latest review per reviewer, in submission order, as GitHub counts them: a later COMMENTED review does not
 * replace an earlier approval or change request, and PENDING (unsubmitted) reviews are ignored.
 */
export function toReviews(
  reviews: {
    user: { login: string } | null;
    state: string;
    commit_id: string | null;
    submitted_at?: string;
  }[],
): ForgeReview[] {
  const latest = new Map<string, ForgeReview>();
  for (const r of reviews) {
    if (!r.user || r.state === 'PENDING' || !STATES.has(r.state)) continue;
    const prior = latest.get(r.user.login);
    if (r.state === 'COMMENTED' && prior && prior.state !== 'COMMENTED') continue;
    latest.delete(r.user.login);
    latest.set(r.user.login, {
      reviewer: r.user.login,
      state: r.state as ForgeReview['state'],
      commitSha: r.commit_id ?? '',
      submittedAt: r.submitted_at ?? '',
    });
  }
  return [...latest.values()];
}
