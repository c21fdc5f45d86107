/**
 * What people read from the gate: the check run (verdict first, every unmet condition, what to do next) and
 * the one-line commit status. Model names, branch names and logins are escaped.
 */
import { escapeText } from '../../../github/markdown.ts';
import type { GateCondition, GateResult } from './gate.ts';

const LABELS: Record<GateCondition['id'], string> = {
  source: 'Source branch',
  files: 'Files changed',
  alias: 'Alias change',
  evaluation: 'Evaluation',
  approvals: 'Approvals',
};

const NEXT: Record<GateCondition['id'], string> = {
  source: 'open the promotion PR from a branch of this repository',
  files: 'move the other changes to a separate PR',
  alias: 'point the alias at a registered version',
  evaluation: 'run the evaluate workflow on the head commit',
  approvals: 'ask a model owner to review the head commit',
};

/** The check run's title: the verdict in a few words. */
export function gateTitle(r: GateResult): string {
  if (r.passed) return `Ready to promote: ${r.changes.map((c) => `${c.alias} -> v${c.to}`).join(', ')}`;
  const unmet = r.conditions.filter((c) => !c.ok);
  return `Blocked: ${unmet.length} condition${unmet.length === 1 ? '' : 's'} unmet (${unmet.map((c) => LABELS[c.id].toLowerCase()).join(', ')})`;
}

/** One line for the commit status (at most 140 characters, GitHub's limit). */
export function gateStatusLine(r: GateResult): string {
  const text = r.passed
    ? `approved by ${r.approvers.join(', ')}`
    : r.conditions.filter((c) => !c.ok).flatMap((c) => c.details)[0];
  const line = `${r.passed ? 'Passed' : 'Blocked'}: ${text ?? ''}`;
  return line.length <= 140 ? line : `${line.slice(0, 139)}…`;
}

/** The check run's Markdown summary: verdict, unmet conditions with the next step, then what holds. */
export function gateSummary(r: GateResult): string {
  const model = escapeText(r.model);
  const lines: string[] = [];
  if (r.passed) {
    lines.push(`**Passed.** ${model} may be promoted; merging this PR moves the alias.`);
  } else {
    lines.push(`**Blocked.** ${model} cannot be promoted yet:`, '');
    for (const c of r.conditions.filter((x) => !x.ok)) {
      lines.push(`- **${LABELS[c.id]}**: ${c.details.map(escapeText).join('; ')}. Next: ${NEXT[c.id]}.`);
    }
  }
  const met = r.conditions.filter((c) => c.ok);
  if (met.length > 0) {
    lines.push('', r.passed ? 'Checked:' : 'Already satisfied:', '');
    for (const c of met) lines.push(`- ${LABELS[c.id]}: ${c.details.map(escapeText).join('; ')}`);
  }
  return lines.join('\n');
}
