/**
 * Metrics a training command writes: JSON Lines (one object per line; `step` or `epoch` names the step,
 * other numeric fields are metrics, nested objects flatten with `/`) or a DVCLive directory
 * (`plots/metrics/**.tsv` with `timestamp step <name>` columns, `metrics.json` for the final values).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { UsageError } from '../../../core/errors.ts';

/** One value of one metric at one step. */
export interface MetricPoint {
  step: number;
  name: string;
  value: number;
}

/** A metric history plus the final value of each metric (last by step). */
export interface MetricsRead {
  history: MetricPoint[];
  final: Record<string, number>;
}

const STEP_KEYS = new Set(['step', 'epoch', 'timestamp', 'time', '_timestamp', '_step']);

/** Flatten nested objects to `a/b` keys, keeping numbers (and NaN/±Infinity markers) only. */
export function flattenNumbers(
  obj: unknown,
  prefix = '',
  out: Record<string, number> = {},
): Record<string, number> {
  if (obj === null || typeof obj !== 'object') return out;
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}/${k}` : k;
    if (typeof v === 'number') out[key] = v;
    else if (v === '__mlops_nan__') out[key] = Number.NaN;
    else if (v === '__mlops_inf__') out[key] = Number.POSITIVE_INFINITY;
    else if (v === '__mlops_-inf__') out[key] = Number.NEGATIVE_INFINITY;
    else if (v && typeof v === 'object' && !Array.isArray(v)) flattenNumbers(v, key, out);
  }
  return out;
}

/** JSON.parse that also accepts the bare NaN / Infinity / -Infinity Python's json module writes. */
export function parseJsonLenient(text: string): unknown {
  return JSON.parse(
    text.replace(/([:,[]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g, (_m, pre: string, tok: string) => {
      const marker =
        tok === 'NaN' ? '__mlops_nan__' : tok.startsWith('-') ? '__mlops_-inf__' : '__mlops_inf__';
      return `${pre}"${marker}"`;
    }),
  );
}

/**
 * How a reader treats a line it cannot parse and a NaN/±Infinity value: without `onSkip` a bad line is a
 * UsageError naming `file:line` and non-finite values are kept (so the caller can refuse them by name); with
 * `onSkip` the line or value is skipped and `onSkip` is told why, naming `file:line`.
 */
export interface SkipOptions {
  onSkip?: (message: string) => void;
}

/** Options of `parseJsonlMetrics`: the first line's number and the first record's index (default step). */
export interface JsonlOptions extends SkipOptions {
  firstLine?: number;
  firstIndex?: number;
}

/** Drop non-finite values when skipping, naming each; keep them otherwise. */
function finiteOnly(
  values: Record<string, number>,
  where: string,
  onSkip: ((message: string) => void) | undefined,
): [string, number][] {
  const out: [string, number][] = [];
  for (const [name, value] of Object.entries(values)) {
    if (onSkip && !Number.isFinite(value))
      onSkip(`${where}: ${name} is ${value}, not a finite number; skipped.`);
    else out.push([name, value]);
  }
  return out;
}

/** Parse JSON Lines metrics; a line that is not a JSON object is refused or skipped (see `SkipOptions`). */
export function parseJsonlMetrics(text: string, file: string, opts: JsonlOptions = {}): MetricPoint[] {
  return parseJsonlChunk(text, file, opts).points;
}

/** `parseJsonlMetrics` plus the number of records (good lines) read, for reading a growing file in chunks. */
export function parseJsonlChunk(
  text: string,
  file: string,
  opts: JsonlOptions = {},
): { points: MetricPoint[]; records: number } {
  const { firstLine = 1, onSkip } = opts;
  const points: MetricPoint[] = [];
  let index = opts.firstIndex ?? 0;
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${file}:${firstLine + i}`;
    let obj: unknown;
    let problem: string | undefined;
    try {
      obj = parseJsonLenient(line);
      if (!obj || typeof obj !== 'object' || Array.isArray(obj))
        problem = `${where}: expected a JSON object like {"step": 1, "loss": 0.5}.`;
    } catch (err) {
      problem = `${where}: not valid JSON (${(err as Error).message}); expected one JSON object per line.`;
    }
    if (problem !== undefined) {
      if (!onSkip) throw new UsageError(problem);
      onSkip(`${problem} Line skipped.`);
      return;
    }
    const o = obj as Record<string, unknown>;
    const step = typeof o.step === 'number' ? o.step : typeof o.epoch === 'number' ? o.epoch : index;
    index++;
    const values = flattenNumbers(Object.fromEntries(Object.entries(o).filter(([k]) => !STEP_KEYS.has(k))));
    for (const [name, value] of finiteOnly(values, where, onSkip)) points.push({ step, name, value });
  });
  return { points, records: index - (opts.firstIndex ?? 0) };
}

