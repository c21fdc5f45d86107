/**
 * `mlops history <model>`: the model's events (registered, alias set/moved, archived, rolled back), newest first;
 * a promotion shows the PR and approvers its `<model>@v<N>` tag recorded.
 */
import { validateModelName } from '../../registry/names.ts';
import { historyWithPromotions, type PromotionEvent } from '../../registry/tags.ts';
import { numberFlag, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { noExtra, openFromFlags, positional, registryFlags, registryFlagsHelp } from '../registry-options.ts';

/** The indented lines under a promotion: PR and approvers, then the evaluated metrics. */
function promotionLines(e: PromotionEvent): string[] {
  if (!e.tag) return [];
  const who = e.approvers?.length ? `approved by ${e.approvers.join(', ')}` : 'no approvals recorded';
  const lines = [`    ${e.pr !== undefined ? `PR #${e.pr}, ` : ''}${who} (tag ${e.tag})`];
  const metrics = Object.entries(e.metrics ?? {});
  const label =
    e.metricsSource === 'training'
      ? 'training metrics (no evaluation recorded)'
      : e.metricsSource === 'evaluated'
        ? 'evaluated metrics'
        : 'metrics';
  if (metrics.length) lines.push(`    ${label}: ${metrics.map(([k, n]) => `${k}=${n}`).join(', ')}`);
  return lines;
}

/** `mlops history`. */
export const historyCommand: Command = {
  name: 'history',
  summary: "A model's events from Git: registrations, promotions, archives, rollbacks",
  help: `Usage: mlops history <model> [--limit N] [--json]

Reads the Git log of models/<model>/ (only that model's commits) and prints one line per event,
newest first, with time, commit and author. A promotion that went through the promote action also
shows its pull request, its approvers and the evaluated metrics (those of the mlops/evaluate check on the
PR head; else the version's training metrics, labelled so), read from the annotated tag <model>@v<N> that
finalise created, or <model>@v<N>-promoted-<k> for a later promotion of the same version (a rollback)
(tags present in this clone: git fetch --tags to see new ones).

Options:
  --limit N     read at most N commits
  --at REV      read as of a commit, branch or tag
  --json        print the events as a JSON array
${registryFlagsHelp}

Exit codes: 0 ok, 2 unknown model.`,
  async run(ctx) {
    const { values: v, positionals } = parseFlags('history', ctx.argv, {
      ...registryFlags,
      limit: { type: 'string' },
      at: { type: 'string' },
    });
    const model = validateModelName(positional(positionals, 0, '<model>', 'history'));
    noExtra(positionals, 1, 'history');
    const limit = numberFlag('limit', v.limit, { integer: true, min: 1 });
    const reg = await openFromFlags(ctx, v);
    await reg.spec(model, { at: v.at });
    const events = await historyWithPromotions(reg.dir, model, await reg.history(model, { limit, at: v.at }));
    if (v.json) {
      ctx.out(JSON.stringify(events));
      return 0;
    }
    const lines = events.map((e) => {
      const what =
        e.type === 'registered'
          ? `registered v${e.version}`
          : e.type === 'archived'
            ? `archived v${e.version}`
            : e.type === 'rolled_back'
              ? `rolled back ${e.alias} v${e.from} -> v${e.version}`
              : e.from !== undefined
                ? `moved ${e.alias} v${e.from} -> v${e.version}`
                : `set ${e.alias} to v${e.version}`;
      const line = `${e.time.replace('T', ' ')}  ${e.commit.slice(0, 8)}  ${what.padEnd(34)}  ${e.author.replace(/\s*<.*>$/, '')}`;
      return [line, ...promotionLines(e)].join('\n');
    });
    ctx.out(
      lines.length
        ? [`${model}: ${events.length} event(s), newest first`, ...lines].join('\n')
        : `${model}: no events yet. Next: mlops register ${model} --artifact PATH`,
    );
    return 0;
  },
};
