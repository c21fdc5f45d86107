/**
 * `mlops list`: every model with its champion and primary metric.
 */
import { parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { noExtra, num, openFromFlags, registryFlags, registryFlagsHelp } from '../registry-options.ts';

/** `mlops list`. */
export const listCommand: Command = {
  name: 'list',
  summary: 'List models with their champion, primary metric and latest version',
  help: `Usage: mlops list [--json] [--at REV]

Options:
  --at REV      read as of a commit, branch or tag
  --json        print [{name, task, primary_metric, champion, champion_value, latest, versions, aliases, archived}]
                (invalid models are named on stderr)
${registryFlagsHelp}

Exit codes: 0 ok, 2 bad input.`,
  async run(ctx) {
    const { values: v, positionals } = parseFlags('list', ctx.argv, {
      ...registryFlags,
      at: { type: 'string' },
    });
    noExtra(positionals, 0, 'list');
    const reg = await openFromFlags(ctx, v);
    const { models, invalid } = await reg.survey({ at: v.at });
    const broken = invalid.map((m) => `  ${m.name}: ${m.error}`);
    const rows = models.map((m) => ({
      name: m.name,
      task: m.spec.task,
      primary_metric: m.spec.primary_metric,
      champion: m.aliases.aliases.champion ?? null,
      champion_value: m.champion?.metrics[m.spec.primary_metric.name] ?? null,
      latest: m.latest ?? null,
      versions: m.versions.length,
      aliases: m.aliases.aliases,
      archived: m.aliases.archived,
    }));
    if (v.json) {
      for (const m of invalid) ctx.log.warn(`model '${m.name}' is invalid: ${m.error}`);
      ctx.out(JSON.stringify(rows));
      return 0;
    }
    if (rows.length === 0 && broken.length > 0) {
      ctx.out(`No valid models in ${reg.root}/. Invalid models:\n${broken.join('\n')}`);
      return 0;
    }
    if (rows.length === 0) {
      ctx.out(`No models in ${reg.root}/. Next: mlops init <model> --task binary --metric roc_auc`);
      return 0;
    }
    const table = [['MODEL', 'CHAMPION', 'PRIMARY METRIC', 'VALUE', 'LATEST', 'VERSIONS']].concat(
      rows.map((r) => [
        r.name,
        r.champion ? `v${r.champion}` : '-',
        `${r.primary_metric.name} ${r.primary_metric.direction === 'maximize' ? '↑' : '↓'}`,
        num(r.champion_value),
        r.latest ? `v${r.latest}` : '-',
        String(r.versions),
      ]),
    );
    const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
    ctx.out(
      table
        .map((row) =>
          row
            .map((c, i) => c.padEnd(widths[i]))
            .join('  ')
            .trimEnd(),
        )
        .join('\n'),
    );
    if (broken.length > 0) ctx.out(`\nInvalid models (fix their files):\n${broken.join('\n')}`);
    return 0;
  },
};
