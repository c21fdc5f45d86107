/**
 * The promotion gate: decides whether a PR that moves a model's alias may merge, and lists every unmet
 * condition. Reads everything through the Forge (files at the PR's base and head), so it needs no checkout.
 */
import { UsageError } from '../../../core/errors.ts';
import type { Forge, ForgeCheckRun, ForgePullRequest } from '../../../github/forge.ts';
import type { AliasesFile } from '../../../registry/types.ts';
import { authorisedOwners, countApprovals } from './approvals.ts';
import { evaluateCheckName } from '../../evaluate/src/external-id.ts';
import { evaluationProblems } from './evaluation.ts';
import { outsidePaths, rewrittenRecords } from './paths.ts';
import { aliasesPath, readAliases, readSpec, readVersion } from './registry-view.ts';

/** The gate's check name for a model. */
export function gateCheckName(model: string): string {
  return `mlops/promotion-gate (${model})`;
}

/** One condition of the gate and its outcome. */
export interface GateCondition {
  id: 'source' | 'files' | 'alias' | 'evaluation' | 'approvals';
  ok: boolean;
  /** What holds (when ok) or every reason it does not, one per line. */
  details: string[];
}

/** The gate's verdict for one model on one PR head. */
export interface GateResult {
  model: string;
  pr: number;
  headSha: string;
  passed: boolean;
  conditions: GateCondition[];
  /** Authorised approvers counted on the head commit. */
  approvers: string[];
  /** Aliases the PR moves: alias -> { from, to }. */
  changes: AliasChange[];
}

/** An alias the PR moves. */
export interface AliasChange {
  alias: string;
  from: number | undefined;
  to: number | undefined;
}

/** The aliases whose version differs between two aliases files. */
export function aliasChanges(before: AliasesFile | undefined, after: AliasesFile | undefined): AliasChange[] {
  const a = before?.aliases ?? {};
  const b = after?.aliases ?? {};
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .sort()
    .filter((k) => a[k] !== b[k])
    .map((alias) => ({ alias, from: a[alias], to: b[alias] }));
}

/** Models whose aliases file a PR changes (the PRs the gate is about). */
export function promotedModels(files: string[], root: string): string[] {
  const prefix = root ? `${root.replace(/\/+$/, '')}/` : '';
  const models = new Set<string>();
  for (const f of files) {
    if (!f.startsWith(prefix)) continue;
    const rest = f.slice(prefix.length);
    const m = /^(.+)\/aliases\.yaml$/.exec(rest);
    if (m && !m[1].includes('/versions/')) models.add(m[1]);
  }
  return [...models].sort();
}

/**
 * Evaluate the gate for `model` on `pr`. The spec (owners, approvals, extra paths, stage rules) is read from the
 * base branch so that a PR cannot grant itself approval by editing `model.yaml`.
 */
