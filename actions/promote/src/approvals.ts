/**
 * Who may approve a promotion, and which reviews count: the pure part of the gate's approval condition.
 * Owners come from `model.yaml` (users `alice` / `@alice`, teams `@org/team`), else from CODEOWNERS.
 */
import type { Forge, ForgeReview } from '../../../github/forge.ts';

/** An owner entry, normalised: a user login or an org team. */
export type Owner = { kind: 'user'; login: string } | { kind: 'team'; org: string; team: string };

/** Parse `alice`, `@alice` or `@org/team` (case kept for display; compared case-insensitively). */
export function parseOwner(entry: string): Owner | undefined {
  const s = entry.trim().replace(/^@/, '');
  const team = /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)$/.exec(s);
  if (team) return { kind: 'team', org: team[1], team: team[2] };
  if (/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/.test(s)) return { kind: 'user', login: s };
  return undefined;
}

/** How an owner reads in a message: `@alice`, `@org/team`. */
export function ownerLabel(o: Owner): string {
  return o.kind === 'user' ? `@${o.login}` : `@${o.org}/${o.team}`;
}

/** True when `user` is one of `owners` (directly or through a team); team lookups go through the Forge. */
export async function isAuthorised(forge: Forge, owners: Owner[], user: string): Promise<boolean> {
  const login = user.toLowerCase();
  if (owners.some((o) => o.kind === 'user' && o.login.toLowerCase() === login)) return true;
  for (const o of owners) {
    if (o.kind === 'team' && (await forge.isTeamMember(o.org, o.team, user))) return true;
  }
  return false;
}

/** The outcome of counting reviews on one head commit. */
export interface ApprovalCount {
  /** Authorised reviewers whose latest review approves the head commit, in review order. */
  approvers: string[];
  /** Authorised reviewers whose latest review requests changes (blocking). */
  blockers: string[];
  /** Why other approvals did not count, one line each (author, not an owner, older commit). */
  ignored: string[];
}

/**
 * Count each reviewer's latest review: an approval counts only from an authorised reviewer who is not the
 * author, given on `headSha`; a CHANGES_REQUESTED from an authorised reviewer blocks whatever its commit.
 */
export async function countApprovals(opts: {
  forge: Forge;
  reviews: ForgeReview[];
  owners: Owner[];
  author: string;
  headSha: string;
}): Promise<ApprovalCount> {
  const { forge, reviews, owners, author, headSha } = opts;
  const result: ApprovalCount = { approvers: [], blockers: [], ignored: [] };
  for (const r of reviews) {
    if (r.state !== 'APPROVED' && r.state !== 'CHANGES_REQUESTED') continue;
    const who = `@${r.reviewer}`;
    if (r.reviewer.toLowerCase() === author.toLowerCase()) {
      if (r.state === 'APPROVED')
        result.ignored.push(`${who} is the author; an author's own approval never counts`);
      continue;
    }
    const authorised = await isAuthorised(forge, owners, r.reviewer);
    if (r.state === 'CHANGES_REQUESTED') {
      if (authorised) result.blockers.push(r.reviewer);
      continue;
    }
    if (!authorised) {
      result.ignored.push(`${who} is not an owner of this model`);
    } else if (r.commitSha !== headSha) {
      result.ignored.push(
        `${who} approved ${r.commitSha.slice(0, 7)}, not the head commit ${headSha.slice(0, 7)}`,
      );
    } else {
      result.approvers.push(r.reviewer);
    }
  }
  return result;
}
