/**
 * The embedded default store: a local directory. Blobs at `<dir>/sha256/<ab>/<sha256>`, keyed objects at
 * `<dir>/<key>` with their sha256 in a sidecar `<dir>/.meta/<key>.sha256`. Every write goes to a temporary
 * file and is renamed into place; every read is verified, and an existing blob is trusted only after
 * its content is hashed again (a corrupt one is replaced).
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../../core/errors.ts';
import { StoreError } from './errors.ts';
import { checkSourceFile, sha256File } from './hash.ts';
import { writeVerified } from './transfer.ts';
import type { ArtifactStore, KeyedObject, StoredBlob, TransferProgress } from './types.ts';
import { blobKey, checkKey, checkSha256 } from './uri.ts';

const RESERVED = new Set(['sha256', '.meta', '.tmp']);

/** An ArtifactStore over a local directory (created on first write). */
export class LocalStore implements ArtifactStore {
  readonly baseUri: string;
  readonly dir: string;

  /** `dir` must be absolute. */
  constructor(dir: string) {
    this.dir = dir;
    this.baseUri = pathToFileURL(dir).href.replace(/\/$/, '');
  }

  private blobPath(sha256: string): string {
    return join(this.dir, ...blobKey(sha256).split('/'));
  }

  async putFile(path: string, opts: { onProgress?: TransferProgress } = {}): Promise<StoredBlob> {
    const size = await checkSourceFile(path);
    const { sha256, bytes } = await sha256File(path);
    const dest = this.blobPath(sha256);
    const uri = `${this.baseUri}/${blobKey(sha256)}`;
    const existing = await stat(dest).catch(() => undefined);
    // Trust a stored blob only when its content hashes to its name; a corrupt one is replaced below.
    if (existing?.isFile() && existing.size === bytes && (await sha256File(dest)).sha256 === sha256) {
      opts.onProgress?.(bytes, bytes);
      return { uri, sha256, bytes };
    }
    await writeVerified(createReadStream(path), dest, {
      total: size,
      onProgress: opts.onProgress,
      accept: (got) => {
        if (got.sha256 !== sha256) throw new Error(`'${path}' changed while it was being stored; try again`);
        return true;
      },
    });
    return { uri, sha256, bytes };
  }

  async getFile(sha256: string, dest: string, opts: { onProgress?: TransferProgress } = {}): Promise<void> {
    checkSha256(sha256);
    const src = this.blobPath(sha256);
    const uri = `${this.baseUri}/${blobKey(sha256)}`;
    const info = await stat(src).catch(() => undefined);
    if (!info?.isFile()) throw new StoreError('missing', uri, `blob ${uri} is missing from the store`);
    await writeVerified(createReadStream(src), dest, {
      total: info.size,
      onProgress: opts.onProgress,
      accept: (got) => {
        if (got.sha256 !== sha256) {
          throw new StoreError(
            'integrity',
            uri,
            `blob ${uri} is corrupt: its content hashes to ${got.sha256}`,
          );
        }
        return true;
      },
    });
  }

  async hasBlob(sha256: string): Promise<boolean> {
    checkSha256(sha256);
    const info = await stat(this.blobPath(sha256)).catch(() => undefined);
    return info?.isFile() ?? false;
  }

  async putKey(key: string, source: { path: string } | { bytes: Uint8Array }): Promise<void> {
    const k = checkKey(key);
    const dest = join(this.dir, ...k.split('/'));
    if ('path' in source) await checkSourceFile(source.path);
    const stream =
      'path' in source ? createReadStream(source.path) : Readable.from([Buffer.from(source.bytes)]);
    const { sha256 } = await writeVerified(stream, dest, { accept: () => true });
    await writeVerified(Readable.from([Buffer.from(`${sha256}\n`)]), this.sidecar(k), { accept: () => true });
  }

  async getKey(key: string, dest: string): Promise<boolean> {
    const k = checkKey(key);
    const src = join(this.dir, ...k.split('/'));
    const info = await stat(src).catch(() => undefined);
    if (!info?.isFile()) return false;
    const expected = await this.recordedSha(k);
    const uri = `${this.baseUri}/${k}`;
    await writeVerified(createReadStream(src), dest, {
      accept: (got) => {
        if (expected !== undefined && got.sha256 !== expected) {
          throw new StoreError(
            'integrity',
            uri,
            `${uri} is corrupt: recorded sha256 ${expected}, content ${got.sha256}`,
          );
        }
        return true;
      },
    });
    return true;
  }

  async listKeys(prefix: string): Promise<KeyedObject[]> {
    const p = prefix === '' ? '' : prefix.replace(/^\/+/, '');
    if (p.includes('\\') || p.split('/').some((s) => s === '.' || s === '..')) {
      throw new UsageError(
        `invalid prefix '${prefix}'; expected a relative key prefix like 'checkpoints/run-1/'`,
      );
    }
    const start = join(this.dir, ...p.split('/').slice(0, -1));
    const out: KeyedObject[] = [];
    for (const file of await walk(start)) {
      const key = relative(this.dir, file).split(sep).join('/');
      if (!key.startsWith(p) || RESERVED.has(key.split('/')[0]) || key.includes('.partial-')) continue;
      const info = await stat(file);
      out.push({ key, bytes: info.size, sha256: await this.recordedSha(key), modified: info.mtime });
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async deleteKey(key: string): Promise<void> {
    const k = checkKey(key);
    await rm(join(this.dir, ...k.split('/')), { force: true });
    await rm(this.sidecar(k), { force: true });
  }

  private sidecar(key: string): string {
    return join(this.dir, '.meta', ...`${key}.sha256`.split('/'));
  }

  private async recordedSha(key: string): Promise<string | undefined> {
    const text = await readFile(this.sidecar(key), 'utf8').catch(() => undefined);
    return text?.trim() || undefined;
  }
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}
