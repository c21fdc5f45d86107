/**
 * Writing the evaluation summary into the candidate's `version.yaml` on the PR branch (`evaluation:` with the
 * evaluated commit, the metrics and the verdict), as one commit pushed to the PR's head branch. Idempotent: when
 * the file already holds the same metrics and verdict nothing is written, so a re-run (or the push's own
 * `synchronize` event under an App token) does not loop.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { Logger } from '../../../core/logger.ts';
import type { VersionRecord } from '../../../registry/types.ts';

/** The summary recorded under `evaluation:`. */
export type EvaluationSummary = NonNullable<VersionRecord['evaluation']>;

function git(dir: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd: dir, maxBuffer: 16 * 1024 * 1024 }, (err, out, stderr) =>
      err ? reject(new Error(`git ${args[0]} failed: ${stderr.trim() || err.message}`)) : resolve(out.trim()),
    );
  });
}

const same = (a: unknown, b: EvaluationSummary) => {
  const x = a as Partial<EvaluationSummary> | undefined;
  return x?.passed === b.passed && JSON.stringify(x?.metrics ?? null) === JSON.stringify(b.metrics);
};

/**
 * Record `summary` in `<root>/<model>/versions/v<N>/version.yaml` of the checkout at `dir` and push it to
 * `branch` on `origin`. Returns the new commit, or undefined when nothing changed or the push was refused
 * (a warning; the evaluation stands on the commit it evaluated).
 */
export async function recordEvaluation(o: {
  dir: string;
  root: string;
  model: string;
  version: number;
  branch: string;
  summary: EvaluationSummary;
  log: Logger;
}): Promise<string | undefined> {
  const path = `${o.root}/${o.model}/versions/v${o.version}/version.yaml`;
  const file = join(o.dir, path);
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (same(doc.toJS()?.evaluation, o.summary)) return undefined;
  const remotes = (await git(o.dir, ['remote'])).split('\n');
  if (!remotes.includes('origin')) {
    o.log.warn(`no 'origin' remote in ${o.dir}: the evaluation summary was not recorded in ${path}`);
    return undefined;
  }
  doc.set('evaluation', o.summary);
  writeFileSync(file, doc.toString());
  const name = (await git(o.dir, ['config', '--get', 'user.name']).catch(() => '')) || 'github-actions[bot]';
  const email =
    (await git(o.dir, ['config', '--get', 'user.email']).catch(() => '')) ||
    '41898282+github-actions[bot]@users.noreply.github.com';
  await git(o.dir, ['add', '--', path]);
  await git(o.dir, [
    '-c',
    `user.name=${name}`,
    '-c',
    `user.email=${email}`,
    'commit',
    '-q',
    '-m',
    `${o.model}: record the evaluation of v${o.version} (${o.summary.passed ? 'passed' : 'failed'})`,
    '--',
    path,
  ]);
  const sha = await git(o.dir, ['rev-parse', 'HEAD']);
  try {
    await git(o.dir, ['push', '-q', 'origin', `HEAD:refs/heads/${o.branch}`]);
  } catch (err) {
    o.log.warn(
      `could not push the evaluation summary to ${o.branch} (${(err as Error).message}); the check stays on the evaluated commit`,
    );
    await git(o.dir, ['reset', '-q', '--hard', 'HEAD~1']);
    return undefined;
  }
  return sha;
}
