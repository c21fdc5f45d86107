/**
 * `mlops drift`: compare current data with a reference (a data file or a saved reference profile), per column.
 */
import { readFile } from 'node:fs/promises';
import { GateFailure, UsageError } from '../../core/errors.ts';
import { compareData, driftJson } from '../../actions/drift/src/compare.ts';
import { PROFILE_FORMAT, parseProfile, type ReferenceProfile } from '../../actions/drift/src/profile.ts';
import { DRIFT_METHODS, type MethodChoice } from '../../stats/drift/test-column.ts';
import { readTable, type Table } from '../../tables/index.ts';
import { listFlag, numberFlag, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';

/** Read `--reference`: a saved profile (JSON with `"format": "mlops-reference-profile"`) or a data file. */
export async function readReference(uri: string, columns?: string[]): Promise<Table | ReferenceProfile> {
  if (/\.json$/i.test(uri) && !uri.startsWith('s3://')) {
    let text: string;
    try {
      text = await readFile(uri, 'utf8');
    } catch {
      throw new UsageError(`--reference '${uri}' cannot be read; expected an existing file`);
    }
    if (text.trimStart().startsWith('{') && text.includes(PROFILE_FORMAT)) return parseProfile(text);
  }
  return readTable(uri, { columns });
}

/** `mlops drift`. */
export const driftCommand: Command = {
  name: 'drift',
  summary: 'Compare current data with a reference, column by column (dataset drift verdict)',
  help: `Usage: mlops drift --reference F --current F [--method M] [--columns a,b] [--categorical a,b]
                  [--threshold X] [--min-rows N] [--fail-on-drift] [--json]

  --reference F     reference data (CSV, Parquet, JSON Lines; local or s3://) or a saved reference profile (.json)
  --current F       current data, same formats
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
    });
    if (positionals.length)
      throw new UsageError(`unexpected argument '${positionals[0]}'. See 'mlops drift --help'.`);
    if (!v.reference)
      throw new UsageError('--reference is required: a data file or a saved reference profile');
    if (!v.current) throw new UsageError('--current is required: a CSV, Parquet or JSON Lines file');
    const method = (v.method ?? 'auto') as MethodChoice;
    if (!DRIFT_METHODS.includes(method)) {
      throw new UsageError(
        `--method '${v.method}' is not valid: expected one of ${DRIFT_METHODS.join(', ')}`,
      );
    }
    const threshold = numberFlag('threshold', v.threshold, { min: 0 });
    const minRows = numberFlag('min-rows', v['min-rows'], { min: 1, integer: true });
    const columns = listFlag(v.columns);
    const reference = await readReference(v.reference, columns);
    const current = await readTable(v.current, columns ? { columns } : {});
    if (current.rows === 0)
      throw new UsageError(`--current '${v.current}' holds no rows; expected data to compare`);
    const report = compareData(reference, current, {
      method,
      threshold,
      minRows,
      columns,
      categorical: listFlag(v.categorical),
    });
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
