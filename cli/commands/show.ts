/**
 * `mlops show <model>[@alias|@vN]`: one version's record, most important first.
 */
import { parseModelRef } from '../../registry/names.ts';
import { parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import {
  noExtra,
  num,
  openFromFlags,
  positional,
  registryFlags,
  registryFlagsHelp,
} from '../registry-options.ts';

/** `mlops show`. */
export const showCommand: Command = {
  name: 'show',
  summary: 'Show a version: model, model@alias or model@vN',
  help: `Usage: mlops show <model>[@alias|@vN] [--json] [--at REV]

<model> alone shows the champion, or the latest version when there is none.

Options:
  --at REV      read the registry as of a commit, branch or tag
  --json        print the version record (with aliases and status) as JSON
${registryFlagsHelp}

Exit codes: 0 ok, 2 unknown model, alias or version.`,
  async run(ctx) {
    const { values: v, positionals } = parseFlags('show', ctx.argv, {
      ...registryFlags,
      at: { type: 'string' },
    });
    const ref = parseModelRef(positional(positionals, 0, '<model>[@alias|@vN]', 'show'));
    noExtra(positionals, 1, 'show');
    const reg = await openFromFlags(ctx, v);
    const read = { at: v.at };
    const rec = await reg.resolve(ref, read);
    const [spec, al] = await Promise.all([reg.spec(ref.model, read), reg.aliases(ref.model, read)]);
    const aliases = Object.entries(al.aliases)
      .filter(([, n]) => n === rec.version)
      .map(([a]) => a);
    const status = al.archived.includes(rec.version) ? 'archived' : 'active';
    if (v.json) {
      ctx.out(JSON.stringify({ ...rec, aliases, status }));
      return 0;
    }
    const pm = spec.primary_metric.name;
    const lines = [
      `${rec.model} v${rec.version}${aliases.length ? ` [${aliases.join(', ')}]` : ''} (${status})`,
      `  ${pm}: ${num(rec.metrics[pm])} (${spec.primary_metric.direction})`,
      `  created ${rec.created} by ${rec.created_by}`,
    ];
    if (rec.description) lines.push(`  ${rec.description}`);
    const others = Object.entries(rec.metrics).filter(([k]) => k !== pm);
    if (others.length) lines.push(`  metrics: ${others.map(([k, x]) => `${k} ${num(x)}`).join(', ')}`);
    const params = Object.entries(rec.params);
    if (params.length)
      lines.push(`  params: ${params.map(([k, x]) => `${k}=${JSON.stringify(x)}`).join(', ')}`);
    if (rec.source.commit)
      lines.push(
        `  source: ${rec.source.repository ?? ''} ${rec.source.commit.slice(0, 8)}${rec.source.dirty ? ' (dirty work tree)' : ''}`,
      );
    lines.push('  artifacts:');
    for (const a of rec.artifacts)
      lines.push(`    ${a.path}  ${a.bytes} bytes  sha256 ${a.sha256}`, `      ${a.uri}`);
    lines.push(
      `Card: ${reg.root}/${rec.model}/versions/v${rec.version}/card.md   History: mlops history ${rec.model}`,
    );
    ctx.out(lines.join('\n'));
    return 0;
  },
};
