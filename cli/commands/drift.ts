/**
 * `mlops drift`: compare current data with a reference (a data file or a saved reference profile), per column.
 */
import { driftJson } from '../../actions/drift/src/compare.ts';
import { runDrift } from '../../actions/drift/src/drift.ts';
import { ran } from '../../actions/drift/src/outcomes.ts';
import { GateFailure, UsageError } from '../../core/errors.ts';
import { validateModelName } from '../../registry/index.ts';
import { openStore } from '../../registry/stores/open.ts';
import { DRIFT_METHODS, type MethodChoice } from '../../stats/drift/test-column.ts';
import { listFlag, numberFlag, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';

/** `mlops drift`. */
export const driftCommand: Command = {
  name: 'drift',
  summary: 'Compare current data with a reference, column by column (dataset drift verdict)',
  help: `Usage: mlops drift (--reference F | --model M) --current F [--since 7d] [--method M] [--columns a,b]
                  [--categorical a,b] [--threshold X] [--min-rows N] [--report F.html] [--markdown F.md]
                  [--fail-on-drift] [--json]

  --reference F     reference data (CSV, Parquet, JSON Lines; local or s3://) or a saved reference profile (.json)
  --model M         use the registry: M's champion reference profile (unless --reference), model.yaml's drift
                    settings, prediction drift (logged column or the champion's ONNX model) and target drift
  --registry-root D registry folder (default models); --alias A: the version whose profile is used (default champion)
  --current F       current data: a file, directory, glob or s3:// prefix (CSV, TSV, Parquet, JSON Lines)
  --since D         only files in this window (date=YYYY-MM-DD partitions, else modification time), e.g. 7d
  --prediction-column C, --target-column C   columns for prediction and target drift
  --model-file F    an ONNX model to run on both samples for prediction drift
  --report F        write the self-contained HTML report (a histogram per column)
  --markdown F      write the Markdown summary
  --method M        ${DRIFT_METHODS.join('|')} (default auto: Evidently's choice per column)
  --columns a,b     test only these columns (default: every reference column)
  --categorical a,b treat these columns as categorical even when numeric
  --threshold X     threshold for every column (default per method: p-value 0.05 for ks/chisquare/ztest, 0.1 otherwise)
  --min-rows N      values needed on each side, below which a column is "not enough data" (default 30)
  --fail-on-drift   exit 1 when the dataset drifts
  --json            print {"columns":[{name,method,statistic,p_value,threshold,drifted,error?}],"share_drifted","dataset_drift"}

Exit codes: 0 whatever the verdict (1 on dataset drift with --fail-on-drift), 2 bad input.`,
  async run(ctx) {
    const { values: v, positionals } = parseFlags('drift', ctx.argv, {
      reference: { type: 'string' },
      current: { type: 'string' },
      method: { type: 'string' },
      columns: { type: 'string' },
      categorical: { type: 'string' },
      threshold: { type: 'string' },
      'min-rows': { type: 'string' },
      'fail-on-drift': { type: 'boolean' },
      model: { type: 'string' },
      'registry-root': { type: 'string' },
      alias: { type: 'string' },
      since: { type: 'string' },
      'prediction-column': { type: 'string' },
      'target-column': { type: 'string' },
      'model-file': { type: 'string' },
      report: { type: 'string' },
      markdown: { type: 'string' },
    });
    if (positionals.length)
      throw new UsageError(`unexpected argument '${positionals[0]}'. See 'mlops drift --help'.`);
    if (!v.reference && !v.model)
      throw new UsageError(
        '--reference is required (a data file or a saved reference profile), or --model for the champion profile',
      );
    if (v.model) validateModelName(v.model);
    if (!v.current) throw new UsageError('--current is required: a CSV, Parquet or JSON Lines file');
    const method = (v.method ?? 'auto') as MethodChoice;
    if (!DRIFT_METHODS.includes(method)) {
      throw new UsageError(
        `--method '${v.method}' is not valid: expected one of ${DRIFT_METHODS.join(', ')}`,
      );
    }
    const threshold = numberFlag('threshold', v.threshold, { min: 0 });
    const minRows = numberFlag('min-rows', v['min-rows'], { min: 1, integer: true });
    const { run } = await runDrift(
      {
        model: v.model,
        registryRoot: v['registry-root'],
        alias: v.alias,
        workingDir: ctx.cwd,
        current: v.current,
        since: v.since,
        reference: v.reference,
        method,
        threshold,
        minRows,
        columns: listFlag(v.columns),
        categorical: listFlag(v.categorical),
        predictionColumn: v['prediction-column'],
        targetColumn: v['target-column'],
        modelFile: v['model-file'],
        reportHtml: v.report,
        reportMarkdown: v.markdown,
        storeReport: false,
        openIssue: false,
      },
      {
        log: ctx.log,
        openStore: (uri) => openStore(uri, { cwd: ctx.cwd, env: ctx.env, log: ctx.log }),
        env: ctx.env,
      },
    );
    const report = run.features;
    if (v.json) ctx.out(JSON.stringify(driftJson(report)));
    else {
      const lines = report.columns.map((c) =>
        c.error
          ? `  ${c.name}: error: ${c.error}`
          : `  ${c.name}: ${c.method} statistic=${c.statistic} ${c.p_value === null ? '' : `p=${c.p_value} `}threshold=${c.threshold} ${c.drifted ? 'DRIFT' : 'ok'}`,
      );
      const tested = report.columns.filter((c) => !c.error).length;
      ctx.out(
        [
          `${report.dataset_drift ? 'Dataset drift detected' : 'No dataset drift'}: ${report.columns.filter((c) => c.drifted).length} of ${tested} tested columns drifted (share ${report.share_drifted.toFixed(3)})`,
          ...lines,
          ...[run.prediction, run.target].flatMap((o) =>
            o === undefined
              ? []
              : ran(o)
                ? [
                    `  ${o === run.prediction ? 'prediction' : 'target'} ${o.column} (${o.source}): ${o.result.error ?? `${o.result.method} statistic=${o.result.statistic} ${o.result.drifted ? 'DRIFT' : 'ok'}`}`,
                  ]
                : [
                    `  ${o === run.prediction ? 'prediction' : 'target'} ${o.column}: not tested (${o.skipped})`,
                  ],
          ),
        ].join('\n'),
      );
    }
    if (report.quality.missing_columns.length)
      ctx.log.warn(`missing in current: ${report.quality.missing_columns.join(', ')}`);
    if (report.quality.new_columns.length)
      ctx.log.warn(`new in current: ${report.quality.new_columns.join(', ')}`);
    if (v['fail-on-drift'] && report.dataset_drift) {
      throw new GateFailure(`dataset drift: share of drifted columns ${report.share_drifted.toFixed(3)}`);
    }
    return 0;
  },
};
