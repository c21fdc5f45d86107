/**
 * Real Git for tests: a temporary bare remote with a clone that has `main` pushed, more clones of it,
 * and cleanup. No mocking: every helper runs the `git` binary.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** Environment for test git processes: no user or system config, fixed identity, no prompts. */
export const gitTestEnv: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.com',
};

/** Run git in `cwd` and return trimmed stdout; throws with stderr on failure. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await execFileP('git', args, {
    cwd,
    env: gitTestEnv,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout.trim();
}

/** A temporary bare remote plus a first clone of it. */
export interface TestRemote {
  /** Parent temporary directory (holds the remote and every clone). */
  root: string;
  /** Path of the bare repository (usable as a remote URL). */
  remote: string;
  /** A clone with user.name/email set, on `main`, with an initial commit pushed. */
  clone: string;
  /** Another clone of the remote, on `main`, identity set. Each call makes a new directory. */
  cloneOf(name?: string): Promise<string>;
  /** Remove every directory this remote created. */
  cleanup(): Promise<void>;
}

/** Set the identity and quiet defaults of a work tree. */
async function configure(dir: string, user = 'Test Author'): Promise<void> {
  await git(dir, 'config', 'user.name', user);
  await git(dir, 'config', 'user.email', `${user.toLowerCase().replace(/\s+/g, '.')}@example.com`);
  await git(dir, 'config', 'commit.gpgsign', 'false');
  await git(dir, 'config', 'core.autocrlf', 'false');
}

/**
 * Create a temporary bare remote and a clone with an initial commit (README.md, .gitignore with
 * `.mlops/`) on `main`, pushed. Call `cleanup()` in `afterEach`/`afterAll`.
 */
export async function createRemote(opts: { user?: string } = {}): Promise<TestRemote> {
  const root = await mkdtemp(join(tmpdir(), 'mlops-git-'));
  const remote = join(root, 'remote.git');
  await git(root, 'init', '--bare', '--initial-branch=main', remote);
  const clone = join(root, 'work');
  await git(root, 'init', '--initial-branch=main', clone);
  await configure(clone, opts.user);
  await git(clone, 'remote', 'add', 'origin', remote);
  await writeFile(join(clone, 'README.md'), '# test repository\n');
  await writeFile(join(clone, '.gitignore'), '.mlops/\n');
  await git(clone, 'add', 'README.md', '.gitignore');
  await git(clone, 'commit', '-q', '-m', 'initial commit');
  await git(clone, 'push', '-q', '-u', 'origin', 'main');
  let n = 0;
  return {
    root,
    remote,
    clone,
    cloneOf: (name?: string) => cloneOf(remote, join(root, name ?? `clone-${++n}`)),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** Clone `remote` into `dest` (a new temporary directory when omitted), identity set, on `main`. */
export async function cloneOf(remote: string, dest?: string): Promise<string> {
  const dir = dest ?? join(await mkdtemp(join(tmpdir(), 'mlops-clone-')), 'work');
  await execFileP('git', ['clone', '-q', '--branch', 'main', remote, dir], { env: gitTestEnv });
  await configure(dir);
  return dir;
}

/** `git status --porcelain` of a work tree ('' when clean). */
export function gitStatus(dir: string): Promise<string> {
  return git(dir, 'status', '--porcelain', '--untracked-files=all');
}

/** Number of commits reachable from `ref` in `dir`. */
export async function commitCount(dir: string, ref = 'HEAD'): Promise<number> {
  return Number(await git(dir, 'rev-list', '--count', ref));
}
