/**
 * `mlops evaluate`: candidate (and champion) ONNX models on an evaluation set, or precomputed predictions;
 * metrics with sklearn's names, the paired comparison, slices and the gates of a `model.yaml`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import { runEvaluation, type EvaluateInputs } from '../../actions/evaluate/src/run.ts';
import { formatReportText } from '../../actions/evaluate/src/report.ts';
import { parseModelSpec } from '../../registry/schema.ts';
import type { Task } from '../../stats/metrics/index.ts';
import { readTable } from '../../tables/index.ts';
import { listFlag, numberFlag, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';

const TASKS: Task[] = ['binary', 'multiclass', 'regression'];

/** `mlops evaluate`. */
export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'Evaluate a candidate model against the champion: metrics, significance, slices, gates',
  help: `Usage:
  mlops evaluate --model M.onnx [--champion C.onnx] --data F --label COL [options]
  mlops evaluate --predictions F --label COL (--score COL[,COL...] [--baseline-score COL[,COL...]] | --prediction COL [--baseline-prediction COL]) [options]

Data: CSV, TSV, Parquet or JSON Lines; a local path or s3:// URI. Features map to the ONNX inputs by name
(one input per column), or in the order of --features / the spec's schema.features for a single [N,d] input.

--prediction COL holds hard predictions: class labels (0/1, or 0..k-1 with --task multiclass) or, without
--task, regression values. With class labels the metrics that need scores (roc_auc, average_precision, log_loss,
brier_score_loss, roc_auc_ovr) are null with the reason, and the primary metric defaults to accuracy.

Options:
  --task binary|multiclass|regression   default: from the spec, the model's outputs, or the score columns
  --threshold X        binary hard predictions are score >= X (default 0.5)
  --spec FILE          a model.yaml: gates, primary metric, schema features and slices
  --slices a,b         columns to report the primary metric per value for (default: the spec's schema.slices)
  --features a,b       feature order for a single-tensor ONNX input
  --resamples N        paired bootstrap resamples (default 1000; 0 skips the bootstrap)
  --seed N             bootstrap seed (default 0)
  --drop-na            drop rows with a missing label, feature or score (reports how many); default: error
  --json               print {"metrics","undefined"?,"comparison"?,...} as JSON

Exit codes: 0 every gate passed, 1 a gate failed, 2 bad input.`,
  async run(ctx) {
    const { values: v, positionals } = parseFlags('evaluate', ctx.argv, {
      model: { type: 'string' },
      champion: { type: 'string' },
      data: { type: 'string' },
      label: { type: 'string' },
      predictions: { type: 'string' },
      score: { type: 'string' },
      'baseline-score': { type: 'string' },
      prediction: { type: 'string' },
      'baseline-prediction': { type: 'string' },
      task: { type: 'string' },
      threshold: { type: 'string' },
      spec: { type: 'string' },
      slices: { type: 'string' },
      features: { type: 'string' },
      resamples: { type: 'string' },
      seed: { type: 'string' },
      'drop-na': { type: 'boolean' },
    });
    if (positionals.length)
      throw new UsageError(`unexpected argument '${positionals[0]}'. See 'mlops evaluate --help'.`);
    if (!v.label) throw new UsageError("--label COL is required. See 'mlops evaluate --help'.");
    if (v.task !== undefined && !TASKS.includes(v.task as Task)) {
      throw new UsageError(`--task '${v.task}' is not valid: expected one of ${TASKS.join(', ')}.`);
    }
    if (v.predictions && (v.model || v.data || v.champion)) {
      throw new UsageError('--predictions cannot be combined with --model, --champion or --data.');
    }
    if (v.score && v.prediction) throw new UsageError('--score and --prediction are alternatives; pass one.');
    const abs = (p: string | undefined) =>
      p === undefined || p.startsWith('s3://') ? p : resolve(ctx.cwd, p);
    let spec: ReturnType<typeof parseModelSpec> | undefined;
    if (v.spec) {
      let text: string;
      try {
        text = readFileSync(abs(v.spec)!, 'utf8');
      } catch (err) {
        throw new UsageError(
          `cannot read --spec '${v.spec}': ${(err as Error).message}; expected a model.yaml path.`,
        );
      }
      spec = parseModelSpec(text, v.spec);
    }
    const inputs: EvaluateInputs = {
      label: v.label,
      data: abs(v.data),
      model: abs(v.model),
      champion: abs(v.champion),
      predictions: abs(v.predictions),
      score: listFlag(v.score),
      baselineScore: listFlag(v['baseline-score']),
      prediction: v.prediction,
      baselinePrediction: v['baseline-prediction'],
      task: (v.task as Task | undefined) ?? spec?.task,
      threshold: numberFlag('threshold', v.threshold, { min: 0, max: 1 }),
      resamples: numberFlag('resamples', v.resamples, { min: 0, integer: true }),
      seed: numberFlag('seed', v.seed, { min: 0, integer: true }),
      slices: listFlag(v.slices) ?? spec?.schema?.slices,
      features: listFlag(v.features) ?? spec?.schema?.features.map((f) => f.name),
      dropNa: v['drop-na'] ?? false,
      gates: spec?.gates,
      primaryMetric: spec?.primary_metric,
    };
    const report = await runEvaluation(inputs, {
      readTable: (uri, o) => readTable(uri, o),
      log: ctx.log,
    });
    ctx.out(v.json ? JSON.stringify(report, null, 2) : formatReportText(report));
    return report.passed ? 0 : 1;
  },
};
