/**
 * `mlops promote <model> <vN>`: move an alias (champion by default) directly, locally. The reviewed path
 * (approved PR, green evaluation) is the promote action's; this is the same registry write.
 */
import { parseVersionLabel, validateAliasName } from '../../registry/names.ts';
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

/** `mlops promote`. */
export const promoteCommand: Command = {
  name: 'promote',
  summary: 'Point an alias (champion by default) at a version; the old champion is archived',
  help: `Usage: mlops promote <model> <vN> [--alias NAME] [options]

Moves the alias to the version in one commit and pushes. For the champion alias the version it
pointed to before is archived (--keep-previous to keep it active). An archived version can be
promoted again (that is a rollback; see mlops rollback).

Options:
  --alias NAME       alias to move (default: champion); any name: challenger, staging, production…
  --reason TEXT      why, recorded in the commit message
  --keep-previous    do not archive the previous version
  --json             print the result as JSON
${registryFlagsHelp}

Exit codes: 0 ok (also when the alias already pointed there), 2 bad input (nothing written).`,
  async run(ctx) {
    const { values: v, positionals } = parseFlags('promote', ctx.argv, {
      ...registryFlags,
      alias: { type: 'string' },
      reason: { type: 'string' },
      'keep-previous': { type: 'boolean' },
    });
    const model = positional(positionals, 0, '<model> <vN>', 'promote');
    const version = parseVersionLabel(positional(positionals, 1, '<model> <vN>', 'promote'));
    noExtra(positionals, 2, 'promote');
    const alias = validateAliasName(v.alias ?? 'champion');
    const reg = await openFromFlags(ctx, v);
    const res = await reg.setAlias({
      ...writeOpts(v),
      model,
      alias,
      version,
      archivePrevious: alias === 'champion' && !v['keep-previous'],
      reason: v.reason,
    });
    if (v.json) {
      ctx.out(
        JSON.stringify({
          model,
          alias,
          version,
          previous: res.previous ?? null,
          archived: res.archived,
          changed: res.changed,
          commit: res.commit,
          pushed: res.pushed,
        }),
      );
      return 0;
    }
    if (!res.changed) {
      ctx.out(`${model}@${alias} is already v${version}; nothing to do.`);
      return 0;
    }
    const from =
      res.previous !== undefined
        ? ` (was v${res.previous}${res.archived.length ? ', now archived' : ''})`
        : '';
    ctx.out(
      `${model}@${alias} -> v${version}${from} in commit ${res.commit.slice(0, 8)}${res.pushed ? `, pushed to ${reg.remote}/${res.branch}` : ''}.`,
    );
    ctx.out(
      res.previous !== undefined
        ? `Undo with: mlops rollback ${model}${alias === 'champion' ? '' : ` --alias ${alias}`}`
        : `Next: mlops show ${model}@${alias}`,
    );
    return 0;
  },
};
