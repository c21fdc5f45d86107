/**
 * CODEOWNERS as GitHub reads it: the first of `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS`; gitignore-style
 * patterns with GitHub's exceptions (no `!` negation and no `[ ]` ranges: such lines are ignored and reported);
 * the last matching line wins, and a matching line without owners leaves the path unowned.
 */
import type { Forge } from './forge.ts';

/** Where GitHub looks for the file, in order. */
export const CODEOWNERS_LOCATIONS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const;

/** One usable line. */
export interface CodeownersRule {
  pattern: string;
  /** `@user`, `@org/team` or an e-mail address, as written. */
  owners: string[];
  /** 1-based line number. */
  line: number;
  regex: RegExp;
}

/** A parsed file: its rules, and lines GitHub would not use. */
export interface Codeowners {
  rules: CodeownersRule[];
  ignored: { line: number; text: string; reason: string }[];
}

/** Parse CODEOWNERS text. */
export function parseCodeowners(text: string): Codeowners {
  const out: Codeowners = { rules: [], ignored: [] };
  text.split(/\r?\n/).forEach((raw, k) => {
    const line = raw.replace(/(^|\s)#.*$/, '$1').trim();
    if (line === '') return;
    const [pattern, ...owners] = line.match(/(?:\\.|\S)+/g) ?? [''];
    if (pattern.startsWith('!')) {
      out.ignored.push({ line: k + 1, text: raw, reason: 'negation (!) is not supported by GitHub' });
    } else if (/(^|[^\\])\[/.test(pattern)) {
      out.ignored.push({
        line: k + 1,
        text: raw,
        reason: 'character ranges ([ ]) are not supported by GitHub',
      });
    } else {
      out.rules.push({ pattern, owners, line: k + 1, regex: patternRegex(pattern) });
    }
  });
  return out;
}

/** A gitignore-style pattern as GitHub's CODEOWNERS applies it to a repository-relative file path. */
export function patternRegex(pattern: string): RegExp {
  let p = pattern;
  const dirOnly = p.endsWith('/') && p !== '/';
  if (dirOnly) p = p.slice(0, -1);
  const anchored = p.startsWith('/') || p.includes('/');
  p = p.replace(/^\/+/, '');
  const segments = p.split('/');
  const childrenOnly = segments.length > 1 && segments[segments.length - 1] === '*';
  let body = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\' && i + 1 < p.length) {
      body += escapeRe(p[++i]);
    } else if (c === '*' && p[i + 1] === '*') {
      const slashAfter = p[i + 2] === '/';
      body += slashAfter ? '(?:.*/)?' : '.*';
      i += slashAfter ? 2 : 1;
    } else if (c === '*') {
      body += '[^/]*';
    } else if (c === '?') {
      body += '[^/]';
    } else {
      body += escapeRe(c);
    }
  }
  const prefix = anchored ? '^' : '^(?:.*/)?';
  const suffix = childrenOnly ? '$' : dirOnly ? '/.*$' : '(?:/.*)?$';
  return new RegExp(prefix + body + suffix);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The last rule matching `path` (repository-relative, no leading slash), or undefined when none does. */
export function matchingRule(codeowners: Codeowners, path: string): CodeownersRule | undefined {
  const p = path.replace(/^\/+/, '');
  for (let k = codeowners.rules.length - 1; k >= 0; k--) {
    if (codeowners.rules[k].regex.test(p)) return codeowners.rules[k];
  }
  return undefined;
}

/** The owners of `path` (empty when no rule matches or the last match names none). */
export function ownersOf(codeowners: Codeowners, path: string): string[] {
  return matchingRule(codeowners, path)?.owners ?? [];
}

/** The repository's CODEOWNERS at `ref` (first location found), or undefined when there is none. */
export async function readCodeowners(
  forge: Pick<Forge, 'readFile'>,
  ref: string,
): Promise<(Codeowners & { path: string }) | undefined> {
  for (const path of CODEOWNERS_LOCATIONS) {
    const text = await forge.readFile(path, ref);
    if (text !== undefined) return { path, ...parseCodeowners(text) };
  }
  return undefined;
}

/** True when `user` is one of `owners`: named as `@user` (case-insensitive), or an active member of an `@org/team`. */
export async function isOwner(
  forge: Pick<Forge, 'isTeamMember'>,
  owners: string[],
  user: string,
): Promise<boolean> {
  const login = user.toLowerCase();
  for (const owner of owners) {
    const team = /^@([^/\s]+)\/(\S+)$/.exec(owner);
    if (team) {
      if (await forge.isTeamMember(team[1], team[2], user)) return true;
    } else if (owner.toLowerCase() === `@${login}`) {
      return true;
    }
  }
  return false;
}
