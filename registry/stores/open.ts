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

/** Where a model's artifacts go when neither a flag nor `model.yaml` names a store: a folder in the repository. */
export const DEFAULT_STORE = '.mlops/artifacts';

/**
 * The store of a model, resolved the same way everywhere: the explicit `override` (relative to `cwd`), else the
 * model's `artifact_store`, else `DEFAULT_STORE` (both relative to the registry's repository `registryDir`).
 */
export function openModelStore(opts: {
  override?: string;
  artifactStore?: string;
  registryDir: string;
  cwd: string;
  env?: Env;
  log?: Logger;
}): ArtifactStore {
  const uri = opts.override ?? opts.artifactStore ?? DEFAULT_STORE;
  const cwd = opts.override !== undefined ? opts.cwd : opts.registryDir;
  return openStore(uri, { cwd, env: opts.env, log: opts.log });
}
