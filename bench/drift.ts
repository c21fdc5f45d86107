/**
 * The drift benchmark (`npm run bench`): our per-column statistics against scipy's `ks_2samp`,
 * `wasserstein_distance` and a numpy PSI on the same arrays (written to disk as float64 and read by
 * `bench/drift.py` through Debian's /usr/bin/python3), and end-to-end `mlops drift` on Parquet and CSV against
 * pandas + scipy computing the same verdict. Printed as ratios (scipy time / ours: above 1 means we are faster),
 * with peak memory. Default size: 1 000 000 rows x 50 numeric features per side (`--drift-rows`, `--drift-features`).
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { numericColumn } from '../stats/drift/column.ts';
import { type DriftMethod, runMethod } from '../stats/drift/test-column.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = new URL('./drift.py', import.meta.url).pathname;
const BIN = new URL('../bin/mlops.js', import.meta.url).pathname;

/** Benchmark size. */
export interface DriftBenchOptions {
  rows: number;
  features: number;
  /** Keep the generated files (prints the folder). */
  keep?: boolean;
  /** Time the per-column statistics only (skip the end-to-end runs and their Parquet/CSV files). */
  statsOnly?: boolean;
}

/** Seeded standard normals (mulberry32 + Box-Muller). */
function normals(n: number, seed: number, shift: number): Float64Array {
  let s = seed >>> 0;
  const u = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()) + shift;
  return out;
}

function python(args: string[]): Record<string, unknown> {
  const text = execFileSync(PYTHON, [SCRIPT, ...args], { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
  return JSON.parse(text);
}

function concat(cols: Float64Array[]): Buffer {
  return Buffer.concat(cols.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
}

/** Write the columns as CSV in chunks (a whole file can exceed the longest string V8 allows). */
async function writeCsvFile(path: string, names: string[], cols: Float64Array[]): Promise<void> {
  const out = createWriteStream(path);
  const rows = cols[0].length;
  let chunk = `${names.join(',')}\n`;
  for (let i = 0; i < rows; i++) {
    chunk += `${cols.map((c) => c[i]).join(',')}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

/** Run the drift benchmark and print its table. */
export async function benchDrift(o: DriftBenchOptions): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mlops-bench-drift-'));
  try {
    const names = Array.from({ length: o.features }, (_, k) => `f${k}`);
    // 40% of the features shift by 0.2 sd: the dataset drifts under the 0.5 share rule only in part.
    const ref = names.map((_, k) => normals(o.rows, 1000 + k, 0));
    const cur = names.map((_, k) => normals(o.rows, 5000 + k, k < o.features * 0.4 ? 0.2 : 0));
    await writeFile(join(dir, 'ref.f64'), concat(ref));
    await writeFile(join(dir, 'cur.f64'), concat(cur));
    console.log(`\nDrift: ${o.rows} rows x ${o.features} numeric features per side.`);

    const print = (r: string[]) =>
      console.log(
        r
          .map((c, i) => c.padEnd([58, 9, 14, 10, 0][i]))
          .join('   ')
          .trimEnd(),
      );
    print(['drift', 'ours', 'scipy/pandas', 'speed-up', 'notes']);
    const py = python([
      'stats',
      join(dir, 'ref.f64'),
      join(dir, 'cur.f64'),
      String(o.rows),
      String(o.features),
    ]);
    const methods: DriftMethod[] = ['ks', 'wasserstein', 'psi'];
    // Warm the JIT on small columns first: the timed loops measure compiled code, as a long run would.
    const small = (x: Float64Array) => numericColumn(x.subarray(0, Math.min(x.length, 50_000)));
    for (const method of methods) runMethod(method, small(ref[0]), small(cur[0]));
    for (const method of methods) {
      const values: number[] = [];
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      for (let k = 0; k < o.features; k++) {
        const r = runMethod(method, numericColumn(ref[k]), numericColumn(cur[k]));
        values.push(method === 'ks' ? (r.pValue as number) : r.statistic);
      }
      const ours = (performance.now() - t0) / 1000;
      const c1 = process.cpuUsage(c0);
      const oursCpu = (c1.user + c1.system) / 1e6;
      const theirs = py[method] as { seconds: number; cpu_seconds: number; values: number[] };
      const maxRel = Math.max(
        ...values.map(
          (v, k) => Math.abs(v - theirs.values[k]) / Math.max(Math.abs(theirs.values[k]), 1e-300),
        ),
      );
      print([
        `${method} per column (${o.features} columns)`,
        `${ours.toFixed(2)} s`,
        `${theirs.seconds.toFixed(2)} s`,
        `${(theirs.seconds / ours).toFixed(2)}x`,
        `CPU ${oursCpu.toFixed(2)} s vs ${theirs.cpu_seconds.toFixed(2)} s: ${(theirs.cpu_seconds / oursCpu).toFixed(2)}x; max rel diff ${maxRel.toExponential(1)}`,
      ]);
    }
    const oursRss = process.resourceUsage().maxRSS;
    print([
      'peak memory (statistics)',
      mb(oursRss),
      mb(py.max_rss_kb as number),
      '',
      'ours includes both sides in memory',
    ]);
    if (o.statsOnly) return;

    const pq = (cols: Float64Array[]) =>
      Buffer.from(
        parquetWriteBuffer({
          columnData: cols.map((data, k) => ({ name: names[k], data, type: 'DOUBLE' as const })),
          rowGroupSize: 100_000,
        }),
      );
    await writeFile(join(dir, 'ref.parquet'), pq(ref));
    await writeFile(join(dir, 'cur.parquet'), pq(cur));
    await writeCsvFile(join(dir, 'ref.csv'), names, ref);
    await writeCsvFile(join(dir, 'cur.csv'), names, cur);
    const e2e = (ext: string) =>
      python([
        'child',
        process.execPath,
        BIN,
        'drift',
        '--reference',
        join(dir, `ref.${ext}`),
        '--current',
        join(dir, `cur.${ext}`),
        '--json',
      ]);
    const pandas = python(['child', PYTHON, SCRIPT, 'e2e', join(dir, 'ref.csv'), join(dir, 'cur.csv')]);
    const pandasInner = JSON.parse(String(pandas.stdout)) as { share_drifted: number };
    const startOurs = python(['child', process.execPath, BIN, '--help']);
    const startPy = python(['child', PYTHON, '-c', 'import pandas, scipy.stats']);
    print([
      'start-up: mlops --help vs python importing pandas + scipy',
      `${(startOurs.seconds as number).toFixed(2)} s`,
      `${(startPy.seconds as number).toFixed(2)} s`,
      '',
      'included in the end-to-end times below',
    ]);
    for (const ext of ['parquet', 'csv']) {
      const ours = e2e(ext);
      const share = JSON.parse(String(ours.stdout)).share_drifted as number;
      print([
        `mlops drift end to end (${ext}) vs pandas read_csv + scipy`,
        `${(ours.seconds as number).toFixed(2)} s`,
        `${(pandas.seconds as number).toFixed(2)} s`,
        `${((pandas.seconds as number) / (ours.seconds as number)).toFixed(2)}x`,
        `peak ${mb(ours.max_rss_kb as number)} vs ${mb(pandas.max_rss_kb as number)}; share ${share} vs ${pandasInner.share_drifted}`,
      ]);
    }
    if (o.keep) console.log(`Kept: ${dir}`);
  } finally {
    if (!o.keep) await rm(dir, { recursive: true, force: true });
  }
}
