/**
 * Open an artifact store from its URI: a local path or `file://…` (LocalStore), or `s3://bucket/prefix` (S3Store).
 */
import type { Logger } from '../../core/logger.ts';
import { LocalStore } from './local.ts';
import { createS3Client, type Env, resolveS3Options } from './s3-client.ts';
import { S3Store } from './s3.ts';
import type { ArtifactStore, S3Options } from './types.ts';
import { parseUri } from './uri.ts';

/** Options for `openStore`. */
export interface OpenStoreOptions {
  /** S3 endpoint, region, credentials and transfer settings; unset fields come from the AWS_* environment. */
  s3?: S3Options;
  /** Progress and retry messages (debug level). Never given credentials. */
  log?: Logger;
  /** Environment to read AWS_* variables from. Default `process.env`. */
  env?: Env;
  /** Directory relative paths resolve against. Default `process.cwd()`. */
  cwd?: string;
}

/**
 * Open the store at `uri`. Nothing is contacted or created until the first operation.
 * Throws UsageError for an empty URI, an unknown scheme or an `s3://` URI without a valid bucket.
 */
export function openStore(uri: string, opts: OpenStoreOptions = {}): ArtifactStore {
  const parsed = parseUri(uri, opts.cwd);
  if (parsed.kind === 'file') return new LocalStore(parsed.path);
  const resolved = resolveS3Options(opts.s3, opts.env);
  return new S3Store({
    client: createS3Client(resolved),
    bucket: parsed.bucket,
    prefix: parsed.key,
    options: resolved,
    log: opts.log,
  });
}
