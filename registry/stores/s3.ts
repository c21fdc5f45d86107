/**
 * The S3 store (AWS S3 or any S3-compatible server). Blobs at `<prefix>/sha256/<ab>/<sha256>` with the
 * sha256 in `x-amz-meta-sha256`; keyed objects at `<prefix>/<key>`, also with their sha256 recorded.
 * Uploads skip blobs already present (HEAD), use multipart with bounded concurrency above the part size
 * (aborted on failure); downloads are verified by sha256 and retried when the connection drops.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { UsageError } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import { StoreError } from './errors.ts';
import { checkSourceFile, sha256Bytes, sha256File } from './hash.ts';
import { explainS3Error, httpStatusOf, isNotFound, type ResolvedS3Options } from './s3-client.ts';
import { writeVerified } from './transfer.ts';
import type { ArtifactStore, KeyedObject, StoredBlob, TransferProgress } from './types.ts';
import { blobKey, checkKey, checkSha256, joinKey, s3Uri } from './uri.ts';

/** What an S3Store is opened with. */
export interface S3StoreConfig {
  client: S3Client;
  bucket: string;
  /** Key prefix without leading or trailing `/` ('' for the bucket root). */
  prefix: string;
  options: Pick<ResolvedS3Options, 'maxAttempts' | 'partSize' | 'queueSize'>;
  log?: Logger;
}

/** An ArtifactStore over an S3 bucket and prefix. */
export class S3Store implements ArtifactStore {
  readonly baseUri: string;
  private readonly c: S3StoreConfig;
  private readonly log: Logger;

  constructor(config: S3StoreConfig) {
    this.c = config;
    this.log = config.log ?? silentLogger;
    this.baseUri = s3Uri(config.bucket, config.prefix);
    const log = this.log;
    config.client.middlewareStack.add(
      (next, context) => async (args) => {
        try {
          return await next(args);
        } catch (err) {
          const status = httpStatusOf(err) ?? (err as NodeJS.ErrnoException).code ?? 'no response';
          log.debug(
            `S3 ${context.commandName ?? 'request'} attempt failed (${(err as Error).name}, ${status})`,
          );
          throw err;
        }
      },
      { step: 'deserialize', priority: 'high', name: 'mlopsAttemptLogger' },
    );
  }

  private key(rel: string): string {
    return joinKey(this.c.prefix, rel);
  }

  async putFile(path: string, opts: { onProgress?: TransferProgress } = {}): Promise<StoredBlob> {
    await checkSourceFile(path);
    const { sha256, bytes } = await sha256File(path);
    const key = this.key(blobKey(sha256));
    const uri = s3Uri(this.c.bucket, key);
    const head = await this.head(key);
    if (head && head.bytes === bytes && (head.sha256 === undefined || head.sha256 === sha256)) {
      this.log.debug(`${uri} already stored; not uploaded again`);
      opts.onProgress?.(bytes, bytes);
      return { uri, sha256, bytes };
    }
    await this.upload(key, path, { sha256, bytes }, opts.onProgress);
    return { uri, sha256, bytes };
  }

  async getFile(sha256: string, dest: string, opts: { onProgress?: TransferProgress } = {}): Promise<void> {
    checkSha256(sha256);
    const key = this.key(blobKey(sha256));
    const found = await this.download(key, dest, sha256, opts.onProgress);
    if (!found) {
      const uri = s3Uri(this.c.bucket, key);
      throw new StoreError('missing', uri, `blob ${uri} is missing from the store`);
    }
  }

  async hasBlob(sha256: string): Promise<boolean> {
    checkSha256(sha256);
    const head = await this.head(this.key(blobKey(sha256)));
    if (!head || (head.sha256 !== undefined && head.sha256 !== sha256)) return false;
    return head.bytes > 0 || sha256 === sha256Bytes(new Uint8Array());
  }

  async putKey(key: string, source: { path: string } | { bytes: Uint8Array }): Promise<void> {
    const k = this.key(checkKey(key));
    if ('bytes' in source) {
      await this.put(k, Buffer.from(source.bytes), sha256Bytes(source.bytes));
      return;
    }
    await checkSourceFile(source.path);
    await this.upload(k, source.path, await sha256File(source.path));
  }

  async getKey(key: string, dest: string): Promise<boolean> {
    return this.download(this.key(checkKey(key)), dest, undefined);
  }