/** Parse one DVCLive `plots/metrics` TSV (`timestamp step <name>`); bad rows are refused or skipped. */
export function parseDvcLiveTsv(
  text: string,
  file: string,
  name: string,
  opts: SkipOptions = {},
): MetricPoint[] {
  const { onSkip } = opts;
  const lines = text.split('\n');
  const header = lines[0]?.split('\t') ?? [];
  const stepCol = header.indexOf('step');
  const valueCol = header.length - 1;
  if (stepCol < 0 || valueCol <= stepCol) {
    const problem = `${file}:1: expected a header 'timestamp<TAB>step<TAB>${name}'; got '${lines[0] ?? ''}'.`;
    if (!onSkip) throw new UsageError(problem);
    onSkip(`${problem} File skipped.`);
    return [];
  }
  const points: MetricPoint[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    const cells = lines[i].split('\t');
    const step = Number(cells[stepCol]);
    const raw = cells[valueCol]?.trim() ?? '';
    const value = /^nan$/i.test(raw)
      ? Number.NaN
      : /^-?inf(inity)?$/i.test(raw)
        ? raw.startsWith('-')
          ? -Infinity
          : Infinity
        : Number(raw);
    if (
      cells.length !== header.length ||
      !Number.isFinite(step) ||
      raw === '' ||
      (Number.isNaN(value) && !/^nan$/i.test(raw))
    ) {
      const problem = `${file}:${i + 1}: expected '<timestamp>\\t<step>\\t<value>' with numbers; got '${lines[i]}'.`;
      if (!onSkip) throw new UsageError(problem);
      onSkip(`${problem} Line skipped.`);
      continue;
    }
    for (const [n, v] of finiteOnly({ [name]: value }, `${file}:${i + 1}`, onSkip))
      points.push({ step, name: n, value: v });
  }
  return points;
}

/** The `.tsv` files under a DVCLive directory's `plots/metrics`, as [metric name, path]. */
export function dvcLivePlotFiles(dir: string): [string, string][] {
  const root = join(dir, 'plots', 'metrics');
  const out: [string, string][] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.tsv')) out.push([relative(root, p).slice(0, -4).split(sep).join('/'), p]);
    }
  };
  walk(root);
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

/** The last value of each metric by step (ties: the later point). */
export function finalValues(history: MetricPoint[]): Record<string, number> {
  const best = new Map<string, MetricPoint>();
  for (const p of history) {
    const prev = best.get(p.name);
    if (!prev || p.step >= prev.step) best.set(p.name, p);
  }
  return Object.fromEntries([...best].sort((a, b) => a[0].localeCompare(b[0])).map(([k, p]) => [k, p.value]));
}

/** Read a JSON Lines file or a DVCLive directory completely; bad lines and NaN are refused or skipped. */
export function readMetrics(path: string, opts: SkipOptions = {}): MetricsRead {
  const { onSkip } = opts;
  if (!existsSync(path))
    throw new UsageError(
      `metrics '${path}' does not exist; expected a JSON Lines file or a DVCLive directory.`,
    );
  if (!statSync(path).isDirectory()) {
    const history = parseJsonlMetrics(readFileSync(path, 'utf8'), path, { onSkip });
    return { history, final: finalValues(history) };
  }
  const history = dvcLivePlotFiles(path).flatMap(([name, file]) =>
    parseDvcLiveTsv(readFileSync(file, 'utf8'), file, name, { onSkip }),
  );
  const final = finalValues(history);
  const summary = join(path, 'metrics.json');
  if (existsSync(summary)) {
    let obj: unknown;
    try {
      obj = parseJsonLenient(readFileSync(summary, 'utf8'));
    } catch (err) {
      const problem = `${summary}: not valid JSON (${(err as Error).message}).`;
      if (!onSkip) throw new UsageError(problem);
      onSkip(`${problem} File skipped.`);
      return { history, final };
    }
    const values = flattenNumbers(obj);
    for (const k of STEP_KEYS) delete values[k];
    Object.assign(final, Object.fromEntries(finiteOnly(values, summary, onSkip)));
  }
  return { history, final };
}
