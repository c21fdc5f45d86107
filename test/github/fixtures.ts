/** Git fixtures for the GitHub adapter tests: a bare remote with `main` and a feature branch. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Run git in `cwd` and return its trimmed stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
  }).trim();
}

/** Commit `files` on the current branch of the work tree `dir`; returns the new SHA. */
export function commit(dir: string, files: Record<string, string>, message = 'change'): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

/**
 * A work tree with `main` (holding `main` files) and branch `feature` (adding `feature` files), pushed to a bare
 * remote. Returns both paths and the branch SHAs.
 */
export function gitFixture(files: { main: Record<string, string>; feature: Record<string, string> }) {
  const root = mkdtempSync(join(tmpdir(), 'mlops-gh-'));
  const bare = join(root, 'remote.git');
  const work = join(root, 'work');
  git(root, 'init', '-q', '--bare', '-b', 'main', bare);
  git(root, 'init', '-q', '-b', 'main', work);
  const mainSha = commit(work, files.main, 'initial');
  git(work, 'checkout', '-q', '-b', 'feature');
  const featureSha = commit(work, files.feature, 'feature');
  git(work, 'checkout', '-q', 'main');
  git(work, 'remote', 'add', 'origin', bare);
  git(work, 'push', '-q', 'origin', 'main', 'feature');
  return { root, bare, work, mainSha, featureSha };
}
