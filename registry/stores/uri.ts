/**
 * Parsing of artifact-store and data URIs: a local path, `file://…`, or `s3://bucket/prefix`.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../core/errors.ts';

/** A parsed location: a local absolute path, or an S3 bucket and key (or key prefix, no leading/trailing `/`). */
export type ParsedUri = { kind: 'file'; path: string } | { kind: 's3'; bucket: string; key: string };

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/**
 * Parse a store or data URI. Relative paths resolve against `cwd` (default `process.cwd()`).
 * Throws UsageError naming the value and the expected form for an empty value, an unknown scheme,
 * `s3://` without a bucket or with an invalid bucket name, and a `file://` URI with a host.
 */
export function parseUri(uri: string, cwd = process.cwd()): ParsedUri {
  if (typeof uri !== 'string' || uri.trim() === '') {
    throw new UsageError(`empty location ''; expected a path, file:///abs/path or s3://bucket/prefix`);
  }
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'file', path: resolve(cwd, uri) };
  if (scheme === 'file') {
    try {
      return { kind: 'file', path: fileURLToPath(uri) };
    } catch {
      throw new UsageError(`invalid file URI '${uri}'; expected file:///absolute/path`);
    }
  }
  if (scheme === 's3') return parseS3(uri);
  throw new UsageError(
    `unknown scheme '${scheme}://' in '${uri}'; expected a path, file:///abs/path or s3://bucket/prefix`,
  );
}

function parseS3(uri: string): ParsedUri {
  const rest = uri.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
  if (bucket === '') throw new UsageError(`S3 URI '${uri}' has no bucket; expected s3://bucket/prefix`);
  if (!BUCKET.test(bucket)) {
    throw new UsageError(
      `S3 URI '${uri}' has an invalid bucket name '${bucket}'; expected 3-63 characters of a-z, 0-9, '.' and '-' (s3://bucket/prefix)`,
    );
  }
  if (key.split('/').some((s) => s === '.' || s === '..')) {
    throw new UsageError(`S3 URI '${uri}' contains '.' or '..' segments; expected s3://bucket/prefix`);
  }
  return { kind: 's3', bucket, key };
}

/** Format an S3 location back into a URI. */
export function s3Uri(bucket: string, key: string): string {
  return key === '' ? `s3://${bucket}` : `s3://${bucket}/${key}`;
}

/** Join key segments with `/`, ignoring empty ones. */
export function joinKey(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}

/**
 * Check a keyed-object key (`putKey`/`getKey`): relative, `/`-separated, no empty, `.` or `..` segments,
 * no backslash, and not inside the reserved blob namespace `sha256/`. Returns the key without a trailing `/`.
 */
export function checkKey(key: string, opts: { allowEmpty?: boolean } = {}): string {
  const k = key.replace(/\/+$/, '');
  if (k === '' && opts.allowEmpty) return '';
  const segs = k.split('/');
  if (k === '' || k.includes('\\') || segs.some((s) => s === '' || s === '.' || s === '..')) {
    throw new UsageError(
      `invalid key '${key}'; expected a relative path like 'checkpoints/run-1/step-100.pt'`,
    );
  }
  if (segs[0] === 'sha256' || segs[0] === '.meta' || segs[0] === '.tmp') {
    throw new UsageError(`invalid key '${key}': '${segs[0]}/' is reserved for the store's own objects`);
  }
  return k;
}

/** True for a lowercase 64-hex sha256. */
export function isSha256(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}

/** Throw UsageError unless `s` is a lowercase hex sha256. */
export function checkSha256(s: string): string {
  if (!isSha256(s)) throw new UsageError(`invalid sha256 '${s}'; expected 64 lowercase hex digits`);
  return s;
}

/** The relative location of a blob: `sha256/<first two hex>/<sha256>`. */
export function blobKey(sha256: string): string {
  return `sha256/${sha256.slice(0, 2)}/${sha256}`;
}
