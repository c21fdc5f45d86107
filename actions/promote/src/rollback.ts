/**
 * Rollback (workflow_dispatch): the same flow as a promotion, pointed at an older version. By default it commits
 * the alias move on a branch and opens a PR, which then goes through the gate. A model whose `model.yaml` sets
 * `promotion.emergency_rollback: true` may roll back directly on the default branch with a stated reason; that
 * is finalised at once and reported in an issue for after-the-fact review.
 */
import { UsageError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/logger.ts';
import type { Forge } from '../../../github/forge.ts';
import { marker } from '../../../github/forge.ts';
import { escapeText } from '../../../github/markdown.ts';
import type { Registry } from '../../../registry/index.ts';
import type { ArtifactStore } from '../../../registry/stores/types.ts';
import { finalise, type ModelFinalisation } from './finalise.ts';

/** Options of `rollback`. */
export interface RollbackRequest {
  registry: Registry;
  forge: Forge;
  model: string;
  /** Target version; default: the alias's previous version (registry history). */
  to?: number;
  alias: string;
  reason?: string;
  /** Commit on the default branch instead of opening a PR (needs `promotion.emergency_rollback: true`). */
  direct: boolean;
  /** Who asked (the workflow's actor), for the record. */
  actor: string;
  openStore: (uri: string | undefined) => Promise<ArtifactStore>;
  log: Logger;
  /** false: commit locally without pushing (CLI `--local`); default: push when the registry has a remote. */
  push?: boolean;
}

/** What a rollback did. */
export interface RollbackOutcome {
  from: number;
  to: number;
  alias: string;
  /** The PR opened (PR flow). */
  pr?: number;
  prUrl?: string;
  /** The review issue (direct flow). */
  issue?: number;
  finalised?: ModelFinalisation[];
  commit: string;
}

/** The branch a rollback PR comes from. */
export function rollbackBranch(model: string, alias: string, to: number | undefined): string {
  return `mlops/rollback/${model}/${alias}-${to === undefined ? 'previous' : `v${to}`}`;
}

/** Roll an alias back, through a PR (default) or directly (emergency, when the model allows it). */
export async function rollback(req: RollbackRequest): Promise<RollbackOutcome> {
  const { registry, forge, model, alias, log } = req;
  const spec = await registry.spec(model);
  const reason = req.reason?.trim() || undefined;
  if (req.direct) {
    if (spec.promotion?.emergency_rollback !== true) {
      throw new UsageError(
        `direct rollback of '${model}' is not allowed: set promotion.emergency_rollback: true in ${registry.root}/${model}/model.yaml, or leave 'direct' false to open a PR`,
      );
    }
    if (!reason)
      throw new UsageError(
        `a direct rollback needs a 'reason' (it is recorded in the commit and the review issue)`,
      );
    const r = await registry.rollback({
      model,
      to: req.to,
      alias,
      reason: `emergency rollback by ${req.actor}: ${reason}`,
      ...(req.push === false ? { push: false } : {}),
    });
    log.info(
      `Rolled ${model} ${alias} back from v${r.from} to v${r.to} on ${r.branch} (${r.commit.slice(0, 7)}).`,
    );
    const finalised = await finalise({
      registry,
      before: `${r.commit}^`,
      after: r.commit,
      openStore: req.openStore,
      forge,
      log,
      models: [model],
    });
    const issue = await forge.upsertIssue({
      marker: marker('emergency-rollback', `${model}@${r.commit.slice(0, 12)}`),
      title: `Review emergency rollback: ${model} ${alias} v${r.from} → v${r.to}`,
      body: [
        `**${escapeText(model)} ${escapeText(alias)} was rolled back from v${r.from} to v${r.to} without review.** Please review it after the fact.`,
        '',
        `- By: ${escapeText(`@${req.actor}`)}`,
        `- Reason: ${escapeText(reason)}`,
        `- Commit: ${r.commit}`,
        '',
        'If the rollback was wrong, promote the right version through a normal promotion PR, then close this issue.',
      ].join('\n'),
      labels: ['mlops', 'emergency-rollback'],
    });
    return { from: r.from, to: r.to, alias, issue: issue.item.number, finalised, commit: r.commit };
  }
  const branch = rollbackBranch(model, alias, req.to);
  const r = await registry.rollback({
    model,
    to: req.to,
    alias,
    reason,
    branch,
    ...(req.push === false ? { push: false } : {}),
  });
  const pr = await forge.openPullRequest({
    head: branch,
    base: registry.branch,
    title: `Roll back ${model} ${alias} to v${r.to}`,
    body: [
      `**Rollback of ${escapeText(model)}: ${escapeText(alias)} v${r.from} → v${r.to}.** It goes through the promotion gate like any promotion: it needs the owners' approval and a green evaluation on this PR's head commit.`,
      '',
      `- Requested by: ${escapeText(`@${req.actor}`)}`,
      `- Reason: ${reason ? escapeText(reason) : 'none given'}`,
    ].join('\n'),
    labels: ['mlops', 'rollback'],
  });
  log.info(`Opened ${pr.url} to roll ${model} ${alias} back from v${r.from} to v${r.to}.`);
  return { from: r.from, to: r.to, alias, pr: pr.number, prUrl: pr.url, commit: r.commit };
}
