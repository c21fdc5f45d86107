/**
 * One drift run, shared by the action and `mlops drift`: read the current window, get the reference (the
 * champion's saved profile through the registry, or a file), test every feature, the predictions and the target,
 * write the Markdown and HTML reports, store them in the artifact store, and keep the retraining issue in step.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Clock } from '../../../core/clock.ts';
import { UsageError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/logger.ts';
import type { Forge } from '../../../github/forge.ts';
import type { Env } from '../../../registry/stores/s3-client.ts';
import type { ArtifactStore } from '../../../registry/stores/types.ts';
import type { MethodChoice } from '../../../stats/drift/test-column.ts';
import { readWindow, type Table } from '../../../tables/index.ts';
import { compareData, driftJson } from './compare.ts';
import { type RetrainSettings, type SyncIssueResult, syncIssue } from './issue.ts';
import { predictionDrift, ran, targetDrift } from './outcomes.ts';
import type { ReferenceProfile } from './profile.ts';
import { championPredictor, resolveReference } from './reference.ts';
import { htmlReport } from './report-html.ts';
import { markdownReport } from './report-md.ts';
import type { DriftRun } from './types.ts';

/** What to compare and what to do with the verdict. */
export interface DriftOptions {
  /** The model (registry name). Needed for the champion's profile, the issue and the stored report. */
  model?: string;
  /** Registry folder. Default `models`. */
  registryRoot?: string;
  /** The Git work tree holding the registry. Default: the current directory. */
  workingDir?: string;
  /** The alias whose saved profile is the reference. Default `champion`. */
  alias?: string;
  /** Current data: a path, glob, directory or `s3://` prefix. */
  current: string;
  /** Window: `7d`, `24h`… (partition date or object time). Default: every file. */
  since?: string;
  /** A reference file (data or saved profile) instead of the champion's profile. */
  reference?: string;
  method?: MethodChoice;
  threshold?: number;
  minRows?: number;
  /** Only these feature columns. */
  columns?: string[];
  categorical?: string[];
  /** Logged prediction column. Default spec.drift.prediction_column, else `prediction` when a model is named. */
  predictionColumn?: string;
  /** Label column. Default spec.drift.target_column, else spec.schema.label. */
  targetColumn?: string;
  /** A local ONNX model to run for prediction drift (default: the champion's, when the registry is used). */
  modelFile?: string;
  /** Run the model when no prediction column is logged. Default true. */
  runModel?: boolean;
  /** Store URI when model.yaml names none (also where reports go). */
  artifactStore?: string;
  /** Write the HTML / Markdown report here. */
  reportHtml?: string;
  reportMarkdown?: string;
  /** Store the reports in the artifact store under `drift/<model>/<time>/`. Default true when a store is known. */
  storeReport?: boolean;
  /** Keep the retraining issue (needs a forge and a model). Default true. */
  openIssue?: boolean;
  closeAfter?: number;
  retrain?: RetrainSettings;
  runUrl?: string;
}

/** The seams. */
export interface DriftDeps {
  log: Logger;
  clock?: Clock;
  forge?: Forge;
  openStore: (uri: string) => ArtifactStore;
  env?: Env;
}

/** What a run produced. */
export interface DriftOutcome {
  run: DriftRun;
  json: ReturnType<typeof driftJson> & Record<string, unknown>;
  markdown: string;
  html: string;
  /** URI of the stored HTML report. */
  reportUri?: string;
  issue?: SyncIssueResult;
}

function reasonsOf(run: Omit<DriftRun, 'reasons' | 'drift'>): string[] {
  const out: string[] = [];
  const f = run.features;
  if (f.dataset_drift) {
    const names = f.columns.filter((c) => c.drifted).map((c) => c.name);
    out.push(
      `dataset drift: ${names.length} drifted feature(s) (share ${f.share_drifted.toFixed(3)}): ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}`,
    );
  }
  for (const [what, o] of [
    ['prediction', run.prediction],
    ['target', run.target],
  ] as const) {
    if (o && ran(o) && o.result.drifted)
      out.push(`${what} drift in '${o.column}' (${o.result.method} ${o.result.statistic?.toPrecision(4)})`);
  }
  return out;
}

function refColumns(ref: Table | ReferenceProfile): string[] {
  return 'format' in ref ? ref.columns.map((c) => c.name) : ref.columns;
}

