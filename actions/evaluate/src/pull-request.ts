/**
 * The evaluate action's capability: resolve candidate and champion from the registry, fetch and verify their
 * artifacts, run the evaluation, then report it on the PR (sticky comment, check run with the evaluated
 * sha256s in `external_id`). Seams (Forge, store opener, table reader, logger) are passed in.
 */
import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import { UsageError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/logger.ts';
import { type Forge, type ForgeCheckRun, type ForgePullRequest, marker } from '../../../github/forge.ts';
import { escapeText } from '../../../github/markdown.ts';
import type { OrtModule } from '../../../onnx/runtime.ts';
import { openRegistry, type Registry } from '../../../registry/index.ts';
import { sha256File } from '../../../registry/stores/hash.ts';
import type { ArtifactStore } from '../../../registry/stores/types.ts';
import type { Table } from '../../../tables/types.ts';
import { formatCheckMetrics } from './check-metrics.ts';
import { evaluateCheckName, formatEvaluationExternalId, type EvaluationRecordId } from './external-id.ts';
import type { EvaluateActionInputs } from './inputs.ts';
import { recordEvaluation } from './record.ts';
import { checkTitle, renderComment } from './report.ts';
import { fetchArtifact, onnxArtifact, type ResolvedPair, resolvePair, storeUriFor } from './resolve.ts';
import { type EvaluationReport, runEvaluation } from './run.ts';

/** Seams of the action. */
export interface EvaluatePrDeps {
  log: Logger;
  /** GitHub (or the local adapter); without it nothing is posted. */
  forge?: Forge;
  openStore: (uri: string) => ArtifactStore;
  readTable: (uri: string, opts?: { columns?: string[] }) => Promise<Table>;
  ort?: OrtModule;
  /** Where fetched artifacts go. */
  tempDir: string;
  /** The workflow run, linked from the comment and the check. */
  runUrl?: string;
}

/** What the action did. */
export interface EvaluatePrResult {
  report: EvaluationReport;
  /** The comment and check-run Markdown. */
  markdown: string;
  /** The job summary: the same with every slice row. */
  summary: string;
  record: EvaluationRecordId;
  externalId: string;
  candidateLabel: string;
  championLabel?: string;
  /** The commit the check run was created on (the evaluated one, or the commit recording the summary on it). */
  headSha: string;
  /** The commit evaluated. */
  evaluatedSha: string;
  comment?: 'created' | 'updated' | 'unchanged' | 'failed';
  checkRun?: ForgeCheckRun;
}

/** The sha256 of a candidate file given by path; an unreadable file is a UsageError naming it. */
async function candidateSha256(path: string): Promise<string> {
  try {
    return (await sha256File(path)).sha256;
  } catch (err) {
    throw new UsageError(
      `cannot read the candidate '${path}': ${(err as Error).message}; expected an .onnx file.`,
    );
  }
}

/**
 * The primary metric that the last registered versions recorded at registration (their training or
 * validation metric). Drawn as its own chart: it is not measured on the evaluation rows.
 */
async function history(registry: Registry, pair: ResolvedPair, metric: string) {
  const versions = (await registry.versions(pair.spec.name, { at: 'HEAD' })).slice(-12);
  const points: { label: string; value: number | null }[] = [];
  for (const v of versions) {
    const r = await registry.resolve({ model: pair.spec.name, version: v }, { at: 'HEAD' });
    const value = r.metrics[metric];
    points.push({ label: `v${v}`, value: typeof value === 'number' ? value : null });
  }
  return points;
}

/** Run the evaluation for a model (and PR) and report it. */
export async function evaluatePullRequest(
  inp: EvaluateActionInputs,
  deps: EvaluatePrDeps,
): Promise<EvaluatePrResult> {
  const { log, forge } = deps;
  const registry = await openRegistry({ dir: inp.workingDir, root: inp.registryRoot, log });
  if (inp.pullRequest !== undefined && !forge) throw new UsageError('a pull request needs a GitHub token.');
  const pr: ForgePullRequest | undefined =
    inp.pullRequest !== undefined && forge ? await forge.getPullRequest(inp.pullRequest) : undefined;
  try {
    return await evaluateAndReport(inp, deps, registry, pr);
  } catch (err) {
    if (forge) await reportFailure(inp, deps, forge, registry, pr, err as Error);
    throw err;
  }
}

/**
 * A hard failure once the commit is known (a tampered champion, a missing column...): the check run on that
 * commit becomes `failure` with the error, so that an earlier green check cannot pass the promotion gate.
 */
async function reportFailure(
  inp: EvaluateActionInputs,
  deps: EvaluatePrDeps,
  forge: Forge,
  registry: Registry,
  pr: ForgePullRequest | undefined,
  err: Error,
): Promise<void> {
  const headSha = (await registryHead(registry)) ?? pr?.headSha;
  if (!headSha) return;
  const message = err.message || String(err);
  try {
    await forge.upsertCheckRun({
      name: evaluateCheckName(inp.model),
      headSha,
      status: 'completed',
      conclusion: 'failure',
      title: `Error: ${message.length > 200 ? `${message.slice(0, 197)}...` : message}`,
      summary: `### mlops evaluate: ${escapeText(inp.model)} could not be evaluated\n\n${escapeText(message)}`,
      ...(deps.runUrl ? { detailsUrl: deps.runUrl } : {}),
    });
  } catch (postErr) {
    deps.log.warn(`could not mark the check run as failed: ${(postErr as Error).message}`);
  }
}

async function evaluateAndReport(
  inp: EvaluateActionInputs,
  deps: EvaluatePrDeps,
  registry: Registry,
  pr: ForgePullRequest | undefined,
): Promise<EvaluatePrResult> {
  const { log, forge } = deps;
  const pair = await resolvePair({
    registry,
    model: inp.model,
    alias: inp.alias,
    candidate: inp.candidate,
    forge,
    pr,
  });
  const { spec, candidate, champion } = pair;
  const onnxMode = inp.predictions === undefined;
  const label = inp.label ?? spec.schema?.label;
  if (!label)
    throw new UsageError(
      `no label column: pass the 'label' input or set schema.label in ${inp.model}'s model.yaml.`,
    );
  if (onnxMode && !inp.data)
    throw new UsageError(
      "input 'data' is required: the evaluation set (CSV, Parquet or JSON Lines; path or s3://).",
    );
  let modelPath: string | undefined;
  let championPath: string | undefined;
  let artifacts: Record<string, string>;
  if (inp.candidate.kind === 'file') {
    modelPath = inp.candidate.path;
    artifacts = { [basename(modelPath)]: await candidateSha256(modelPath) };
    if (!onnxMode)
      throw new UsageError("a candidate .onnx file and 'predictions' are alternatives; give one.");
  } else if (onnxMode && candidate) {
    const a = onnxArtifact(candidate.record);
    const store = deps.openStore(storeUriFor(spec, inp.store, a));
    modelPath = await fetchArtifact({
      role: 'candidate',
      version: candidate,
      artifact: a,
      store,
      dir: deps.tempDir,
    });
    artifacts = { [a.path]: a.sha256 };
  } else {
    artifacts = Object.fromEntries((candidate?.record.artifacts ?? []).map((a) => [a.path, a.sha256]));
  }
  let championArtifacts: Record<string, string> | undefined;
  if (champion) {
    if (onnxMode) {
      const a = onnxArtifact(champion.record);
      const store = deps.openStore(storeUriFor(spec, inp.store, a));
      championPath = await fetchArtifact({
        role: 'champion',
        version: champion,
        artifact: a,
        store,
        dir: deps.tempDir,
      });
      championArtifacts = { [a.path]: a.sha256 };
    } else championArtifacts = Object.fromEntries(champion.record.artifacts.map((a) => [a.path, a.sha256]));
  }
  const report = await runEvaluation(
    {
      label,
      data: inp.data,
      model: modelPath,
      champion: championPath,
      predictions: inp.predictions,
      score: inp.score,
      baselineScore: inp.baselineScore,
      prediction: inp.prediction,
      baselinePrediction: inp.baselinePrediction,
      task: spec.task,
      threshold: inp.threshold,
      resamples: inp.resamples,
      seed: inp.seed,
      slices: inp.slices ?? spec.schema?.slices,
      features: spec.schema?.features.map((f) => f.name),
      dropNa: inp.dropNa,
      gates: spec.gates,
      primaryMetric: spec.primary_metric,
    },
    { readTable: deps.readTable, log, ort: deps.ort },
  );
  const record: EvaluationRecordId = {
    model: inp.model,
    ...(candidate ? { version: candidate.version } : {}),
    artifacts,
    ...(champion && championArtifacts && report.baseline
      ? { champion: { version: champion.version, artifacts: championArtifacts } }
      : {}),
  };
  const candidateLabel = candidate ? `v${candidate.version}` : basename(modelPath ?? 'candidate');
  const championLabel = !report.baseline ? undefined : champion ? `v${champion.version}` : 'baseline';
  const noChampion =
    champion && !report.baseline
      ? `Champion v${champion.version} has no predictions in this file (pass baseline-score or baseline-prediction)`
      : pair.noChampion;
  const view = {
    model: inp.model,
    report,
    candidateLabel,
    championLabel,
    noChampion,
    history: await history(registry, pair, report.primary_metric.name),
    artifacts: {
      ...artifacts,
      ...Object.fromEntries(
        Object.entries(championArtifacts ?? {}).map(([p, s]) => [`${championLabel} ${p}`, s]),
      ),
    },
    runUrl: deps.runUrl,
  };
  const markdown = renderComment(view);
  const summary = renderComment({ ...view, sliceRows: Number.POSITIVE_INFINITY });
  const externalId = formatEvaluationExternalId(record);
  const evaluatedSha = (await registryHead(registry)) ?? pr?.headSha ?? '';
  let headSha = evaluatedSha;
  const samePr =
    pr && forge && pr.headRepo.toLowerCase() === forge.repository.toLowerCase() && pr.headSha === headSha;
  if (inp.record && candidate && pr && samePr) {
    const recorded = await recordEvaluation({
      dir: registry.dir,
      root: registry.root,
      model: inp.model,
      version: candidate.version,
      branch: pr.headRef,
      summary: { commit: evaluatedSha, metrics: report.metrics, passed: report.passed },
      log,
    });
    if (recorded) {
      log.info(
        `recorded the evaluation in v${candidate.version}'s version.yaml on ${pr.headRef} (${recorded.slice(0, 7)})`,
      );
      headSha = recorded;
    }
  }
  const result: EvaluatePrResult = {
    report,
    markdown,
    summary,
    record,
    externalId,
    candidateLabel,
    championLabel,
    headSha,
    evaluatedSha,
  };
  if (pr && forge && inp.comment) {
    try {
      const up = await forge.upsertComment(pr.number, marker('evaluate', inp.model), markdown, {
        fullReportUrl: deps.runUrl,
      });
      result.comment = up.action;
    } catch (err) {
      result.comment = 'failed';
      log.warn(`could not post the evaluation comment on #${pr.number}: ${(err as Error).message}`);
    }
  }
  if (forge && headSha) {
    if (pr && pr.headSha !== evaluatedSha)
      log.warn(
        `the checkout is ${headSha.slice(0, 7)} but PR #${pr.number}'s head is ${pr.headSha.slice(0, 7)}; the check goes on the commit evaluated`,
      );
    result.checkRun = await forge.upsertCheckRun({
      name: evaluateCheckName(inp.model),
      headSha,
      status: 'completed',
      conclusion: report.passed ? 'success' : 'failure',
      title: checkTitle(report, championLabel),
      summary: markdown,
      text: formatCheckMetrics(report.metrics),
      externalId,
      ...(deps.runUrl ? { detailsUrl: deps.runUrl } : {}),
    });
  }
  return result;
}

function registryHead(registry: Registry): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', '--verify', '-q', 'HEAD'], { cwd: registry.dir }, (err, out) =>
      resolve(err ? undefined : out.trim() || undefined),
    );
  });
}
