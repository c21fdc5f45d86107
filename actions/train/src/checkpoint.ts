import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import type { Logger } from '../../../core/logger.ts';
import { sha256File } from '../../../registry/stores/hash.ts';
import type { ArtifactStore } from '../../../registry/stores/types.ts';

/** One file of a synced checkpoint. */
export interface CheckpointFile {
  path: string;
  sha256: string;
  bytes: number;
}

/** `manifest.json`: the files of the latest complete sync. */
export interface CheckpointManifest {
  synced: string;
  files: CheckpointFile[];
}

/** The store prefix for a model's checkpoints under a resume key. */
export function checkpointPrefix(model: string, resumeKey: string): string {
  return `checkpoints/${model}/${resumeKey.replace(/[^A-Za-z0-9._-]+/g, '_')}`;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    const entries = await readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  await walk(dir);
  return out.sort();
}

/** What a restore did. */
export interface RestoreResult {
  restored: boolean;
  files: number;
  /** Set when the store held a checkpoint that failed verification (training then starts clean). */
  corrupted?: string;
  /** The files restored (pass to `CheckpointSync` as `previous`). */
  manifest?: CheckpointManifest;
}

/**
 * Restore the latest synced checkpoint into `dir`. A manifest that does not parse, a missing object or a
 * sha256 mismatch leaves `dir` untouched and returns `corrupted` (the caller warns and starts clean).
 */
export async function restoreCheckpoint(opts: {
  store: ArtifactStore;
  prefix: string;
  dir: string;
}): Promise<RestoreResult> {
  const tmp = await mkdtemp(join(tmpdir(), 'mlops-ckpt-'));
  try {
    if (!(await opts.store.getKey(`${opts.prefix}/manifest.json`, join(tmp, 'manifest.json')))) {
      return { restored: false, files: 0 };
    }
    let manifest: CheckpointManifest;
    try {
      manifest = JSON.parse(await readFile(join(tmp, 'manifest.json'), 'utf8')) as CheckpointManifest;
      if (!Array.isArray(manifest.files)) throw new Error('no files list');
    } catch (err) {
      return {
        restored: false,
        files: 0,
        corrupted: `manifest.json does not parse (${(err as Error).message})`,
      };
    }
    const staged = join(tmp, 'files');
    for (const f of manifest.files) {
      if (f.path.startsWith('/') || f.path.split('/').includes('..')) {
        return { restored: false, files: 0, corrupted: `manifest names an unsafe path '${f.path}'` };
      }
      const dest = join(staged, f.path);
      await mkdir(dirname(dest), { recursive: true });
      let ok = false;
      try {
        ok = await opts.store.getKey(`${opts.prefix}/objects/${f.sha256}`, dest);
      } catch (err) {
        return { restored: false, files: 0, corrupted: `${f.path}: ${(err as Error).message}` };
      }
      if (!ok) return { restored: false, files: 0, corrupted: `${f.path}: object ${f.sha256} is missing` };
      const actual = (await sha256File(dest)).sha256;
      if (actual !== f.sha256) {
        return {
          restored: false,
          files: 0,
          corrupted: `${f.path}: sha256 ${actual} does not match ${f.sha256}`,
        };
      }
    }
    for (const f of manifest.files) {
      const dest = join(opts.dir, f.path);
      await mkdir(dirname(dest), { recursive: true });
      await rename(join(staged, f.path), dest).catch(() => copyFile(join(staged, f.path), dest));
    }
    return { restored: true, files: manifest.files.length, manifest };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Uploads the files of a checkpoint directory that changed since the last sync; one sync at a time. */
export class CheckpointSync {
  private uploaded = new Map<string, CheckpointFile>();
  private seen = new Map<string, { mtimeMs: number; size: number; file: CheckpointFile }>();
  private chain: Promise<unknown> = Promise.resolve();
  /** Completed syncs that uploaded a new manifest. */
  syncs = 0;

  constructor(
    private readonly opts: {
      store: ArtifactStore;
      prefix: string;
      dir: string;
      log: Logger;
      previous?: CheckpointFile[];
    },
  ) {
    // objects of a restored checkpoint are already in the store; a sync that drops them deletes them
    for (const f of opts.previous ?? []) this.uploaded.set(f.path, f);
  }

  /** Queue a sync after any running one; resolves when it is done. Errors are logged, never thrown. */
  sync(reason: string): Promise<void> {
    const next = this.chain
      .then(() => this.syncNow(reason))
      .catch((err) => {
        this.opts.log.warn(`checkpoint sync (${reason}) failed: ${(err as Error).message}`);
      });
    this.chain = next;
    return next;
  }

  private async syncNow(reason: string): Promise<void> {
    const { store, prefix, dir } = this.opts;
    const files: CheckpointFile[] = [];
    const snap = await mkdtemp(join(tmpdir(), 'mlops-ckpt-sync-'));
    try {
      for (const path of await listFiles(dir)) {
        const full = join(dir, path);
        const st = await stat(full).catch(() => undefined);
        if (!st) continue;
        const prev = this.seen.get(path);
        if (prev && prev.mtimeMs === st.mtimeMs && prev.size === st.size) {
          files.push(prev.file);
          continue;
        }
        // snapshot first so the bytes hashed are the bytes uploaded, even while the trainer writes
        const copy = join(snap, String(files.length));
        if (
          !(await copyFile(full, copy).then(
            () => true,
            () => false,
          ))
        )
          continue;
        const bytes = (await stat(copy)).size;
        const file = { path, sha256: (await sha256File(copy)).sha256, bytes };
        if (![...this.uploaded.values()].some((u) => u.sha256 === file.sha256)) {
          await store.putKey(`${prefix}/objects/${file.sha256}`, { path: copy });
        }
        this.seen.set(path, { mtimeMs: st.mtimeMs, size: st.size, file });
        files.push(file);
      }
      const same =
        files.length === this.uploaded.size &&
        files.every((f) => this.uploaded.get(f.path)?.sha256 === f.sha256);
      if (same && this.syncs > 0) return;
      const manifest: CheckpointManifest = { synced: new Date().toISOString(), files };
      await writeFile(join(snap, 'manifest.json'), JSON.stringify(manifest, null, 2));
      await store.putKey(`${prefix}/manifest.json`, { path: join(snap, 'manifest.json') });
      const keep = new Set(files.map((f) => f.sha256));
      for (const old of this.uploaded.values()) {
        if (!keep.has(old.sha256)) await store.deleteKey(`${prefix}/objects/${old.sha256}`);
      }
      this.uploaded = new Map(files.map((f) => [f.path, f]));
      this.syncs++;
      this.opts.log.info(
        `checkpoint synced (${reason}): ${files.length} file(s) to ${store.baseUri}/${prefix}`,
      );
    } finally {
      await rm(snap, { recursive: true, force: true });
    }
  }
}
