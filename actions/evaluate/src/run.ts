/**
 * One evaluation from files: read the data (or precomputed predictions), run the candidate and baseline
 * ONNX models, compute metrics, comparison and slices, and apply the gates. The CLI and the action call this.
 */
import { UsageError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/logger.ts';
import { loadModel, type Predictions } from '../../../onnx/infer.ts';
import type { OrtModule } from '../../../onnx/runtime.ts';
import type { Direction, MetricGate } from '../../../registry/types.ts';
import type { Task } from '../../../stats/metrics/index.ts';
import { ColumnTable } from '../../../tables/index.ts';
import type { Cell, Table } from '../../../tables/types.ts';
import { type EvaluationResult, evaluate, type Scores } from './evaluate.ts';
import { applyGates, type GateResult } from './gates.ts';
import { completeRows, labelColumn, numericColumn } from './labels.ts';

/** Everything an evaluation needs, parsed once. Optional values are undefined. */
export interface EvaluateInputs {
  label: string;
  /** ONNX mode: the evaluation set and the models. */
  data?: string;
  model?: string;
  champion?: string;
  /** Predictions mode. */
  predictions?: string;
  score?: string[];
  baselineScore?: string[];
  /** Hard predictions: class labels (binary, multiclass) or values (regression). */
  prediction?: string;
  /** The champion's hard predictions (with `prediction`). */
  baselinePrediction?: string;
  task?: Task;
  threshold?: number;
  resamples?: number;
  seed?: number;
  slices?: string[];
  /** Feature order for a single-tensor ONNX input (model.yaml schema.features). */
  features?: string[];
  dropNa?: boolean;
  gates?: MetricGate[];
  primaryMetric?: { name: string; direction: Direction };
}

/** Seams. */
export interface EvaluateDeps {
  readTable: (uri: string, opts?: { columns?: string[] }) => Promise<Table>;
  log: Logger;
  ort?: OrtModule;
}

/** The evaluation with its gates. */
export interface EvaluationReport extends EvaluationResult {
  gates: GateResult[];
  passed: boolean;
  first_version: boolean;
  primary_metric: { name: string; direction: Direction };
  dropped_rows?: number;
}

const DEFAULT_PRIMARY: Record<Task, string> = {
  binary: 'roc_auc',
  multiclass: 'accuracy',
  regression: 'rmse',
};

function subset(table: Table, keep: number[]): Table {
  const data = new Map<string, Cell[]>();
  for (const c of table.columns) {
    const col = table.column(c);
    data.set(
      c,
      keep.map((i) => col[i]),
    );
  }
  return new ColumnTable(table.columns, data, keep.length);
}

/** Class indexes as one-hot rows (argmax = the class), for metrics that take probability rows. */
function oneHot(labels: Float64Array, k: number): number[][] {
  return Array.from(labels, (c) => {
    const row = new Array<number>(k).fill(0);
    row[c] = 1;
    return row;
  });
}

function scoresOf(p: Predictions): Scores {
  return p.task === 'multiclass' ? (p.scores as number[][]) : Float64Array.from(p.scores as number[]);
}

/** Run one evaluation end to end. */
export async function runEvaluation(inp: EvaluateInputs, deps: EvaluateDeps): Promise<EvaluationReport> {
  let table: Table;
  let candidate: Scores;
  let baseline: Scores | undefined;
  let task = inp.task;
  let k: number | undefined;
  let dropped: number | undefined;
  let hard = false;
  const needed = [inp.label, ...(inp.slices ?? [])];
  if (inp.predictions) {
    const scoreCols = inp.score ?? (inp.prediction ? [inp.prediction] : undefined);
    if (!scoreCols) throw new UsageError('--predictions needs --score COL[,COL...] or --prediction COL.');
    if (inp.baselineScore && !inp.score)
      throw new UsageError(
        '--baseline-score goes with --score; with --prediction use --baseline-prediction COL.',
      );
    if (inp.baselinePrediction && !inp.prediction)
      throw new UsageError(
        '--baseline-prediction goes with --prediction; with --score use --baseline-score.',
      );
    table = await deps.readTable(inp.predictions);
    task ??= inp.score ? (inp.score.length > 1 ? 'multiclass' : 'binary') : 'regression';
    const baseCols = inp.baselineScore ?? (inp.baselinePrediction ? [inp.baselinePrediction] : undefined);
    const cols = [...needed, ...scoreCols, ...(baseCols ?? [])];
    for (const c of cols)
      if (!table.has(c))
        throw new UsageError(`${inp.predictions} has no column '${c}'; it has: ${table.columns.join(', ')}.`);
    if (inp.dropNa) {
      const r = completeRows(
        cols.map((c) => table.column(c)),
        table.rows,
      );
      if (r.dropped) table = subset(table, r.keep);
      dropped = r.dropped;
    }
    if (inp.prediction && task !== 'regression') {
      hard = true;
      const t = task;
      const labels = (c: string, role: string) => labelColumn(table.column(c), t, c, undefined, role);
      const y0 = labels(inp.label, 'label');
      const pc = labels(inp.prediction, 'prediction');
      const bc = inp.baselinePrediction ? labels(inp.baselinePrediction, 'prediction') : undefined;
      if (task === 'multiclass') {
        k = 1;
        for (const a of [y0, pc, bc ?? new Float64Array(0)]) for (const v of a) k = Math.max(k, v + 1);
        candidate = oneHot(pc, k);
        if (bc) baseline = oneHot(bc, k);
      } else {
        candidate = pc;
        baseline = bc;
      }
    } else {
      const read = (names: string[]) => {
        if (task === 'multiclass') {
          if (names.length < 2)
            throw new UsageError(`multiclass needs one score column per class; got ${names.join(',')}.`);
          const colsN = names.map((c) => numericColumn(table.column(c), `column '${c}'`));
          return Array.from({ length: table.rows }, (_, i) => colsN.map((c) => c[i]));
        }
        if (names.length !== 1)
          throw new UsageError(`a ${task} task takes one score column; got ${names.join(',')}.`);
        return numericColumn(table.column(names[0]), `column '${names[0]}'`);
      };
      candidate = read(scoreCols);
      if (baseCols) baseline = read(baseCols);
      k = task === 'multiclass' ? scoreCols.length : undefined;
    }
  } else {
    if (!inp.data || !inp.model)
      throw new UsageError('evaluate needs --model M.onnx and --data FILE (or --predictions FILE).');
    table = await deps.readTable(inp.data);
    for (const c of needed)
      if (!table.has(c))
        throw new UsageError(`${inp.data} has no column '${c}'; it has: ${table.columns.join(', ')}.`);
    const cand = await loadModel(inp.model, { ort: deps.ort });
    const champ = inp.champion ? await loadModel(inp.champion, { ort: deps.ort }) : undefined;
    try {
      if (inp.dropNa) {
        const feats = new Set<string>([inp.label]);
        for (const m of [cand, champ]) {
          if (!m) continue;
          const single = m.signature.inputs.length === 1 && (inp.features ?? m.signature.featureNames);
          for (const f of single
            ? (inp.features ?? m.signature.featureNames ?? [])
            : m.signature.inputs.map((i) => i.name))
            feats.add(f);
        }
        const present = [...feats].filter((c) => table.has(c));
        const r = completeRows(
          present.map((c) => table.column(c)),
          table.rows,
        );
        if (r.dropped) table = subset(table, r.keep);
        dropped = r.dropped;
      }
      const opts = { task, features: inp.features };
      const pc = await cand.predict(table, opts);
      task ??= pc.task;
      candidate = scoresOf(pc);
      k = task === 'multiclass' ? ((pc.scores as number[][])[0]?.length ?? pc.classes?.length) : undefined;
      if (champ) baseline = scoresOf(await champ.predict(table, { ...opts, task }));
    } finally {
      await cand.close();
      await champ?.close();
    }
  }
  if (dropped) deps.log.info(`dropped ${dropped} row(s) with missing values (--drop-na)`);
  const y = labelColumn(table.column(inp.label), task, inp.label, k);
  const primary = inp.primaryMetric ?? {
    name: hard ? 'accuracy' : DEFAULT_PRIMARY[task],
    direction: task === 'regression' ? 'minimize' : 'maximize',
  };
  const result = evaluate({
    task,
    y,
    candidate,
    baseline,
    k,
    threshold: inp.threshold,
    resamples: inp.resamples,
    seed: inp.seed,
    slices: inp.slices?.map((c) => ({ column: c, values: table.column(c) })),
    primaryMetric: primary.name,
    hard,
  });
  if (!(primary.name in result.metrics)) {
    throw new UsageError(
      `primary metric '${primary.name}' is not a ${task} metric; expected one of ${Object.keys(result.metrics).join(', ')}.`,
    );
  }
  const g = applyGates(inp.gates ?? [], result, primary);
  return {
    ...result,
    gates: g.gates,
    passed: g.passed,
    first_version: g.firstVersion,
    primary_metric: primary,
    ...(dropped !== undefined ? { dropped_rows: dropped } : {}),
  };
}
