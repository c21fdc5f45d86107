/**
 * Write a stream to a local file through a temporary name, hashing on the way; the caller decides whether
 * the result is renamed into place. A failed or rejected transfer leaves no partial file behind.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TransferProgress } from './types.ts';

/** A temporary path next to `dest` (same directory, so a rename is atomic). */
export function partialPath(dest: string): string {
  return join(dirname(dest), `.${basename(dest)}.partial-${randomBytes(6).toString('hex')}`);
}

/**
 * Stream `source` into a temporary file next to `dest`, computing sha256 and size. `accept` sees the
 * result: returning true renames the file to `dest`; returning false or throwing deletes it.
 */
export async function writeVerified(
  source: Readable | AsyncIterable<Uint8Array>,
  dest: string,
  opts: {
    total?: number;
    onProgress?: TransferProgress;
    accept: (got: { sha256: string; bytes: number }) => boolean;
  },
): Promise<{ sha256: string; bytes: number; kept: boolean }> {
  await mkdir(dirname(dest), { recursive: true });
  const tmp = partialPath(dest);
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      opts.onProgress?.(bytes, opts.total ?? bytes);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(source, tap, createWriteStream(tmp));
    const got = { sha256: hash.digest('hex'), bytes };
    const kept = opts.accept(got);
    if (kept) await rename(tmp, dest);
    else await rm(tmp, { force: true });
    return { ...got, kept };
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
