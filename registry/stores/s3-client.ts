/**
 * Building an S3 client from options and the standard AWS environment, for the S3 store and the table readers.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { UsageError } from '../../core/errors.ts';
import type { S3Options } from './types.ts';

/** Environment variables the client reads (defaults to `process.env`). */
export type Env = Record<string, string | undefined>;

/** S3 options after defaults: what a client and a store need. */
export interface ResolvedS3Options {
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  credentials?: S3Options['credentials'];
  maxAttempts: number;
  partSize: number;
  queueSize: number;
}

const MIB = 1024 * 1024;

/**
 * Resolve options against the environment: endpoint from `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`,
 * region from `AWS_REGION` or `AWS_DEFAULT_REGION` (default us-east-1), path-style addressing when an
 * endpoint is set. Credentials stay with the SDK's standard chain unless given here.
 */
export function resolveS3Options(opts: S3Options = {}, env: Env = process.env): ResolvedS3Options {
  const endpoint = opts.endpoint ?? (env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined);
  if (endpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(endpoint)) {
    throw new UsageError(
      `invalid S3 endpoint '${endpoint}' (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL); expected http(s)://host[:port]`,
    );
  }
  const partSize = opts.partSize ?? 8 * MIB;
  if (!Number.isInteger(partSize) || partSize < 5 * MIB) {
    throw new UsageError(`invalid S3 part size ${partSize}; expected an integer of at least 5 MiB (5242880)`);
  }
  return {
    endpoint,
    region: opts.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1'),
    forcePathStyle: opts.forcePathStyle ?? endpoint !== undefined,
    credentials: opts.credentials ?? envCredentials(env),
    maxAttempts: Math.max(1, opts.maxAttempts ?? 6),
    partSize,
    queueSize: Math.max(1, opts.queueSize ?? 4),
  };
}

/** Static credentials from an environment other than `process.env` (the SDK's own chain reads that one). */
function envCredentials(env: Env): S3Options['credentials'] {
  if (env === process.env || !env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) return undefined;
  return {
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    sessionToken: env.AWS_SESSION_TOKEN || undefined,
  };
}

/**
 * An S3 client with retries (exponential backoff on 5xx, throttling and dropped connections) and without
 * the SDK's extra CRC checksums: content is verified by sha256 instead, which every S3-compatible server
 * supports. The SDK logger is not set, so credentials are never printed.
 */
export function createS3Client(resolved: ResolvedS3Options): S3Client {
  return new S3Client({
    endpoint: resolved.endpoint,
    region: resolved.region,
    forcePathStyle: resolved.forcePathStyle,
    credentials: resolved.credentials,
    maxAttempts: resolved.maxAttempts,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
  });
}

/** HTTP status of an SDK error, when it has one. */
export function httpStatusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/** True for "no such key" answers (404 / NoSuchKey / NotFound). */
export function isNotFound(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || httpStatusOf(err) === 404;
}

/** Map a missing bucket or denied access to a UsageError naming the URI; other errors pass through. */
export function explainS3Error(err: unknown, uri: string): unknown {
  const name = (err as { name?: string })?.name;
  if (name === 'NoSuchBucket')
    return new UsageError(`bucket of '${uri}' does not exist; expected an existing bucket`);
  if (name === 'AccessDenied' || httpStatusOf(err) === 403) {
    return new UsageError(`access denied to '${uri}'; check the AWS credentials and the bucket policy`);
  }
  return err;
}
