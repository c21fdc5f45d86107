/**
 * Hashes the declared training data for lineage: local files, local directories and `s3://` prefixes.
 * A directory or prefix is hashed as the sha256 of its manifest (`<sha256>  <relative path>\n` per file,
 * sorted by path), so a local copy of a prefix hashes the same as the prefix.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
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

/** Data rows of a tabular text file (CSV/TSV without the header, JSON Lines), else undefined. */
function rowsOf(path: string, lines: number): number | undefined {
  if (/\.(csv|tsv)$/i.test(path)) return Math.max(0, lines - 1);
  if (/\.(jsonl|ndjson)$/i.test(path)) return lines;
  return undefined;
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
    const rows = rowsOf(path, lines);
    return { uri: spec, sha256, bytes, ...(rows !== undefined ? { rows } : {}) };
  }
  const entries: { path: string; sha256: string; bytes: number }[] = [];
  for (const file of await listDir(path)) {
    const s = await scanFile(file);
    entries.push({ path: relative(path, file).split(sep).join('/'), sha256: s.sha256, bytes: s.bytes });
  }
  return { uri: spec, sha256: manifestHash(entries), bytes: entries.reduce((s, e) => s + e.bytes, 0) };
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
    const entries: { path: string; sha256: string; bytes: number }[] = [];
    for (const o of objects) {
      const dest = join(tmp, 'object');
      await store.getKey(o.key, dest);
      const s = await scanFile(dest);
      entries.push({ path: o.key, sha256: s.sha256, bytes: s.bytes });
    }
    const single = entries.length === 1 && entries[0].path === '' ? entries[0] : undefined;
    return {
      uri: spec,
      sha256: single?.sha256 ?? manifestHash(entries),
      bytes: entries.reduce((s, e) => s + e.bytes, 0),
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
