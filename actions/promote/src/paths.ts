/**
 * Which files a promotion PR may touch: the model's registry folder, the generated registry index, and the
 * model's configured extra paths (exact files, folders ending in `/`, or globs with `*` and `**`), and never a
 * version record or card that already exists on the base branch (immutable once written).
 */
import { isImmutablePath } from '../../../registry/immutable.ts';

/** Turn an extra-path pattern into a matcher. `*` matches within one path segment, `**` across segments. */
export function pathMatcher(pattern: string): (path: string) => boolean {
  const p = pattern.replace(/^\.?\//, '');
  if (p.endsWith('/')) return (path) => path.startsWith(p);
  if (!p.includes('*')) return (path) => path === p || path.startsWith(`${p}/`);
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*' && p[i + 1] === '*') {
      re += p[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += p[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') {
      re += '[^/]*';
    } else {
      re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  const rx = new RegExp(`^${re}$`);
  return (path) => rx.test(path);
}

/**
 * The changed paths that fall outside what a promotion of `model` may touch: `<root>/<model>/…`,
 * the generated `<root>/README.md`, and `extraPaths`.
 */
export function outsidePaths(opts: {
  files: string[];
  root: string;
  model: string;
  extraPaths?: string[];
}): string[] {
  const root = opts.root.replace(/^\.?\//, '').replace(/\/+$/, '');
  const prefix = root ? `${root}/` : '';
  const allowed = [
    (f: string) => f.startsWith(`${prefix}${opts.model}/`),
    (f: string) => f === `${prefix}README.md`,
    ...(opts.extraPaths ?? []).map(pathMatcher),
  ];
  return opts.files.filter((f) => !allowed.some((ok) => ok(f)));
}

/**
 * The changed version records and cards (`<root>/<model>/versions/v<N>/{version.yaml,card.md}`) that exist on
 * the base branch, i.e. that the PR rewrites or deletes. `baseText(path)` reads a file on the base (undefined
 * when missing) and `headText(path)` on the PR head. A record the PR adds may be edited in the same PR.
 */
export async function rewrittenRecords(opts: {
  files: string[];
  root: string;
  baseText: (path: string) => Promise<string | undefined>;
  headText: (path: string) => Promise<string | undefined>;
}): Promise<{ path: string; change: 'rewrites' | 'deletes' }[]> {
  const out: { path: string; change: 'rewrites' | 'deletes' }[] = [];
  for (const path of opts.files.filter((f) => isImmutablePath(opts.root, f))) {
    const before = await opts.baseText(path);
    if (before === undefined) continue;
    const after = await opts.headText(path);
    if (after !== before) out.push({ path, change: after === undefined ? 'deletes' : 'rewrites' });
  }
  return out;
}