  async listKeys(prefix: string): Promise<KeyedObject[]> {
    if (prefix.split('/').some((s) => s === '.' || s === '..')) {
      throw new UsageError(
        `invalid prefix '${prefix}'; expected a relative key prefix like 'checkpoints/run-1/'`,
      );
    }
    const base = this.c.prefix === '' ? '' : `${this.c.prefix}/`;
    const found: KeyedObject[] = [];
    let token: string | undefined;
    do {
      const res = await this.call(this.baseUri, (c) =>
        c.send(
          new ListObjectsV2Command({
            Bucket: this.c.bucket,
            Prefix: base + prefix,
            ContinuationToken: token,
          }),
        ),
      );
      for (const o of res.Contents ?? []) {
        const rel = (o.Key ?? '').slice(base.length);
        if (rel === '' || rel.startsWith('sha256/')) continue;
        found.push({ key: rel, bytes: o.Size ?? 0, modified: o.LastModified ?? new Date(0) });
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    await mapLimit(found, 8, async (o) => {
      o.sha256 = (await this.head(this.key(o.key)))?.sha256;
    });
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async deleteKey(key: string): Promise<void> {
    const k = this.key(checkKey(key));
    await this.call(s3Uri(this.c.bucket, k), (c) =>
      c.send(new DeleteObjectCommand({ Bucket: this.c.bucket, Key: k })),
    );
  }

  /** Run an S3 call, turning a missing bucket or denied access into a UsageError naming `uri`. */
  private async call<T>(uri: string, fn: (client: S3Client) => Promise<T>): Promise<T> {
    try {
      return await fn(this.c.client);
    } catch (err) {
      throw explainS3Error(err, uri);
    }
  }

  private async head(key: string): Promise<{ bytes: number; sha256?: string } | undefined> {
    try {
      const res = await this.c.client.send(new HeadObjectCommand({ Bucket: this.c.bucket, Key: key }));
      return { bytes: res.ContentLength ?? 0, sha256: res.Metadata?.sha256 };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw explainS3Error(err, s3Uri(this.c.bucket, key));
    }
  }

  private async put(key: string, body: Buffer, sha256: string): Promise<void> {
    const cmd = new PutObjectCommand({
      Bucket: this.c.bucket,
      Key: key,
      Body: body,
      ContentLength: body.length,
      ContentType: 'application/octet-stream',
      Metadata: { sha256 },
    });
    await this.call(s3Uri(this.c.bucket, key), (c) => c.send(cmd));
  }

  /** Upload a file whose sha256 is known; the bytes sent are hashed again and must match. */
  private async upload(
    key: string,
    path: string,
    want: { sha256: string; bytes: number },
    onProgress?: TransferProgress,
  ): Promise<void> {
    const uri = s3Uri(this.c.bucket, key);
    const changed = () => new Error(`'${path}' changed while it was being uploaded to ${uri}; try again`);
    if (want.bytes <= this.c.options.partSize) {
      const body = await readFile(path);
      if (sha256Bytes(body) !== want.sha256) throw changed();
      await this.put(key, body, want.sha256);
      onProgress?.(body.length, body.length);
      return;
    }
    const hash = createHash('sha256');
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    const upload = new Upload({
      client: this.c.client,
      queueSize: this.c.options.queueSize,
      partSize: this.c.options.partSize,
      leavePartsOnError: false,
      params: {
        Bucket: this.c.bucket,
        Key: key,
        Body: createReadStream(path).pipe(tap),
        ContentLength: want.bytes,
        ContentType: 'application/octet-stream',
        Metadata: { sha256: want.sha256 },
      },
    });
    upload.on('httpUploadProgress', (p) => onProgress?.(p.loaded ?? 0, p.total ?? want.bytes));
    try {
      await upload.done();
    } catch (err) {
      throw explainS3Error(err, uri);
    }
    if (hash.digest('hex') !== want.sha256) {
      await this.call(uri, (c) => c.send(new DeleteObjectCommand({ Bucket: this.c.bucket, Key: key })));
      throw changed();
    }
  }

  /**
   * Download `key` to `dest` through a temporary file. The content must hash to `sha256` (or, when that is
   * undefined, to the sha256 recorded in the object's metadata, if any). A dropped connection or short read
   * is retried with backoff; a mismatch of the full content is tampering or corruption and throws at once.
   * Returns false when the object does not exist.
   */
  private async download(
    key: string,
    dest: string,
    sha256: string | undefined,
    onProgress?: TransferProgress,
  ): Promise<boolean> {
    const uri = s3Uri(this.c.bucket, key);
    for (let attempt = 1; ; attempt++) {
      let res: { Body?: unknown; ContentLength?: number; Metadata?: Record<string, string> };
      try {
        res = await this.c.client.send(new GetObjectCommand({ Bucket: this.c.bucket, Key: key }));
      } catch (err) {
        if (isNotFound(err)) return false;
        throw explainS3Error(err, uri);
      }
      const expected = sha256 ?? res.Metadata?.sha256;
      const total = res.ContentLength;
      try {
        await writeVerified(res.Body as Readable, dest, {
          total,
          onProgress,
          accept: (got) => {
            if (total !== undefined && got.bytes !== total) {
              throw new Error(`short read of ${uri}: ${got.bytes} of ${total} bytes`);
            }
            if (expected !== undefined && got.sha256 !== expected) {
              throw new StoreError(
                'integrity',
                uri,
                `${uri} is corrupt: expected sha256 ${expected}, got ${got.sha256}`,
              );
            }
            return true;
          },
        });
        return true;
      } catch (err) {
        if (err instanceof StoreError || attempt >= this.c.options.maxAttempts) throw err;
        const wait = Math.min(100 * 2 ** (attempt - 1), 5_000) * (0.5 + Math.random() / 2);
        this.log.debug(
          `download of ${uri} failed (${(err as Error).message}); retry ${attempt} in ${Math.round(wait)} ms`,
        );
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
