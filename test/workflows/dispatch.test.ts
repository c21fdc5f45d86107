/**
 * The drift -> retrain contract: what the drift action dispatches is accepted by the retrain workflows (ours and
 * the consumer template), as GitHub checks a dispatch (the test server reads the workflow file at the ref and
 * answers 422 on an undeclared input or a missing required one).
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareData } from '../../actions/drift/src/compare.ts';
import { syncIssue } from '../../actions/drift/src/issue.ts';
import { memoryLogger } from '../../core/logger.ts';
import { OctokitForge } from '../../github/octokit-forge.ts';
import { ColumnTable } from '../../tables/table.ts';
import { createRemote, git, type TestRemote } from '../support/git.ts';
import { type GitHubServer, startGitHubServer } from '../support/github-server.ts';
import { declaredInputs, loadWorkflow, root } from './support.ts';

const files = {
  'retrain.yml': '.github/workflows/retrain.yml',
  'mlops-retrain.yml': 'examples/consumer/.github/workflows/mlops-retrain.yml',
};

/** Two columns of 100 rows, every value shifted by `shift`. */
function table(shift: number): ColumnTable {
  const col = () => Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) / 100 + shift);
  return new ColumnTable(
    ['a', 'b'],
    new Map([
      ['a', col()],
      ['b', col()],
    ]),
    100,
  );
}

let gh: GitHubServer;
let remote: TestRemote;
beforeAll(async () => {
  gh = await startGitHubServer();
  remote = await createRemote();
  mkdirSync(join(remote.clone, '.github/workflows'), { recursive: true });
  for (const [name, path] of Object.entries(files)) {
    copyFileSync(join(root, path), join(remote.clone, '.github/workflows', name));
  }
  await git(remote.clone, 'add', '.github');
  await git(remote.clone, 'commit', '-q', '-m', 'retrain workflows');
  await git(remote.clone, 'push', '-q', 'origin', 'main');
});
afterAll(async () => {
  await gh.stop();
  await remote.cleanup();
});

describe('drift dispatches retrain', () => {
  it.each(Object.keys(files))('syncIssue dispatch is accepted by %s (no 422)', async (workflow) => {
    const repo = gh.state.addRepo(`octo-org/m${Math.floor(Math.random() * 1e9)}`, { gitDir: remote.remote });
    const forge = new OctokitForge({
      token: 't',
      repository: `${repo.owner}/${repo.name}`,
      apiUrl: gh.url,
      timeUnitMs: 1,
      retries: 0,
    });
    const features = compareData(table(0), table(0.5), { method: 'ks' });
    expect(features.dataset_drift).toBe(true);
    const time = '2026-12-01T00:00:00Z';
    const res = await syncIssue({
      forge,
      model: 'churn',
      run: {
        model: 'churn',
        referenceLabel: 'churn v1 (champion) reference profile',
        current: { uri: 's3://logs/churn', files: 1, rows: 100 },
        time,
        features,
        drift: true,
        reasons: ['dataset drift: 2 drifted feature(s)'],
      },
      retrain: { workflow, ref: 'main', cooldownMs: 0 },
      clock: () => new Date(time),
      log: memoryLogger(),
    });
    expect(res.dispatchNote).toBeUndefined();
    expect(res.dispatched).toBe(true);
    expect(repo.dispatches).toHaveLength(1);
    const sent = Object.keys(repo.dispatches[0].inputs).sort();
    expect(sent).toEqual(['issue', 'model', 'reason']);
    // The contract itself: sent inputs are declared, and every required input is sent.
    const declared = declaredInputs(loadWorkflow(files[workflow as keyof typeof files]), 'workflow_dispatch');
    expect(sent.filter((k) => !(k in declared))).toEqual([]);
    const required = Object.entries(declared).filter(([, d]) => d.required && d.default === undefined);
    expect(required.map(([k]) => k).filter((k) => !sent.includes(k))).toEqual([]);
  });

  it('a retrain workflow that requires more than drift sends is refused with 422 (the check can fail)', async () => {
    const repo = gh.state.addRepo(`octo-org/m${Math.floor(Math.random() * 1e9)}`, { gitDir: remote.remote });
    const forge = new OctokitForge({
      token: 't',
      repository: `${repo.owner}/${repo.name}`,
      apiUrl: gh.url,
      timeUnitMs: 1,
      retries: 0,
    });
    const wf = `on:\n  workflow_dispatch:\n    inputs:\n      model: { required: true, type: string }\n      command: { required: true, type: string }\njobs: {}\n`;
    writeFileSync(join(remote.clone, '.github/workflows/strict.yml'), wf);
    await git(remote.clone, 'add', '.github');
    await git(remote.clone, 'commit', '-q', '-m', 'strict');
    await git(remote.clone, 'push', '-q', 'origin', 'main');
    await expect(forge.dispatchWorkflow('strict.yml', 'main', { model: 'churn' })).rejects.toThrow(/command/);
    expect(repo.dispatches).toHaveLength(0);
  });
});
