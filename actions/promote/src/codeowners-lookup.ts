/**
 * Owners of a path from CODEOWNERS text: the last matching rule wins (GitHub's rule). Patterns follow
 * GitHub's subset of gitignore: `*`, `**`, a leading `/` anchors, a trailing `/` matches a folder.
 */
import { pathMatcher } from './paths.ts';

/** The owners (`@user`, `@org/team`; emails dropped) of `path` under the last matching CODEOWNERS rule. */
export function codeOwnersForPath(text: string, path: string): string[] {
  let owners: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s#.*$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const [pattern, ...rest] = line.split(/\s+/);
    if (matches(pattern, path)) owners = rest.filter((o) => o.startsWith('@'));
  }
  return owners;
}

function matches(pattern: string, path: string): boolean {
  if (pattern === '*') return true;
  const anchored = pattern.startsWith('/') || pattern.slice(0, -1).includes('/');
  const p = pattern.replace(/^\//, '');
  const body = p.endsWith('/') ? `${p}**` : p;
  if (pathMatcher(body)(path) || pathMatcher(`${body}/**`)(path)) return true;
  return !anchored && (pathMatcher(`**/${body}`)(path) || pathMatcher(`**/${body}/**`)(path));
}
