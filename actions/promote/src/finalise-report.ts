/**
 * The PR comment after a promotion is finalised: verdict first (what moved), then who approved, the tag and
 * what was archived. Logins and model names are escaped.
 */
import { escapeText } from '../../../github/markdown.ts';
import type { ModelFinalisation } from './finalise.ts';

/** Markdown for the PR comment of one finalised model. */
export function finaliseComment(r: ModelFinalisation): string {
  const model = escapeText(r.model);
  const moves = r.changes.map(
    (c) =>
      `${escapeText(c.alias)} ${c.from !== undefined ? `v${c.from} → ` : ''}${c.to !== undefined ? `v${c.to}` : 'removed'}`,
  );
  const lines = [`**Promoted ${model}**: ${moves.join(', ')}.`, ''];
  lines.push(
    `- Approved by: ${r.approvers.length ? r.approvers.map((a) => escapeText(`@${a}`)).join(', ') : 'nobody recorded'}`,
  );
  if (r.tags.length) lines.push(`- Tagged: ${r.tags.map((t) => `\`${t}\``).join(', ')}`);
  if (r.existingTags.length)
    lines.push(`- Already tagged earlier: ${r.existingTags.map((t) => `\`${t}\``).join(', ')}`);
  if (r.archived.length) lines.push(`- Archived: ${r.archived.map((v) => `v${v}`).join(', ')}`);
  lines.push(
    '',
    `To undo, run the promote workflow with \`rollback-to\` (it opens a PR through the same gate).`,
  );
  return lines.join('\n');
}
