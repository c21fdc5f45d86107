/**
 * `mlops gate <branch>`: the promotion gate on a laptop. The branch is a local pull request (LocalForge: the
 * outbox under `.mlops/outbox/`), approvals come from `--approve`, and the same `runGate` as the promote action
 * decides and writes the `mlops/promotion-gate (<model>)` checks and the `mlops/promotion-gate` status to the outbox.
 */
import { UsageError } from '../../core/errors.ts';
import type { ForgePullRequest } from '../../github/forge.ts';
import { LocalForge } from '../../github/local-forge.ts';
import { validateModelName } from '../../registry/names.ts';
import { runGate } from '../../actions/promote/src/gate-run.ts';
import type { GateResult } from '../../actions/promote/src/gate.ts';
import { parseFlags } from '../args.ts';
import type { Command, CommandContext } from '../command.ts';
import { noExtra, openFromFlags, positional } from '../registry-options.ts';

/** `alice` (approves the branch head) or `alice@<sha>` (approves that commit). */
function parseApproval(entry: string, head: string): { reviewer: string; sha: string } {
  const m = /^@?([A-Za-z0-9][A-Za-z0-9-]{0,38})(?:@([0-9a-f]{7,40}))?$/.exec(entry.trim());
  if (!m)
    throw new UsageError(
      `--approve '${entry}' is not valid: expected a login such as alice, or alice@<commit sha>.`,
    );
  return { reviewer: m[1], sha: m[2] ?? head };
}

/** `org/team=alice,bob`. */
function parseTeam(entry: string): [string, string[]] {
  const m = /^@?([A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+)=([A-Za-z0-9-]+(?:,[A-Za-z0-9-]+)*)$/.exec(
    entry.trim(),
  );
  if (!m) throw new UsageError(`--team '${entry}' is not valid: expected org/team=login[,login…].`);
  return [m[1], m[2].split(',')];
}

/** The open local pull request for `branch`, opened now when there is none (UsageError when the branch is missing). */
async function pullRequestFor(forge: LocalForge, branch: string, base: string): Promise<ForgePullRequest> {
  const open = (await forge.findPullRequestsForBranch(branch))[0];
  return (
    open ??
    forge.openPullRequest({
      head: branch,
      base,
      title: `Promote from ${branch}`,
      body: 'Opened by mlops gate.',
    })
  );
}

function describe(r: GateResult): string[] {
  const lines = [
    `${r.passed ? 'PASSED' : 'BLOCKED'}  ${r.model}: ${r.changes.map((c) => `${c.alias} -> v${c.to ?? '-'}`).join(', ')}`,
  ];
  for (const c of r.conditions) {
    for (const d of c.details) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.id}: ${d}`);
  }
  return lines;
}

async function run(ctx: CommandContext): Promise<number> {
  const { values: v, positionals } = parseFlags('gate', ctx.argv, {
    root: { type: 'string' },
    base: { type: 'string' },
    model: { type: 'string', multiple: true },
    approve: { type: 'string', multiple: true },
    team: { type: 'string', multiple: true },
    author: { type: 'string' },
    'report-as': { type: 'string' },
    merge: { type: 'boolean' },
  });
  const branch = positional(positionals, 0, '<branch>', 'gate');
  noExtra(positionals, 1, 'gate');
  const reportAs = v['report-as'] ?? 'check';
  if (reportAs !== 'check' && reportAs !== 'status')
    throw new UsageError(`--report-as '${reportAs}' is not valid: expected check or status.`);
  const reg = await openFromFlags(ctx, { root: v.root });
  const base = v.base ?? reg.branch;
  const models = v.model?.map(validateModelName);
  const probe = new LocalForge({ root: reg.dir, author: v.author, logger: ctx.log });
  const pr = await pullRequestFor(probe, branch, base);
  const head = pr.headSha;
  const forge = new LocalForge({
    root: reg.dir,
    author: v.author,
    approvals: (v.approve ?? []).map((a) => parseApproval(a, head)),
    teams: Object.fromEntries((v.team ?? []).map(parseTeam)),
    logger: ctx.log,
  });
  const out = await runGate({
    forge,
    pr: pr.number,
    models,
    root: reg.root,
    reportAs,
    merge: v.merge ?? false,
    mergeMethod: 'merge',
    log: ctx.log,
  });
  if (v.json) {
    ctx.out(
      JSON.stringify({
        pr: pr.number,
        branch,
        head,
        passed: out.passed,
        merged: out.mergeSha ?? null,
        aggregate: out.aggregate ?? null,
        results: out.results.map((r) => ({
          model: r.model,
          passed: r.passed,
          approvers: r.approvers,
          changes: r.changes,
          conditions: r.conditions,
        })),
      }),
    );
  } else if (out.results.length === 0) {
    ctx.out(`${branch} moves no model alias under ${reg.root}/; nothing to gate.`);
  } else {
    ctx.out(out.results.flatMap(describe).join('\n'));
    if (out.aggregate) ctx.out(`mlops/promotion-gate: ${out.aggregate.state}. ${out.aggregate.description}`);
    ctx.out(
      out.mergeSha
        ? `Merged ${branch} into ${base} (${out.mergeSha.slice(0, 8)}).`
        : `Gate written to ${forge.outbox}. ${out.passed ? `Next: merge ${branch} (or rerun with --merge).` : 'Fix the failures above and run mlops gate again.'}`,
    );
  }
  return out.passed ? 0 : 1;
}

/** `mlops gate`. */
export const gateCommand: Command = {
  name: 'gate',
  summary: 'Check a promotion branch locally: owner approvals (from flags) and a green evaluation',
  help: `Usage: mlops gate <branch> [--approve LOGIN[@SHA]]… [options]

Runs the promote action's gate on a local branch that moves a model alias, as a local pull request
(recorded under .mlops/outbox/). It passes only when the branch comes with the required approvals of the
model's owners (model.yaml owners, else CODEOWNERS) on its head commit, never the author's own, and a
successful mlops/evaluate (<model>) check for the same head commit and artifacts in the outbox. Every
unmet condition is listed. The PR's mlops/promotion-gate status (the one branch protection requires) is
written to the outbox's statuses.json.

Options:
  --approve LOGIN[@SHA]   an approval by LOGIN of the branch head (or of commit SHA); repeatable
  --team ORG/TEAM=A,B     members of an owner team; repeatable
  --author LOGIN          who opened the pull request (default: local); their approval never counts
  --base BRANCH           branch the promotion merges into (default: the registry branch)
  --model NAME            gate only this model (repeatable; default: every model whose aliases change)
  --report-as KIND        check (default) or status
  --merge                 merge the branch into the base when the gate passes
  --root DIR              registry folder (default: models)
  --json                  print the result as JSON

Exit codes: 0 passed (or nothing to gate), 1 the gate failed, 2 bad input.`,
  run,
};