export async function evaluateGate(opts: {
  forge: Forge;
  pr: ForgePullRequest;
  model: string;
  root: string;
  files: string[];
  /**
   * Slug of the only GitHub App whose evaluate check counts (`github-actions` in the action); undefined: any
   * (the local forge, whose checks have no app).
   */
  evaluateApp?: string;
}): Promise<GateResult> {
  const { forge, pr, model, root, files } = opts;
  const base = pr.baseRef;
  const head = pr.headSha;
  const spec = (await readSpec(forge, root, model, base)) ?? (await readSpec(forge, root, model, head));
  if (!spec)
    throw new UsageError(`model '${model}' has no model.yaml under '${root}/' on ${base} or the PR head`);
  const baseSpec = await readSpec(forge, root, model, base);
  const conditions: GateCondition[] = [];

  const fork = pr.headRepo.toLowerCase() !== forge.repository.toLowerCase();
  conditions.push({
    id: 'source',
    ok: !fork,
    details: fork
      ? [
          `the PR comes from the fork ${pr.headRepo}; promotions must come from a branch of ${forge.repository}`,
        ]
      : [`branch ${pr.headRef} of ${forge.repository}`],
  });

  const outside = outsidePaths({ files, root, model, extraPaths: baseSpec?.promotion?.extra_paths });
  const rewritten = await rewrittenRecords({
    files,
    root,
    baseText: (p) => forge.readFile(p, base),
    headText: (p) => forge.readFile(p, head),
  });
  const fileProblems = [
    ...outside.map((f) => `touches ${f}, outside ${root}/${model}/ and the allowed extra paths`),
    ...rewritten.map(
      (r) => `${r.change} ${r.path}, which exists on ${base}: version records are immutable once written`,
    ),
  ];
  conditions.push({
    id: 'files',
    ok: fileProblems.length === 0,
    details: fileProblems.length === 0 ? [`touches only ${root}/${model}/ and allowed paths`] : fileProblems,
  });

  const [before, after] = [
    await readAliases(forge, root, model, base),
    await readAliases(forge, root, model, head),
  ];
  const changes = aliasChanges(before, after);
  const aliasProblems: string[] = [];
  if (changes.length === 0) aliasProblems.push('the PR does not move any alias');
  const candidates = new Map<number, Awaited<ReturnType<typeof readVersion>>>();
  for (const c of changes) {
    if (c.to === undefined) continue;
    const record = await readVersion(forge, root, model, c.to, head);
    candidates.set(c.to, record);
    if (!record)
      aliasProblems.push(
        `${c.alias} -> v${c.to}, but ${root}/${model}/versions/v${c.to}/version.yaml does not exist`,
      );
    const required = baseSpec?.promotion?.requires?.[c.alias];
    if (required && before?.aliases[required] !== c.to) {
      aliasProblems.push(
        `${c.alias} requires v${c.to} to be ${required} first (${required} is ${fmt(before?.aliases[required])})`,
      );
    }
  }
  conditions.push({
    id: 'alias',
    ok: aliasProblems.length === 0,
    details:
      aliasProblems.length === 0
        ? changes.map((c) => `${c.alias}: ${fmt(c.from)} -> ${fmt(c.to)}`)
        : aliasProblems,
  });

  const { run, foreign } = await evaluateRun(forge, head, model, opts.evaluateApp);
  const evalProblems: string[] = [];
  if (foreign)
    evalProblems.push(
      `the ${evaluateCheckName(model)} check on ${head.slice(0, 7)} was posted by the app '${foreign}', not '${opts.evaluateApp}': only checks from '${opts.evaluateApp}' count (input evaluate-app-slug)`,
    );
  for (const [version, record] of candidates) {
    if (foreign) break;
    if (!record) {
      evalProblems.push(`v${version}: cannot compare artifacts, its version.yaml is missing`);
      continue;
    }
    const problems = evaluationProblems({
      model,
      headSha: head,
      run,
      version,
      artifacts: record.artifacts,
    });
    evalProblems.push(...problems.map((p) => (candidates.size > 1 ? `v${version}: ${p}` : p)));
  }
  conditions.push({
    id: 'evaluation',
    ok: evalProblems.length === 0,
    details:
      evalProblems.length === 0
        ? [`${evaluateCheckName(model)} succeeded on ${head.slice(0, 7)} for these artifacts`]
        : [...new Set(evalProblems)],
  });

  const { owners, from } = await authorisedOwners({
    forge,
    specOwners: baseSpec?.owners,
    path: aliasesPath(root, model),
    ref: base,
  });
  const required = baseSpec?.promotion?.approvals ?? 1;
  const reviews = await forge.latestReviews(pr.number);
  const count = await countApprovals({ forge, reviews, owners, author: pr.author, headSha: head });
  const approvalProblems: string[] = [];
  if (owners.length === 0)
    approvalProblems.push(
      `no authorised reviewers: add owners to ${root}/${model}/model.yaml or a CODEOWNERS entry`,
    );
  if (count.approvers.length < required) {
    approvalProblems.push(
      `${count.approvers.length} of ${required} required approval${required === 1 ? '' : 's'} on ${head.slice(0, 7)} from ${owners.join(', ') || 'owners'} (${from})`,
    );
  }
  for (const b of count.blockers) approvalProblems.push(`@${b} requested changes`);
  if (approvalProblems.length > 0) approvalProblems.push(...count.ignored);
  conditions.push({
    id: 'approvals',
    ok: approvalProblems.length === 0,
    details:
      approvalProblems.length === 0
        ? [`approved on ${head.slice(0, 7)} by ${count.approvers.map((a) => `@${a}`).join(', ')}`]
        : approvalProblems,
  });

  return {
    model,
    pr: pr.number,
    headSha: head,
    passed: conditions.every((c) => c.ok),
    conditions,
    approvers: count.approvers,
    changes,
  };
}

/** The evaluate check from the expected app, or the slug of the other app whose check is all there is. */
async function evaluateRun(
  forge: Forge,
  head: string,
  model: string,
  app: string | undefined,
): Promise<{ run?: ForgeCheckRun; foreign?: string }> {
  const name = evaluateCheckName(model);
  if (app === undefined) return { run: await forge.getCheckRun(head, name) };
  const run = await forge.getCheckRun(head, name, { app });
  if (run && (run.app === undefined || run.app === app)) return { run };
  const other = run ?? (await forge.getCheckRun(head, name));
  return other ? { foreign: other.app ?? 'unknown' } : {};
}

function fmt(v: number | undefined): string {
  return v === undefined ? 'unset' : `v${v}`;
}
