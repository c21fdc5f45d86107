/**
 * `mlops rollback <model> [--to vN]`: move the champion (or another alias) back to its previous version.
 */
import { parseVersionLabel } from '../../registry/names.ts';
import { parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import {
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
  summary: 'Move the champion back to the version it replaced (or --to vN)',
  help: `Usage: mlops rollback <model> [--to vN] [--alias NAME] [options]

Without --to, goes back to the version the alias held before the current one (read from the
history; rolling back twice goes back twice). The version rolled back from is archived when the
alias is champion; the version rolled back to is made active again.

Options:
  --to vN          version to go back to
  --alias NAME     alias to roll back (default: champion)
  --reason TEXT    why, recorded in the commit message
  --json           print the result as JSON
${registryFlagsHelp}

Exit codes: 0 ok, 2 bad input or nothing to roll back to (nothing written).`,
  async run(ctx) {
    const { values: v, positionals } = parseFlags('rollback', ctx.argv, {
      ...registryFlags,
      to: { type: 'string' },
      alias: { type: 'string' },
      reason: { type: 'string' },
    });
    const model = positional(positionals, 0, '<model>', 'rollback');
    noExtra(positionals, 1, 'rollback');
    const to = v.to === undefined ? undefined : parseVersionLabel(v.to);
    const reg = await openFromFlags(ctx, v);
    const res = await reg.rollback({ ...writeOpts(v), model, to, alias: v.alias, reason: v.reason });
    if (v.json) {
      ctx.out(
        JSON.stringify({
          model,
          alias: res.alias,
          from: res.from,
          to: res.to,
          commit: res.commit,
          pushed: res.pushed,
        }),
      );
      return 0;
    }
    ctx.out(
      `Rolled back ${model}@${res.alias}: v${res.from} -> v${res.to} in commit ${res.commit.slice(0, 8)}${res.pushed ? `, pushed to ${reg.remote}/${res.branch}` : ''}.`,
    );
    ctx.out(`See: mlops history ${model}`);
    return 0;
  },
};
