/**
 * A real S3-compatible server (s3rver) on 127.0.0.1 for tests: random port, temporary directory, every
 * request recorded so tests can count PUTs and UploadParts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The subset of s3rver's class the tests use (the package ships no types). */
interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverClass = new (opts: Record<string, unknown>) => S3rverInstance;

/** One HTTP request the server received (recorded before it is handled). */
export interface RecordedRequest {
  method: string;
  /** Path without the query, e.g. `/bucket/prefix/sha256/ab/abcd`. */
  path: string;
  /** Query parameters, e.g. `{ partNumber: '1', uploadId: '…' }`. */
  query: Record<string, string>;
  /** Content-Length header as a number (0 when absent). */
  bytes: number;
  /** Range header, when the request had one. */
  range?: string;
}

/** A running test S3 server. */
export interface TestS3Server {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** The first bucket (created at start). */
  bucket: string;
  /** Temporary directory where s3rver keeps objects (tests may tamper with files under it). */
  directory: string;
  /** Environment for the AWS SDK (and for bundles run as child processes). */
  env: {
    AWS_ENDPOINT_URL_S3: string;
    AWS_REGION: string;
    AWS_ACCESS_KEY_ID: string;
    AWS_SECRET_ACCESS_KEY: string;
  };
  /** Where s3rver keeps the bytes of an object (tests overwrite it to simulate tampering). */
  objectFile(key: string, bucket?: string): string;
  /** Every request received since start (or since the last `clearRequests()`). */
  requests: RecordedRequest[];
  /** Forget recorded requests. */
  clearRequests(): void;
  /** Stop the server and delete its directory. */
  stop(): Promise<void>;
}

/** Start s3rver on 127.0.0.1 with the given buckets (default `['test-bucket']`). */
export async function startS3Server(opts: { buckets?: string[] } = {}): Promise<TestS3Server> {
  const buckets = opts.buckets?.length ? opts.buckets : ['test-bucket'];
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    // s3rver predates some SigV4 details of the current SDK; signatures are not what the tests check.
    allowMismatchedSignatures: true,
    vhostBuckets: false,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const requests: RecordedRequest[] = [];
  server.httpServer?.prependListener('request', (req) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      query: Object.fromEntries(url.searchParams),
      bytes: Number(req.headers['content-length'] ?? 0),
      range: req.headers.range,
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket: buckets[0],
    directory,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    },
    objectFile: (key, bucket = buckets[0]) => {
      const parts = key.split('/');
      return join(directory, bucket, ...parts.slice(0, -1), `${parts.at(-1)}._S3rver_object`);
    },
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    stop: async () => {
      server.httpServer?.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
