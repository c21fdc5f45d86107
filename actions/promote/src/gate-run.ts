/**
 * Run the gate on one PR: find the models it promotes, evaluate each, post the `mlops/promotion-gate (<model>)`
 * check run on the head commit (or a commit status), and merge when asked and every model passed.
 */
import type { Logger } from '../../../core/logger.ts';
import type { Forge } from '../../../github/forge.ts';
import { evaluateGate, type GateResult, gateCheckName, promotedModels } from './gate.ts';
import { gateStatusLine, gateSummary, gateTitle } from './report.ts';

/** Options of `runGate`. */
export interface RunGateOptions {
  forge: Forge;
  pr: number;
  /** Models to gate; default: every model whose aliases file the PR changes. */
  models?: string[];
  root: string;
  /** Post a check run (default) or a commit status. */
  reportAs: 'check' | 'status';
  /** Merge the PR when every model passed. */
  merge: boolean;
  mergeMethod: 'merge' | 'squash' | 'rebase';
  detailsUrl?: string;
  log: Logger;
}

/** What the gate decided, and whether it merged. */
export interface RunGateResult {
  results: GateResult[];
  passed: boolean;
  mergeSha?: string;
}

/** Evaluate and report the gate for every promoted model of a PR. A PR that moves no alias passes with no check. */
export async function runGate(opts: RunGateOptions): Promise<RunGateResult> {
  const { forge, log } = opts;
  const pr = await forge.getPullRequest(opts.pr);
  if (pr.state !== 'open') {
    log.info(`#${pr.number} is ${pr.merged ? 'merged' : 'closed'}; the gate only runs on open PRs.`);
    return { results: [], passed: false };
  }
  const files = await forge.listPullRequestFiles(pr.number);
  const models = opts.models ?? promotedModels(files, opts.root);
  if (models.length === 0) {
    log.info(`#${pr.number} moves no model alias under ${opts.root}/; no gate to apply.`);
    return { results: [], passed: true };
  }
  const results: GateResult[] = [];
  for (const model of models) {
    const r = await evaluateGate({ forge, pr, model, root: opts.root, files });
    results.push(r);
    const name = gateCheckName(model);
    if (opts.reportAs === 'status') {
      await forge.setStatus({
        sha: r.headSha,
        context: name,
        state: r.passed ? 'success' : 'failure',
        description: gateStatusLine(r),
        targetUrl: opts.detailsUrl,
      });
    } else {
      await forge.upsertCheckRun({
        name,
        headSha: r.headSha,
        status: 'completed',
        conclusion: r.passed ? 'success' : 'failure',
        title: gateTitle(r),
        summary: gateSummary(r),
        detailsUrl: opts.detailsUrl,
        externalId: JSON.stringify({ model, pr: pr.number, approvers: r.approvers }),
      });
    }
    log.info(`${name}: ${gateStatusLine(r)}`);
    for (const c of r.conditions.filter((x) => !x.ok)) for (const d of c.details) log.info(`  - ${d}`);
  }
  const passed = results.every((r) => r.passed);
  if (!passed || !opts.merge) return { results, passed };
  const mergeSha = await forge.mergePullRequest(pr.number, { sha: pr.headSha, method: opts.mergeMethod });
  log.info(`Merged #${pr.number} (${mergeSha.slice(0, 7)}).`);
  return { results, passed, mergeSha };
}
