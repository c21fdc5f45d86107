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

/** Parse JSON Lines metrics; a line that is not a JSON object is a UsageError naming `file:line`. */
export function parseJsonlMetrics(text: string, file: string, firstLine = 1, firstIndex = 0): MetricPoint[] {
  const points: MetricPoint[] = [];
  let index = firstIndex;
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let obj: unknown;
    try {
      obj = parseJsonLenient(line);
    } catch (err) {
      throw new UsageError(
        `${file}:${firstLine + i}: not valid JSON (${(err as Error).message}); expected one JSON object per line.`,
      );
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
      throw new UsageError(`${file}:${firstLine + i}: expected a JSON object like {"step": 1, "loss": 0.5}.`);
    }
    const o = obj as Record<string, unknown>;
    const step = typeof o.step === 'number' ? o.step : typeof o.epoch === 'number' ? o.epoch : index;
    index++;
    const values = flattenNumbers(Object.fromEntries(Object.entries(o).filter(([k]) => !STEP_KEYS.has(k))));
    for (const [name, value] of Object.entries(values)) points.push({ step, name, value });
  });
  return points;
}

/** Parse one DVCLive `plots/metrics` TSV (`timestamp step <name>`); bad rows are a UsageError naming `file:line`. */
export function parseDvcLiveTsv(text: string, file: string, name: string): MetricPoint[] {
  const lines = text.split('\n');
  const header = lines[0]?.split('\t') ?? [];
  const stepCol = header.indexOf('step');
  const valueCol = header.length - 1;
  if (stepCol < 0 || valueCol <= stepCol) {
    throw new UsageError(
      `${file}:1: expected a header 'timestamp<TAB>step<TAB>${name}'; got '${lines[0] ?? ''}'.`,
    );
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
      throw new UsageError(
        `${file}:${i + 1}: expected '<timestamp>\\t<step>\\t<value>' with numbers; got '${lines[i]}'.`,
      );
    }
    points.push({ step, name, value });
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

/** Read a JSON Lines file or a DVCLive directory completely. */
export function readMetrics(path: string): MetricsRead {
  if (!existsSync(path))
    throw new UsageError(
      `metrics '${path}' does not exist; expected a JSON Lines file or a DVCLive directory.`,
    );
  if (!statSync(path).isDirectory()) {
    const history = parseJsonlMetrics(readFileSync(path, 'utf8'), path);
    return { history, final: finalValues(history) };
  }
  const history = dvcLivePlotFiles(path).flatMap(([name, file]) =>
    parseDvcLiveTsv(readFileSync(file, 'utf8'), file, name),
  );
  const final = finalValues(history);
  const summary = join(path, 'metrics.json');
  if (existsSync(summary)) {
    let obj: unknown;
    try {
      obj = parseJsonLenient(readFileSync(summary, 'utf8'));
    } catch (err) {
      throw new UsageError(`${summary}: not valid JSON (${(err as Error).message}).`);
    }
    const values = flattenNumbers(obj);
    for (const k of STEP_KEYS) delete values[k];
    Object.assign(final, values);
  }
  return { history, final };
}
