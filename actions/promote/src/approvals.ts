/**
 * Who may approve a promotion, and which reviews count: the gate's approval condition.
 * Owners come from `model.yaml` (users `alice` / `@alice`, teams `@org/team`), else from CODEOWNERS
 * (`github/codeowners.ts`, GitHub's own rules), both in CODEOWNERS form (`@alice`, `@org/team`).
 */
import { isOwner, ownersOf, readCodeowners } from '../../../github/codeowners.ts';
import type { Forge, ForgeReview } from '../../../github/forge.ts';

/**
 * A `model.yaml` owner entry in CODEOWNERS form: `alice` and `@alice` -> `@alice`, `@org/team` and `org/team` ->
 * `@org/team`; undefined for anything that is neither a login nor a team.
 */
export function normaliseOwner(entry: string): string | undefined {
  const s = entry.trim().replace(/^@/, '');
  if (/^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/.test(s)) return `@${s}`;
  if (/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/.test(s)) return `@${s}`;
  return undefined;
}

/** The reviewers whose approvals count, and where that list came from. */
export interface AuthorisedOwners {
  /** `@user` and `@org/team` entries (CODEOWNERS may add e-mail addresses, which never match a reviewer). */
  owners: string[];
  from: 'model.yaml owners' | 'CODEOWNERS';
}

/**
 * The owners whose approvals count: `specOwners` (from `model.yaml` on the base branch) when it names any,
 * else the CODEOWNERS owners of `path` at `ref`.
 */
export async function authorisedOwners(opts: {
  forge: Pick<Forge, 'readFile'>;
  specOwners: string[] | undefined;
  path: string;
  ref: string;
}): Promise<AuthorisedOwners> {
  const fromSpec = opts.specOwners ?? [];
  if (fromSpec.length > 0) {
    const owners = fromSpec.map(normaliseOwner).filter((o): o is string => o !== undefined);
    return { owners, from: 'model.yaml owners' };
  }
  const codeowners = await readCodeowners(opts.forge, opts.ref);
  return { owners: codeowners ? ownersOf(codeowners, opts.path) : [], from: 'CODEOWNERS' };
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
  forge: Pick<Forge, 'isTeamMember'>;
  reviews: ForgeReview[];
  owners: string[];
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
    const authorised = await isOwner(forge, owners, r.reviewer);
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