/** Run drift detection end to end (see the module comment). */
export async function runDrift(o: DriftOptions, deps: DriftDeps): Promise<DriftOutcome> {
  const clock = deps.clock ?? (() => new Date());
  const now = clock();
  if (o.openIssue !== false && deps.forge && !o.model)
    throw new UsageError("the retraining issue needs 'model'");
  const r = await resolveReference(o, deps);
  const current = await readWindow({ uri: o.current, since: o.since, now, env: deps.env });
  deps.log.info(`current data: ${current.rows} row(s) from ${current.files.length} file(s) at ${o.current}`);
  if (current.rows === 0)
    throw new UsageError(`the current data at '${o.current}' holds no rows; expected data to compare`);
  const predCol =
    o.predictionColumn ??
    r.spec?.drift?.prediction_column ??
    (o.model || o.modelFile ? 'prediction' : undefined);
  const targetCol = o.targetColumn ?? r.spec?.drift?.target_column ?? r.spec?.schema?.label;
  const outcomeCols = new Set([predCol, targetCol].filter((c): c is string => c !== undefined));
  const features = (o.columns ?? refColumns(r.reference)).filter((c) => !outcomeCols.has(c));
  const common = { spec: r.spec, method: o.method, minRows: o.minRows };
  const report = compareData(r.reference, current, {
    ...common,
    threshold: o.threshold,
    columns: features,
    categorical: o.categorical,
  });
  const logged = predCol !== undefined && current.has(predCol) && refColumns(r.reference).includes(predCol);
  const predict = predCol === undefined || logged ? undefined : await championPredictor(o, r);
  const partial = {
    model: o.model,
    referenceLabel: r.label,
    current: {
      uri: o.current,
      since: o.since,
      from: current.from?.toISOString(),
      files: current.files.length,
      rows: current.rows,
    },
    time: now.toISOString(),
    features: report,
    prediction: predCol
      ? await predictionDrift(r.reference, current, predCol, { ...common, predict })
      : undefined,
    target: targetCol ? targetDrift(r.reference, current, targetCol, common) : undefined,
    runUrl: o.runUrl,
  };
  const reasons = reasonsOf(partial);
  const run: DriftRun = { ...partial, drift: reasons.length > 0, reasons };
  const html = htmlReport(run);
  let reportUri: string | undefined;
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const key = `drift/${o.model}/${stamp}`;
  if (o.storeReport !== false && r.store && o.model) {
    // The report is a copy of what the step shows; a store that refuses it only warns.
    try {
      await r.store.putKey(`${key}/report.html`, { bytes: Buffer.from(html) });
      reportUri = `${r.store.baseUri}/${key}/report.html`;
      deps.log.info(`stored the report at ${reportUri}`);
    } catch (err) {
      deps.log.warn(`could not store the drift report in ${r.store.baseUri}: ${(err as Error).message}`);
    }
  }
  const markdown = markdownReport(run, { reportUrl: reportUri });
  const json = {
    ...driftJson(report),
    drift: run.drift,
    reasons,
    prediction: summarize(run.prediction),
    target: summarize(run.target),
    quality: report.quality,
    ...(reportUri ? { report: reportUri } : {}),
  };
  if (reportUri && r.store) {
    await r.store.putKey(`${key}/report.md`, { bytes: Buffer.from(markdown) });
    await r.store.putKey(`${key}/result.json`, { bytes: Buffer.from(`${JSON.stringify(json, null, 2)}\n`) });
  }
  for (const [path, text] of [
    [o.reportHtml, html],
    [o.reportMarkdown, markdown],
  ] as const) {
    if (!path) continue;
    const abs = resolve(o.workingDir ?? process.cwd(), path);
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, text);
  }
  let issue: SyncIssueResult | undefined;
  if (o.openIssue !== false && deps.forge && o.model) {
    issue = await syncIssue({
      forge: deps.forge,
      model: o.model,
      run,
      closeAfter: o.closeAfter,
      retrain: o.retrain,
      reportUrl: reportUri,
      clock,
      log: deps.log,
    });
  }
  return { run, json, markdown, html, reportUri, issue };
}

function summarize(o: DriftRun['prediction']) {
  if (!o) return null;
  return ran(o)
    ? { ...o.result, column: o.column, source: o.source }
    : { column: o.column, skipped: o.skipped };
}
