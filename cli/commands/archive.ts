/**
 * `mlops archive <model> <vN>`: mark a version archived (its files stay; the registry lists it as archived).
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

/** `mlops archive`. */
export const archiveCommand: Command = {
  name: 'archive',
  summary: 'Mark a version archived (no alias may point at it)',
  help: `Usage: mlops archive <model> <vN> [--reason TEXT] [options]

Records the version in models/<model>/aliases.yaml as archived. Its record, card and artifacts stay.
A version an alias points at cannot be archived: move the alias first.

Options:
  --reason TEXT    why, recorded in the commit message
  --json           print the result as JSON
${registryFlagsHelp}

Exit codes: 0 ok, 2 bad input (nothing written).`,
  async run(ctx) {
    const { values: v, positionals } = parseFlags('archive', ctx.argv, {
      ...registryFlags,
      reason: { type: 'string' },
    });
    const model = positional(positionals, 0, '<model> <vN>', 'archive');
    const version = parseVersionLabel(positional(positionals, 1, '<model> <vN>', 'archive'));
    noExtra(positionals, 2, 'archive');
    const reg = await openFromFlags(ctx, v);
    const res = await reg.archive({ ...writeOpts(v), model, version, reason: v.reason });
    if (v.json) ctx.out(JSON.stringify({ model, version, commit: res.commit, pushed: res.pushed }));
    else ctx.out(`Archived ${model} v${version}${res.commit ? ` in commit ${res.commit.slice(0, 8)}` : ''}.`);
    return 0;
  },
};
