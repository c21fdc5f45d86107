/**
 * Commits to a branch without touching the user's work tree (temporary index + `commit-tree`), pushes
 * atomically with an optional must-not-exist version ref, and retries from a fresh base when another
 * writer got there first.
 */
import { randomBytes } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Git } from './git.ts';
import { type GraphUpkeep, upkeepCommitGraph } from './graph.ts';
import type { GitIdentity } from './index.ts';

/** A change to commit: file contents by path (null deletes), message, and an optional version ref to create. */
export interface Change {
  files: Map<string, string | null>;
  message: string;
  /** Full ref name that must not exist yet, created at the new commit (e.g. `refs/mlops/versions/churn/v3`). */
  createRef?: string;
}

/** Where a write starts from. */
export interface Base {
  /** Commit to build on (undefined: the branch and the registry branch are both empty). */
  commit: string | undefined;
  /** Version refs for the model (short names `v<N>`) known on the remote, or locally without a remote. */
  versionRefs: number[];
}

/** Settings of one writer. */
export interface WriterOptions {
  git: Git;
  remote: string | undefined;
  /** The registry's own branch: where a branch missing everywhere starts from. */
  defaultBranch: string;
  identity: GitIdentity;
  clock: Clock;
  log: Logger;
  maxAttempts: number;
  /** Commit-graph upkeep after each write (see graph.ts). */
  commitGraph: GraphUpkeep;
}

/** Outcome of a write. */
export interface Written {
  commit: string;
  pushed: boolean;
}

/** The push was rejected because someone else moved the branch or took the ref. */
class Rejected extends Error {}

/** Runs write transactions for one repository. */
export class Writer {
  constructor(private readonly o: WriterOptions) {}

  /**
   * Fetch the base, build the change from it, commit and push; on a rejected push start again from a
   * fresh base. `build` returns null for "nothing to do" (no commit). `versionRefPrefix` names the refs
   * whose numbers are taken (e.g. `refs/mlops/versions/churn/`).
   */
  async transact(opts: {
    branch: string;
    push: boolean;
    versionRefPrefix?: string;
    build: (base: Base) => Promise<Change | null>;
  }): Promise<Written & { changed: boolean }> {
    const push = opts.push && this.o.remote !== undefined;
    for (let attempt = 1; ; attempt++) {
      const base = push
        ? await this.remoteBase(opts.branch, opts.versionRefPrefix)
        : await this.localBase(opts.branch, opts.versionRefPrefix);
      const change = await opts.build(base);
      if (!change) return { commit: base.commit ?? '', pushed: false, changed: false };
      const commit = await this.commit(base.commit, change);
      try {
        if (push) await this.push(opts.branch, commit, change.createRef);
        else await this.updateLocalRefs(opts.branch, base.commit, commit, change.createRef);
      } catch (err) {
        if (!(err instanceof Rejected) || attempt >= this.o.maxAttempts) throw err;
        this.o.log.debug(
          `write to ${opts.branch} raced another writer (attempt ${attempt}); retrying from a fresh base`,
        );
        await new Promise((r) => setTimeout(r, Math.random() * 50 * Math.min(attempt, 8)));
        continue;
      }
      if (push) await this.followRemote(opts.branch, commit);
      const graph = await upkeepCommitGraph(this.o.git, commit, this.o.commitGraph);
      if (graph !== 'none') this.o.log.debug(`commit-graph: ${graph} write`);
      return { commit, pushed: push, changed: true };
    }
  }

