/**
 * Params and metrics of a finished run, imported from what the training code wrote: a DVCLive directory
 * (`metrics.json`, `params.yaml`, `plots/metrics/**.tsv`), an MLflow file store run
 * (`mlruns/<experiment>/<run>/{params,metrics,tags}`, metric lines `<timestamp_ms> <value> <step>`, last
 * value by step), JSON Lines, or a plain JSON/YAML mapping. Every metric must be a finite number.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../../../core/errors.ts';
import {
  finalValues,
  flattenNumbers,
  type MetricPoint,
  parseJsonLenient,
  readMetrics,
} from '../../train/src/metrics.ts';

/** What a run reported. */
export interface ImportedRun {
  format: 'dvclive' | 'mlflow' | 'jsonl' | 'json' | 'yaml';
  params: Record<string, unknown>;
  metrics: Record<string, number>;
  history: MetricPoint[];
  tags: Record<string, string>;
}

function readMapping(path: string): Record<string, unknown> {
  const text = readFileSync(path, 'utf8');
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(path) ? parseYaml(text) : parseJsonLenient(text);
  } catch (err) {
    throw new UsageError(
      `${path} does not parse (${(err as Error).message}); expected a JSON or YAML mapping.`,
    );
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new UsageError(`${path} is not a mapping; expected e.g. {"roc_auc": 0.91}.`);
  return value as Record<string, unknown>;
}

/** Files under `dir` as `a/b` names relative to it (MLflow keeps `train/loss` as metrics/train/loss). */
function namesUnder(dir: string): [string, string][] {
  const out: [string, string][] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push([relative(dir, p).split(sep).join('/'), p]);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** MLflow stores params as strings: read numbers and booleans back as YAML scalars would. */
function scalar(text: string): unknown {
  const t = text.trim();
  if (/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (t === 'true' || t === 'True') return true;
  if (t === 'false' || t === 'False') return false;
  return text;
}

/** Parse one MLflow metric file; a malformed line is a UsageError naming `file:line`. */
export function parseMlflowMetric(text: string, file: string, name: string): MetricPoint[] {
  const points: MetricPoint[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const parts = line.trim().split(/\s+/);
    const value = /^nan$/i.test(parts[1] ?? '') ? Number.NaN : Number(parts[1]);
    const step = parts.length > 2 ? Number(parts[2]) : 0;
    if (
      parts.length < 2 ||
      parts.length > 3 ||
      !Number.isFinite(Number(parts[0])) ||
      !Number.isFinite(step) ||
      (Number.isNaN(value) && !/^nan$/i.test(parts[1]))
    ) {
      throw new UsageError(`${file}:${i + 1}: expected '<timestamp_ms> <value> <step>'; got '${line}'.`);
    }
    points.push({ step, name, value });
  });
  return points;
}

/** The run directory: `path` itself when it holds metrics/ or params/, else `path/<exp>/<run>` for `run`. */
export function mlflowRunDir(path: string, run?: string): string {
  if (existsSync(join(path, 'metrics')) || existsSync(join(path, 'params'))) return path;
  const runs: string[] = [];
  for (const exp of readdirSync(path, { withFileTypes: true })) {
    if (!exp.isDirectory()) continue;
    for (const r of readdirSync(join(path, exp.name), { withFileTypes: true })) {
      if (r.isDirectory() && existsSync(join(path, exp.name, r.name, 'meta.yaml')))
        runs.push(join(path, exp.name, r.name));
    }
  }
  const matches = run ? runs.filter((r) => r.endsWith(`${sep}${run}`)) : runs;
  if (matches.length === 1) return matches[0];
  throw new UsageError(
    run
      ? `MLflow run '${run}' is ${matches.length ? 'ambiguous' : 'not'} in ${path}; expected one of: ${runs.map((r) => r.split(sep).at(-1)).join(', ') || '(none)'}.`
      : `${path} holds ${runs.length} MLflow runs; name one with mlflow-run (run id) or point metrics at mlruns/<experiment>/<run>.`,
  );
}

function importMlflow(dir: string): ImportedRun {
  const params = Object.fromEntries(
    namesUnder(join(dir, 'params')).map(([n, p]) => [n, scalar(readFileSync(p, 'utf8'))]),
  );
  const history = namesUnder(join(dir, 'metrics')).flatMap(([n, p]) =>
    parseMlflowMetric(readFileSync(p, 'utf8'), p, n),
  );
  const tags = Object.fromEntries(
    namesUnder(join(dir, 'tags')).map(([n, p]) => [n, readFileSync(p, 'utf8').trim()]),
  );
  return { format: 'mlflow', params, metrics: finalValues(history), history, tags };
}

function importDvcLive(dir: string): ImportedRun {
  const { history, final } = readMetrics(dir);
  const paramsFile = join(dir, 'params.yaml');
  const params = existsSync(paramsFile) ? readMapping(paramsFile) : {};
  return { format: 'dvclive', params, metrics: final, history, tags: {} };
}

/** Refuse NaN/±Infinity metrics, naming them. */
export function checkFinite(metrics: Record<string, number>, source: string): Record<string, number> {
  const bad = Object.entries(metrics).filter(([, v]) => !Number.isFinite(v));
  if (bad.length) {
    throw new UsageError(
      `${source}: metric ${bad.map(([k, v]) => `'${k}' is ${v}`).join(', ')}; expected finite numbers (did training diverge?).`,
    );
  }
  return metrics;
}

/** Import params and metrics from `metrics` (any supported layout) and, optionally, a separate `params` file. */
export function importRun(opts: { metrics?: string; params?: string; mlflowRun?: string }): ImportedRun {
  let run: ImportedRun = { format: 'json', params: {}, metrics: {}, history: [], tags: {} };
  if (opts.metrics) {
    const path = opts.metrics;
    if (!existsSync(path))
      throw new UsageError(
        `metrics '${path}' does not exist; expected a DVCLive directory, an MLflow run, JSON Lines or a JSON/YAML file.`,
      );
    if (statSync(path).isDirectory()) {
      const isDvc =
        existsSync(join(path, 'plots', 'metrics')) ||
        existsSync(join(path, 'metrics.json')) ||
        existsSync(join(path, 'dvc.yaml'));
      run = isDvc ? importDvcLive(path) : importMlflow(mlflowRunDir(path, opts.mlflowRun));
    } else if (/\.(jsonl|ndjson)$/i.test(path)) {
      const { history, final } = readMetrics(path);
      run = { format: 'jsonl', params: {}, metrics: final, history, tags: {} };
    } else {
      const m = readMapping(path);
      const nested = m.metrics && typeof m.metrics === 'object';
      run = {
        format: /\.ya?ml$/i.test(path) ? 'yaml' : 'json',
        params:
          nested && m.params && typeof m.params === 'object' ? (m.params as Record<string, unknown>) : {},
        metrics: flattenNumbers(nested ? m.metrics : m),
        history: [],
        tags: {},
      };
    }
    checkFinite(run.metrics, path);
  }
  if (opts.params) {
    if (!existsSync(opts.params))
      throw new UsageError(`params '${opts.params}' does not exist; expected a JSON or YAML file.`);
    run.params = readMapping(opts.params);
  }
  return run;
}
