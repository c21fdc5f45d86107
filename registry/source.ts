/**
 * Where a version came from: the repository, commit, ref and whether the work tree had uncommitted
 * changes, plus the workflow run on GitHub Actions. The same fields track records for its runs.
 */
import { Git } from './git.ts';
import type { VersionSource } from './types.ts';

/**
 * Read the source of the work tree at `dir`: `repository` from `GITHUB_REPOSITORY`, else the remote's
 * URL without credentials; `commit` (HEAD); `ref` (the checked-out branch, else `GITHUB_REF`); `run_url`
 * from `GITHUB_SERVER_URL`/`GITHUB_REPOSITORY`/`GITHUB_RUN_ID`; `dirty` when tracked files changed.
 * Pass `env` to read the GitHub variables (the registry itself passes none).
 */
export async function readSource(opts: {
  dir: string;
  remote?: string;
  env?: NodeJS.ProcessEnv;
}): Promise<VersionSource> {
  const g = new Git(opts.dir);
  const env = opts.env ?? {};
  const url = opts.remote
    ? (await g.run(['remote', 'get-url', opts.remote], { allowFail: true })).stdout.trim()
    : '';
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  const run_url =
    env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  const repository = env.GITHUB_REPOSITORY || (url ? url.replace(/\/\/[^@/]*@/, '//') : undefined);
  const commit = await g.revParse('HEAD');
  const ref =
    (await g.run(['symbolic-ref', '-q', 'HEAD'], { allowFail: true })).stdout.trim() || env.GITHUB_REF;
  const dirty = (await g.out(['status', '--porcelain', '--untracked-files=no'])).trim() !== '';
  return {
    ...(repository ? { repository } : {}),
    ...(commit ? { commit } : {}),
    ...(ref ? { ref } : {}),
    ...(run_url ? { run_url } : {}),
    dirty,
  };
}
