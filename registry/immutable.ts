/**
 * Version records and model cards are immutable once written: the paths that are, and the check every
 * registry write runs against its base commit.
 */
import { UsageError } from '../core/errors.ts';
import type { Snapshot } from './snapshot.ts';

/** True for `<root>/<model>/versions/v<N>/version.yaml` or `…/card.md` (model with an optional group). */
export function isImmutablePath(root: string, path: string): boolean {
  const r = root.replace(/^\.?\//, '').replace(/\/+$/, '');
  const rest = r ? (path.startsWith(`${r}/`) ? path.slice(r.length + 1) : undefined) : path;
  return rest !== undefined && /^[^/]+(\/[^/]+)?\/versions\/v[1-9]\d*\/(version\.yaml|card\.md)$/.test(rest);
}

/**
 * Refuse (UsageError) a change that rewrites or deletes a version record or card that exists in `base`;
 * writing the same content again, or a new version's files, is allowed.
 */
export async function refuseRewrites(base: Snapshot, files: Map<string, string | null>): Promise<void> {
  const paths = [...files.keys()].filter((p) => isImmutablePath(base.root, p));
  if (!base.rev || paths.length === 0) return;
  const existing = await base.read(paths);
  for (const p of paths) {
    const was = existing.get(p);
    if (was !== undefined && was !== files.get(p))
      throw new UsageError(
        `${p} already exists and is immutable once written (${files.get(p) === null ? 'deleting' : 'rewriting'} it is refused): expected a new version (mlops register).`,
      );
  }
}
