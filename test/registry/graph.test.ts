import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Git } from '../../registry/git.ts';
import { FULL_WRITE_MIN_COMMITS, hasBloomGraph, upkeepCommitGraph } from '../../registry/graph.ts';
import { openRegistry } from '../../registry/index.ts';
import { git, gitTestEnv } from '../support/git.ts';

let dir: string;

/** A repository whose main branch has `n` commits, built with fast-import. */
function history(n: number): void {
  const parts: string[] = [];
  for (let i = 1; i <= n; i++) {
    const msg = `c${i}\n`;
    parts.push(
      `commit refs/heads/main\nmark :${i}\ncommitter T <t@example.com> ${1_700_000_000 + i} +0000\ndata ${msg.length}\n${msg}${i > 1 ? `from :${i - 1}\n` : ''}M 100644 inline f.txt\ndata ${String(i).length}\n${i}\n\n`,
    );
  }
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, env: gitTestEnv, input: parts.join('') });
  execFileSync('git', ['checkout', '-q', 'main'], { cwd: dir, env: gitTestEnv });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlops-graph-'));
  await git(dir, 'init', '-q', '--initial-branch=main');
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const chain = () => readFile(join(dir, '.git/objects/info/commit-graphs/commit-graph-chain'), 'utf8');

describe('commit-graph upkeep', () => {
  it('upkeepCommitGraph writes a Bloom-filter graph once the history is long, then adds layers', async () => {
    history(FULL_WRITE_MIN_COMMITS);
    const g = new Git(dir, gitTestEnv);
    expect(await hasBloomGraph(g)).toBe(false);
    const reg = await openRegistry({ dir, commitGraph: 'full' });
    await reg.init({});
    expect(await hasBloomGraph(g)).toBe(true);
    const layers = (await chain()).split('\n').filter(Boolean).length;
    await reg.init({
      model: 'churn',
      spec: { name: 'churn', task: 'binary', primary_metric: { name: 'auc', direction: 'maximize' } },
    });
    expect((await chain()).split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(layers);
    expect(await upkeepCommitGraph(g, 'HEAD', 'incremental')).toBe('incremental');
    expect(await hasBloomGraph(g)).toBe(true);
  });

  it('upkeepCommitGraph leaves a short history, an off setting and a graph without filters alone', async () => {
    history(20);
    const g = new Git(dir, gitTestEnv);
    expect(await upkeepCommitGraph(g, 'HEAD', 'full')).toBe('none');
    await git(dir, 'commit-graph', 'write', '--reachable');
    expect(await hasBloomGraph(g)).toBe(false);
    expect(await upkeepCommitGraph(g, 'HEAD', 'incremental')).toBe('none');
    const reg = await openRegistry({ dir, commitGraph: 'off' });
    await reg.init({});
    expect(await hasBloomGraph(g)).toBe(false);
  });
});
