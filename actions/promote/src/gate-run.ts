/**
 * Run the gate on one PR: find the models it promotes, evaluate each, post the `mlops/promotion-gate (<model>)`
 * check run on the head commit (or a commit status), then the one aggregate status `mlops/promotion-gate` that
 * branch protection requires, and merge when asked and every model passed.
 */
import type { Logger } from '../../../core/logger.ts';
import type { Forge, ForgePullRequest } from '../../../github/forge.ts';
import { AGGREGATE_CONTEXT, type GateAggregate, aggregateGate } from './aggregate.ts';
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
  /** Slug of the only App whose `mlops/evaluate` check counts; undefined: any (local forge). */
  evaluateApp?: string;
  log: Logger;
}

/** What the gate decided, and whether it merged. */
export interface RunGateResult {
  results: GateResult[];
  passed: boolean;
  mergeSha?: string;
  /** The `mlops/promotion-gate` status posted on the PR head (absent for a closed PR, or a partial `models` list). */
  aggregate?: GateAggregate;
}

/**
 * Evaluate and report the gate for every promoted model of a PR, then the aggregate status on the head the PR
 * has now (read through the Forge, not from the event). A PR that moves no alias gets a passing aggregate only.
 * When the gate cannot run to the end, the aggregate fails with the reason and the error is rethrown.
 */
export async function runGate(opts: RunGateOptions): Promise<RunGateResult> {
  const { forge, log } = opts;
  const pr = await forge.getPullRequest(opts.pr);
  if (pr.state !== 'open') {
    log.info(`#${pr.number} is ${pr.merged ? 'merged' : 'closed'}; the gate only runs on open PRs.`);
    return { results: [], passed: false };
  }
  const results: GateResult[] = [];
  const checkUrls: Record<string, string | undefined> = {};
  let complete = true;
  try {
    const files = await forge.listPullRequestFiles(pr.number);
    const promoted = promotedModels(files, opts.root);
    const models = opts.models ?? promoted;
    complete = promoted.every((m) => models.includes(m));
    if (models.length === 0)
      log.info(`#${pr.number} moves no model alias under ${opts.root}/; no gate to apply.`);
    await gateModels({ ...opts, pr, files, models, results, checkUrls });
  } catch (err) {
    const failed = aggregateGate({ results, checkUrls, detailsUrl: opts.detailsUrl, error: message(err) });
    // The original error is what the step reports; a failure to post the status is only logged.
    await postAggregate(forge, pr, failed, log).catch((e) =>
      log.warn(`could not post ${AGGREGATE_CONTEXT}: ${message(e)}`),
    );
    throw err;
  }
  const aggregate = aggregateGate({ results, checkUrls, prUrl: pr.url, detailsUrl: opts.detailsUrl });
  if (complete) await postAggregate(forge, pr, aggregate, log);
  else log.info(`${AGGREGATE_CONTEXT} not posted: the 'model' list leaves out models this PR promotes.`);
  const passed = results.every((r) => r.passed);
  const out: RunGateResult = { results, passed, ...(complete ? { aggregate } : {}) };
  if (!passed || !opts.merge || results.length === 0) return out;
  const mergeSha = await forge.mergePullRequest(pr.number, { sha: pr.headSha, method: opts.mergeMethod });
  log.info(`Merged #${pr.number} (${mergeSha.slice(0, 7)}).`);
  return { ...out, mergeSha };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Post the aggregate status on the PR head. */
async function postAggregate(
  forge: Forge,
  pr: ForgePullRequest,
  a: GateAggregate,
  log: Logger,
): Promise<void> {
  await forge.setStatus({
    sha: pr.headSha,
    context: AGGREGATE_CONTEXT,
    state: a.state,
    description: a.description,
    targetUrl: a.targetUrl,
  });
  log.info(`${AGGREGATE_CONTEXT}: ${a.state}. ${a.description}`);
}

async function gateModels(
  opts: Omit<RunGateOptions, 'pr'> & {
    pr: ForgePullRequest;
    files: string[];
    models: string[];
    results: GateResult[];
    checkUrls: Record<string, string | undefined>;
  },
): Promise<void> {
  const { forge, log, pr, files, results } = opts;
  for (const model of opts.models) {
    const r = await evaluateGate({ forge, pr, model, root: opts.root, files, evaluateApp: opts.evaluateApp });
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
      const check = await forge.upsertCheckRun({
        name,
        headSha: r.headSha,
        status: 'completed',
        conclusion: r.passed ? 'success' : 'failure',
        title: gateTitle(r),
        summary: gateSummary(r),
        detailsUrl: opts.detailsUrl,
        externalId: JSON.stringify({ model, pr: pr.number, approvers: r.approvers }),
      });
      opts.checkUrls[model] = check.url;
    }
    log.info(`${name}: ${gateStatusLine(r)}`);
    for (const c of r.conditions.filter((x) => !x.ok)) for (const d of c.details) log.info(`  - ${d}`);
  }
}