  private async refNumbers(lines: string[], prefix: string | undefined): Promise<number[]> {
    if (!prefix) return [];
    return lines
      .map((l) => l.split(/\s+/).pop() ?? '')
      .filter((r) => r.startsWith(prefix))
      .map((r) => /^v([1-9]\d*)$/.exec(r.slice(prefix.length)))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]));
  }

  private async remoteBase(branch: string, prefix: string | undefined): Promise<Base> {
    const { git } = this.o;
    const remote = this.o.remote as string;
    const patterns = [`refs/heads/${branch}`, `refs/heads/${this.o.defaultBranch}`];
    if (prefix) patterns.push(`${prefix}*`);
    const lines = (await git.out(['ls-remote', remote, ...patterns])).split('\n').filter(Boolean);
    const tip = (ref: string) => lines.find((l) => l.endsWith(`\t${ref}`))?.split('\t')[0];
    const branchTip = tip(`refs/heads/${branch}`);
    const defaultTip = tip(`refs/heads/${this.o.defaultBranch}`);
    const want = branchTip ? branch : defaultTip ? this.o.defaultBranch : undefined;
    let commit: string | undefined;
    if (want) {
      await git.run([
        'fetch',
        '--quiet',
        '--no-tags',
        remote,
        `+refs/heads/${want}:refs/remotes/${remote}/${want}`,
      ]);
      commit = branchTip ?? defaultTip;
    } else {
      commit =
        (await git.revParse(`refs/heads/${branch}`)) ??
        (await git.revParse(`refs/heads/${this.o.defaultBranch}`));
    }
    return { commit, versionRefs: await this.refNumbers(lines, prefix) };
  }

  private async localBase(branch: string, prefix: string | undefined): Promise<Base> {
    const { git } = this.o;
    const commit =
      (await git.revParse(`refs/heads/${branch}`)) ??
      (await git.revParse(`refs/heads/${this.o.defaultBranch}`));
    const refs = prefix ? (await git.out(['for-each-ref', '--format=%(refname)', prefix])).split('\n') : [];
    return { commit, versionRefs: await this.refNumbers(refs, prefix) };
  }

  /** Build a commit on `base` with the change, using a temporary index; nothing else is touched. */
  private async commit(base: string | undefined, change: Change): Promise<string> {
    const { git } = this.o;
    const gitPath = await git.out([
      'rev-parse',
      '--git-path',
      `mlops-index-${process.pid}-${randomBytes(6).toString('hex')}`,
    ]);
    const index = isAbsolute(gitPath) ? gitPath : join(git.dir, gitPath);
    const env = { GIT_INDEX_FILE: index };
    try {
      await git.run(base ? ['read-tree', base] : ['read-tree', '--empty'], { env });
      const lines: string[] = [];
      for (const [path, content] of change.files) {
        if (content === null) lines.push(`0 ${'0'.repeat(40)}\t${path}`);
        else lines.push(`100644 ${await git.writeBlob(content)}\t${path}`);
      }
      await git.run(['update-index', '--index-info'], { env, input: `${lines.join('\n')}\n` });
      const tree = await git.out(['write-tree'], { env });
      const when = this.o.clock().toISOString();
      const { name, email } = this.o.identity;
      const idEnv = {
        GIT_AUTHOR_NAME: name,
        GIT_AUTHOR_EMAIL: email,
        GIT_AUTHOR_DATE: when,
        GIT_COMMITTER_NAME: name,
        GIT_COMMITTER_EMAIL: email,
        GIT_COMMITTER_DATE: when,
      };
      const args = ['commit-tree', tree, ...(base ? ['-p', base] : []), '-F', '-'];
      return (await git.out(args, { env: idEnv, input: change.message })).trim();
    } finally {
      await rm(index, { force: true });
    }
  }

  private async push(branch: string, commit: string, createRef: string | undefined): Promise<void> {
    const args = ['push', '--porcelain', '--atomic', '--no-verify'];
    if (createRef) args.push(`--force-with-lease=${createRef}:`);
    args.push(this.o.remote as string, `${commit}:refs/heads/${branch}`);
    if (createRef) args.push(`${commit}:${createRef}`);
    const r = await this.o.git.run(args, { allowFail: true });
    // '=' means the ref already pointed at this very commit: an identical registration got the number first.
    const sameRef =
      createRef && r.stdout.split('\n').some((l) => l.startsWith('=') && l.includes(`:${createRef}\t`));
    if (r.code === 0 && !sameRef) return;
    if (sameRef) throw new Rejected(r.stdout);
    const rejected = r.stdout.split('\n').some((l) => l.startsWith('!'));
    if (rejected) throw new Rejected(r.stdout);
    throw new Error(`git push to ${this.o.remote} failed: ${r.stderr.trim() || r.stdout.trim()}`);
  }

  private async updateLocalRefs(
    branch: string,
    old: string | undefined,
    commit: string,
    createRef?: string,
  ): Promise<void> {
    const { git } = this.o;
    const current = await git.revParse(`refs/heads/${branch}`);
    const input = [`update refs/heads/${branch} ${commit} ${current ?? '0'.repeat(40)}`];
    if (current && current !== old) throw new Rejected('branch moved');
    if (createRef) input.push(`create ${createRef} ${commit}`);
    const r = await git.run(['update-ref', '--stdin'], {
      input: `start\n${input.join('\n')}\nprepare\ncommit\n`,
      allowFail: true,
    });
    if (r.code !== 0) throw new Rejected(r.stderr);
    await this.syncWorkTree(branch, current, commit);
  }

  /** After a push: remote-tracking ref, and the local branch (with the work tree) when it can fast-forward. */
  private async followRemote(branch: string, commit: string): Promise<void> {
    const { git } = this.o;
    await git.run(['update-ref', `refs/remotes/${this.o.remote}/${branch}`, commit]);
    const local = await git.revParse(`refs/heads/${branch}`);
    if (local === undefined) {
      // The branch had no commits here (a fresh clone of an empty remote): it starts at the pushed commit.
      const r = await git.run(['update-ref', `refs/heads/${branch}`, commit, '0'.repeat(40)], {
        allowFail: true,
      });
      if (r.code === 0) await this.syncWorkTree(branch, undefined, commit);
      return;
    }
    const ff = await git.run(['merge-base', '--is-ancestor', local, commit], { allowFail: true });
    if (ff.code !== 0) {
      this.o.log.warn(
        `local branch '${branch}' has diverged from ${this.o.remote}/${branch}; the registry change is on the remote (reads use it): run 'git pull --rebase'.`,
      );
      return;
    }
    if ((await this.checkedOutBranch()) === branch) await this.syncWorkTree(branch, local, commit);
    else await git.run(['update-ref', `refs/heads/${branch}`, commit, local]);
  }

  private async checkedOutBranch(): Promise<string | undefined> {
    const r = await this.o.git.run(['symbolic-ref', '--short', '-q', 'HEAD'], { allowFail: true });
    return r.code === 0 ? r.stdout.trim() : undefined;
  }

  /**
   * Bring the index and work tree of a checked-out branch to `commit` with a two-tree merge from `from`
   * (the empty tree for a branch that had no commits): only paths that differ between the two trees are
   * updated, git refuses to overwrite local changes to them, and every other staged or unstaged change
   * of the user stays as it was. Other branches need nothing.
   */
  private async syncWorkTree(branch: string, from: string | undefined, commit: string): Promise<void> {
    if ((await this.checkedOutBranch()) !== branch) return;
    const { git } = this.o;
    const head = await git.revParse('HEAD');
    if (head !== commit) {
      const r = await git.run(['merge', '--ff-only', '--quiet', commit], { allowFail: true });
      if (r.code !== 0)
        this.o.log.warn(
          `branch '${branch}' not fast-forwarded: ${r.stderr.trim()}; run 'git pull' after saving your changes.`,
        );
      return;
    }
    // update-ref already moved the branch: carry the index and files over from the previous tree.
    const old = from ?? (await git.out(['hash-object', '-t', 'tree', '-w', '--stdin'], { input: '' }));
    const r = await git.run(['read-tree', '-m', '-u', old, commit], { allowFail: true });
    if (r.code === 0) return;
    // git refused because the user changed some of these paths: update the others one by one.
    const kept = await this.syncUnchangedPaths(old, commit);
    this.o.log.warn(
      `work tree not updated for ${kept.join(', ')} (changed locally); the commit is on '${branch}': after saving your changes, run 'git checkout HEAD -- ${kept.join(' ')}'.`,
    );
  }

  /** Bring each path that differs between `old` and `commit` up to date unless the user changed it; return those left alone. */
  private async syncUnchangedPaths(old: string, commit: string): Promise<string[]> {
    const { git } = this.o;
    const paths = (await git.out(['diff', '--name-only', '--no-renames', '-z', old, commit]))
      .split('\0')
      .filter(Boolean);
    const kept: string[] = [];
    const update: string[] = [];
    const remove: string[] = [];
    for (const p of paths) {
      const staged = await git.run(['diff', '--cached', '--quiet', old, '--', p], { allowFail: true });
      const files = await git.run(['diff', '--quiet', old, '--', p], { allowFail: true });
      const inOld = (await git.run(['cat-file', '-e', `${old}:${p}`], { allowFail: true })).code === 0;
      const untracked = !inOld && (await stat(join(git.dir, p)).catch(() => undefined)) !== undefined;
      if (staged.code !== 0 || files.code !== 0 || untracked) kept.push(p);
      else if ((await git.run(['cat-file', '-e', `${commit}:${p}`], { allowFail: true })).code === 0)
        update.push(p);
      else remove.push(p);
    }
    if (update.length) await git.run(['checkout', commit, '--', ...update]);
    if (remove.length) await git.run(['rm', '-q', '--ignore-unmatch', '--', ...remove]);
    return kept;
  }
}
