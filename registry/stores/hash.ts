/**
 * Streaming sha256 helpers shared by the stores.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { UsageError } from '../../core/errors.ts';

/** sha256 (lowercase hex) and size of a local file, read as a stream. */
export async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** sha256 (lowercase hex) of bytes in memory. */
export function sha256Bytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Check that `path` is an existing regular file; UsageError naming it otherwise. Returns its size. */
export async function checkSourceFile(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new UsageError(`file '${path}' does not exist; expected a path to a readable file`);
  if (!info.isFile()) throw new UsageError(`'${path}' is not a regular file; expected a path to a file`);
  return info.size;
}
