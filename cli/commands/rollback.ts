/**
 * `mlops rollback <model> [--to vN]`: the same flow as a promotion, pointed at an older version. By default it
 * commits the alias move on a branch and opens a local pull request (LocalForge: `.mlops/outbox/`), which
 * `mlops gate <branch>` then judges like any promotion. `--direct` (only when `model.yaml` sets
 * `promotion.emergency_rollback: true`, with a `--reason`) moves the alias on the registry branch at once,
 * finalises it (tag, archive) and opens a review issue in the outbox: the promote action's own `rollback`.
 */
import { rollback, rollbackBranch } from '../../actions/promote/src/rollback.ts';
import { LocalForge } from '../../github/local-forge.ts';
import { parseVersionLabel, validateAliasName, validateModelName } from '../../registry/names.ts';
import { openStore } from '../../registry/stores/open.ts';
import { parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import {
  DEFAULT_STORE,
  noExtra,
  openFromFlags,
  positional,
  registryFlags,
  registryFlagsHelp,
  writeOpts,
} from '../registry-options.ts';

/** `mlops rollback`. */
export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'Open a PR moving the champion back to the version it replaced (or --to vN), through the gate',
  help: `Usage: mlops rollback <model> [--to vN] [--alias NAME] [--reason TEXT] [--direct] [options]

Opens a local pull request (branch mlops/rollback/<model>/<alias>-<vN|previous>, recorded under
.mlops/outbox/) that moves the alias back. It goes through the same gate as a promotion: evaluate the
branch, then run mlops gate <branch> with the owners' approvals, and merge it.
Without --to, goes back to the version the alias held before the current one (read from the history).

With --direct, and only when models/<model>/model.yaml sets promotion.emergency_rollback: true, the
alias moves on the registry branch at once (a --reason is required): the move is finalised (tag,
archive) and a review issue is written to the outbox for after-the-fact review.

Options:
  --to vN          version to go back to
  --alias NAME     alias to roll back (default: champion)
  --reason TEXT    why, recorded in the commit message, the PR or the review issue
  --direct         emergency rollback without a PR (needs promotion.emergency_rollback: true)
  --author LOGIN   who asks (default: local); their own approval of the PR never counts
  --json           print the result as JSON
${registryFlagsHelp}

Exit codes: 0 ok, 2 bad input, nothing to roll back to, or --direct not allowed (nothing written).`,
  async run(ctx) {
    const { values: v, positionals } = parseFlags('rollback', ctx.argv, {
      ...registryFlags,
      to: { type: 'string' },
      alias: { type: 'string' },
      reason: { type: 'string' },
      direct: { type: 'boolean' },
      author: { type: 'string' },
    });
    const model = validateModelName(positional(positionals, 0, '<model>', 'rollback'));
    noExtra(positionals, 1, 'rollback');
    const to = v.to === undefined ? undefined : parseVersionLabel(v.to);
    const alias = validateAliasName(v.alias ?? 'champion');
    const reg = await openFromFlags(ctx, v);
    const forge = new LocalForge({ root: reg.dir, author: v.author, logger: ctx.log });
    const res = await rollback({
      registry: reg,
      forge,
      model,
      to,
      alias,
      reason: v.reason,
      direct: v.direct ?? false,
      actor: v.author ?? 'local',
      openStore: async (uri) => openStore(uri ?? DEFAULT_STORE, { cwd: reg.dir, env: ctx.env, log: ctx.log }),
      log: ctx.log,
      ...writeOpts(v),
    });
    const branch = res.pr !== undefined ? rollbackBranch(model, alias, to) : reg.branch;
    if (v.json) {
      ctx.out(
        JSON.stringify({
          model,
          alias,
          from: res.from,
          to: res.to,
          commit: res.commit,
          direct: res.pr === undefined,
          branch,
          ...(res.pr !== undefined ? { pr: res.pr, pr_url: res.prUrl } : {}),
          ...(res.issue !== undefined ? { issue: res.issue } : {}),
          ...(res.finalised ? { tags: res.finalised.flatMap((f) => f.tags) } : {}),
        }),
      );
      return 0;
    }
    if (res.pr !== undefined) {
      ctx.out(`Opened local PR #${res.pr} (${branch}): ${model} ${alias} v${res.from} -> v${res.to}.`);
      ctx.out(
        `It goes through the promotion gate: mlops gate ${branch} --approve <owner>, after evaluating it.`,
      );
    } else {
      ctx.out(
        `Emergency rollback of ${model} ${alias}: v${res.from} -> v${res.to} in commit ${res.commit.slice(0, 8)}; review issue #${res.issue} in ${forge.outbox}.`,
      );
    }
    return 0;
  },
};
