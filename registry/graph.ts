/**
 * Upkeep of the commit-graph with changed-path Bloom filters, which makes `git log -- <root>/<model>/`
 * (history, rollback) skip commits that do not touch the model: 0.48 s -> 0.07 s at 11 100 commits.
 * An incremental layer after a write costs ~25 ms; a full write ~0.9 s at 11 100 commits (once).
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Git } from './git.ts';

/** `incremental`: add a layer only when a Bloom-filter graph exists; `full`: also write one when the history is long; `off`. */
export type GraphUpkeep = 'incremental' | 'full' | 'off';

/** Below this many commits a full write is not worth it: the path-limited log is already fast. */
export const FULL_WRITE_MIN_COMMITS = 1000;

/** True when every layer of the repository's commit-graph has changed-path Bloom filters (chunk `BIDX`). */
export async function hasBloomGraph(git: Git): Promise<boolean> {
  const rel = await git.out(['rev-parse', '--git-path', 'objects/info']);
  const info = isAbsolute(rel) ? rel : join(git.dir, rel);
  const chain = await readFile(join(info, 'commit-graphs', 'commit-graph-chain'), 'utf8').catch(
    () => undefined,
  );
  const files = chain
    ? chain
        .split('\n')
        .filter(Boolean)
        .map((h) => join(info, 'commit-graphs', `graph-${h}.graph`))
    : [join(info, 'commit-graph')];
  for (const f of files) {
    const head = await readFile(f).catch(() => undefined);
    if (head?.subarray(0, 4).toString('latin1') !== 'CGPH') return false;
    const chunks = head[6];
    const ids = Array.from({ length: chunks }, (_, i) =>
      head.subarray(8 + i * 12, 12 + i * 12).toString('latin1'),
    );
    if (!ids.includes('BIDX')) return false;
  }
  return files.length > 0;
}

/**
 * After a registry write: add an incremental Bloom-filter layer when the graph has them (~25 ms), or
 * (`full`) replace a missing or filterless graph once the branch has FULL_WRITE_MIN_COMMITS commits.
 * Best-effort: a failure only means slower history reads. Returns what it did.
 */
export async function upkeepCommitGraph(
  git: Git,
  tip: string,
  mode: GraphUpkeep,
): Promise<'incremental' | 'full' | 'none'> {
  if (mode === 'off') return 'none';
  const args = ['commit-graph', 'write', '--reachable', '--changed-paths', '--no-progress'];
  if (await hasBloomGraph(git)) {
    const r = await git.run([...args, '--split'], { allowFail: true });
    return r.code === 0 ? 'incremental' : 'none';
  }
  if (mode !== 'full') return 'none';
  const n = await git.run(['rev-list', '--count', `--max-count=${FULL_WRITE_MIN_COMMITS}`, tip], {
    allowFail: true,
  });
  if (Number(n.stdout.trim()) < FULL_WRITE_MIN_COMMITS) return 'none';
  const r = await git.run([...args, '--split=replace'], { allowFail: true });
  return r.code === 0 ? 'full' : 'none';
}
