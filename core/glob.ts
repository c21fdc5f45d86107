import { UsageError } from './errors.ts';

const SPECIAL = /[.+^${}()|[\]\\]/g;

/**
 * A glob as an anchored regular expression over `/`-separated paths: `*` (within a segment), `**` (any depth),
 * `?`, `[abc]` / `[!abc]`, and `{a,b}`. An unclosed `{` is a UsageError naming the glob.
 */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[' && glob.indexOf(']', i) > i) {
      const close = glob.indexOf(']', i);
      re += `[${glob
        .slice(i + 1, close)
        .replace(/^!/, '^')
        .replace(/\\/g, '\\\\')}]`;
      i = close;
    } else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) throw new UsageError(`glob '${glob}' has an unclosed '{': expected {a,b}.`);
      re += `(?:${glob
        .slice(i + 1, end)
        .split(',')
        .map((s) => s.replace(SPECIAL, '\\$&'))
        .join('|')})`;
      i = end;
    } else re += c.replace(SPECIAL, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
