/**
 * Where table data comes from: local files (a path, a directory or a glob) and `s3://` objects or prefixes.
 * Files are read as streams (CSV, JSON Lines) or as ranged AsyncBuffers (Parquet).
 */
import { globToRegExp } from '../core/glob.ts';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { type AsyncBuffer, asyncBufferFromFile, cachedAsyncBuffer } from 'hyparquet';
import { UsageError } from '../core/errors.ts';
import {
  createS3Client,
  type Env,
  explainS3Error,
  isNotFound,
  resolveS3Options,
} from '../registry/stores/s3-client.ts';
import type { S3Options } from '../registry/stores/types.ts';
import { parseUri, s3Uri } from '../registry/stores/uri.ts';

/** How to reach S3 for `s3://` data. */
export interface SourceOptions {
  s3?: S3Options;
  env?: Env;
}

/** One data file. */
export interface DataFile {
  /** Local absolute path or `s3://bucket/key`. */
  uri: string;
  bytes: number;
  modified: Date;
}

/** A client per S3 call site; nothing is cached at module level. */
function client(opts: SourceOptions): S3Client {
  return createS3Client(resolveS3Options(opts.s3, opts.env));
}

/** The file's bytes as a stream, gunzipped when the name ends in `.gz`. */
export async function openStream(uri: string, opts: SourceOptions = {}): Promise<Readable> {
  const loc = parseUri(uri);
  let stream: Readable;
  if (loc.kind === 'file') {
    await statOrThrow(loc.path);
    stream = createReadStream(loc.path);
  } else {
    try {
      const res = await client(opts).send(new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key }));
      stream = res.Body as Readable;
    } catch (err) {
      if (isNotFound(err)) throw new UsageError(`'${uri}' does not exist; expected an existing object`);
      throw explainS3Error(err, uri);
    }
  }
  if (!uri.toLowerCase().endsWith('.gz')) return stream;
  const gunzip = createGunzip();
  stream.on('error', (err) => gunzip.destroy(err));
  return stream.pipe(gunzip);
}

/** The file as an AsyncBuffer: local reads by range, S3 by ranged GETs (cached). */
export async function openAsyncBuffer(uri: string, opts: SourceOptions = {}): Promise<AsyncBuffer> {
  const loc = parseUri(uri);
  if (loc.kind === 'file') {
    await statOrThrow(loc.path);
    return asyncBufferFromFile(loc.path);
  }
  const c = client(opts);
  let size: number;
  try {
    const head = await c.send(new HeadObjectCommand({ Bucket: loc.bucket, Key: loc.key }));
    size = head.ContentLength ?? 0;
  } catch (err) {
    if (isNotFound(err)) throw new UsageError(`'${uri}' does not exist; expected an existing object`);
    throw explainS3Error(err, uri);
  }
  return cachedAsyncBuffer({
    byteLength: size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = (end ?? size) - 1;
      if (stop < start) return new ArrayBuffer(0);
      const res = await c.send(
        new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key, Range: `bytes=${start}-${stop}` }),
      );
      const bytes = await res.Body!.transformToByteArray();
      if (bytes.length !== stop - start + 1) throw new Error(`short ranged read of ${uri}`);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  });
}

async function statOrThrow(path: string) {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile())
    throw new UsageError(`'${path}' does not exist or is not a file; expected a data file`);
  return info;
}

const GLOB = /[*?[]/;

/** Split a location at its first glob segment: the literal base and the full pattern (or none). */
function splitGlob(path: string): { base: string; pattern?: RegExp } {
  const parts = path.split('/');
  const at = parts.findIndex((p) => GLOB.test(p));
  if (at < 0) return { base: path };
  return { base: parts.slice(0, at).join('/'), pattern: globToRegExp(path) };
}

/**
 * Every data file at a location: a file, a directory (recursive), a glob, an S3 object or an S3 prefix
 * (recursive). Hidden files and names starting with `_` (e.g. Spark's `_SUCCESS`) are skipped, and only
 * known data extensions are listed from directories and prefixes. Sorted by URI.
 */
export async function listDataFiles(uri: string, opts: SourceOptions = {}): Promise<DataFile[]> {
  const loc = parseUri(uri);
  const files = loc.kind === 'file' ? await listLocal(loc.path) : await listS3(loc.bucket, loc.key, opts);
  return files.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
}

const DATA = /\.(csv|tsv|parquet|jsonl|ndjson|json)(\.gz)?$/i;
const isListed = (rel: string) =>
  rel.split('/').every((s) => !s.startsWith('.') && !s.startsWith('_')) && DATA.test(rel);

async function listLocal(path: string): Promise<DataFile[]> {
  const posix = path.split(sep).join('/');
  const { base, pattern } = splitGlob(posix);
  const info = await stat(base).catch(() => undefined);
  if (!info) return [];
  if (info.isFile()) return pattern ? [] : [{ uri: base, bytes: info.size, modified: info.mtime }];
  const out: DataFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const full = p.split(sep).join('/');
        if (pattern ? !pattern.test(full) : !isListed(relative(base, p).split(sep).join('/'))) continue;
        const s = await stat(p);
        out.push({ uri: p, bytes: s.size, modified: s.mtime });
      }
    }
  };
  await walk(base);
  return out;
}

async function listS3(bucket: string, key: string, opts: SourceOptions): Promise<DataFile[]> {
  const { base, pattern } = splitGlob(key);
  const c = client(opts);
  const out: DataFile[] = [];
  let token: string | undefined;
  do {
    let res: ListObjectsV2CommandOutput;
    try {
      res = await c.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: base, ContinuationToken: token }),
      );
    } catch (err) {
      throw explainS3Error(err, s3Uri(bucket, key));
    }
    for (const o of res.Contents ?? []) {
      const k = o.Key ?? '';
      const exact = !pattern && k === base;
      const under = base === '' ? k : k.startsWith(`${base}/`) ? k.slice(base.length + 1) : undefined;
      const keep = pattern ? pattern.test(k) : exact || (under !== undefined && isListed(under));
      if (keep)
        out.push({ uri: s3Uri(bucket, k), bytes: o.Size ?? 0, modified: o.LastModified ?? new Date(0) });
    }
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (token);
  return out;
}
