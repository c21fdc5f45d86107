/**
 * Hashes the declared training data for lineage: local files, local directories and `s3://` prefixes.
 * A directory or prefix is hashed as the sha256 of its manifest (`<sha256>  <relative path>\n` per file,
 * sorted by path), so a local copy of a prefix hashes the same as the prefix. Rows are recorded for CSV/TSV,
 * JSON Lines and Parquet (footer only), summed over a directory's or prefix's files of those formats.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../../../core/errors.ts';
import type { DataInput } from '../../../registry/types.ts';
import type { ArtifactStore } from '../../../registry/stores/types.ts';

/** sha256, bytes and line count of a file, in one pass. */
async function scanFile(path: string): Promise<{ sha256: string; bytes: number; lines: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let lines = 0;
  let last = 0x0a;
  for await (const chunk of createReadStream(path)) {
    const b = chunk as Buffer;
    hash.update(b);
    bytes += b.length;
    for (const c of b) if (c === 0x0a) lines++;
    if (b.length) last = b[b.length - 1];
  }
  if (bytes > 0 && last !== 0x0a) lines++;
  return { sha256: hash.digest('hex'), bytes, lines };
}

/** Rows recorded in a Parquet file's footer (only the footer is read), or undefined when it is not Parquet. */
export async function parquetRows(path: string): Promise<number | undefined> {
  try {
    const meta = await parquetMetadataAsync(await asyncBufferFromFile(path));
    return Number(meta.num_rows);
  } catch {
    return undefined;
  }
}

/**
 * Data rows of a file whose format its name tells: CSV/TSV (lines less the header), JSON Lines, Parquet
 * (from the footer); undefined for any other file. `name` decides the format, `path` is where the bytes are.
 */
async function rowsOf(name: string, path: string, lines: number): Promise<number | undefined> {
  if (/\.(csv|tsv)$/i.test(name)) return Math.max(0, lines - 1);
  if (/\.(jsonl|ndjson)$/i.test(name)) return lines;
  if (/\.parquet$/i.test(name)) return parquetRows(path);
  return undefined;
}

/** The sum of the files' rows when at least one file's format is known (unknown formats add nothing). */
function sumRows(rows: (number | undefined)[]): number | undefined {
  const known = rows.filter((r): r is number => r !== undefined);
  return known.length ? known.reduce((a, b) => a + b, 0) : undefined;
}

function manifestHash(entries: { path: string; sha256: string }[]): string {
  const text = [...entries]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((e) => `${e.sha256}  ${e.path}\n`)
    .join('');
  return createHash('sha256').update(text).digest('hex');
}

async function listDir(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

/** Hash one local file or directory. */
async function hashLocal(spec: string, cwd: string): Promise<DataInput> {
  const path = resolve(cwd, spec);
  const info = await stat(path).catch(() => undefined);
  if (!info)
    throw new UsageError(
      `training data '${spec}' does not exist; expected a file, a directory or an s3:// prefix.`,
    );
  if (info.isFile()) {
    const { sha256, bytes, lines } = await scanFile(path);
    const rows = await rowsOf(path, path, lines);
    return { uri: spec, sha256, bytes, ...(rows !== undefined ? { rows } : {}) };
  }
  const entries: { path: string; sha256: string; bytes: number; rows?: number }[] = [];
  for (const file of await listDir(path)) {
    const s = await scanFile(file);
    const rel = relative(path, file).split(sep).join('/');
    entries.push({ path: rel, sha256: s.sha256, bytes: s.bytes, rows: await rowsOf(rel, file, s.lines) });
  }
  const rows = sumRows(entries.map((e) => e.rows));
  return {
    uri: spec,
    sha256: manifestHash(entries),
    bytes: entries.reduce((s, e) => s + e.bytes, 0),
    ...(rows !== undefined ? { rows } : {}),
  };
}

/** Hash every object under an `s3://` prefix by downloading it (ETags are not content hashes). */
async function hashPrefix(spec: string, store: ArtifactStore): Promise<DataInput> {
  const objects = await store.listKeys('');
  if (objects.length === 0)
    throw new UsageError(
      `training data '${spec}' matches no objects; expected an s3:// prefix holding the data.`,
    );
  const tmp = await mkdtemp(join(tmpdir(), 'mlops-data-'));
  try {
    const entries: { path: string; sha256: string; bytes: number; rows?: number }[] = [];
    for (const o of objects) {
      const dest = join(tmp, 'object');
      await store.getKey(o.key, dest);
      const s = await scanFile(dest);
      // A single object's key is '' (the prefix is the object): its format is in the URI.
      const rows = await rowsOf(o.key || spec, dest, s.lines);
      entries.push({ path: o.key, sha256: s.sha256, bytes: s.bytes, rows });
    }
    const single = entries.length === 1 && entries[0].path === '' ? entries[0] : undefined;
    const rows = sumRows(entries.map((e) => e.rows));
    return {
      uri: spec,
      sha256: single?.sha256 ?? manifestHash(entries),
      bytes: entries.reduce((s, e) => s + e.bytes, 0),
      ...(rows !== undefined ? { rows } : {}),
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Hash each declared data input; `openStore` opens an `s3://` prefix. */
export async function hashDataInputs(
  specs: string[],
  opts: { cwd: string; openStore: (uri: string) => ArtifactStore },
): Promise<DataInput[]> {
  const out: DataInput[] = [];
  for (const spec of specs) {
    out.push(
      spec.startsWith('s3://')
        ? await hashPrefix(spec, opts.openStore(spec))
        : await hashLocal(spec, opts.cwd),
    );
  }
  return out;
}
