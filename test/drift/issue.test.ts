import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compareData } from '../../actions/drift/src/compare.ts';
import { parseState, stateLine, syncIssue } from '../../actions/drift/src/issue.ts';
import type { DriftRun } from '../../actions/drift/src/types.ts';
import { memoryLogger } from '../../core/logger.ts';
import { OctokitForge } from '../../github/octokit-forge.ts';
import { ColumnTable } from '../../tables/table.ts';
import type { Cell } from '../../tables/types.ts';
import { type GitHubServer, type RepoState, startGitHubServer } from '../support/github-server.ts';

function table(shift: number, seed: number): ColumnTable {
  let s = seed;
  const r = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const cols = ['a', 'b', 'c'];
  const data = new Map<string, Cell[]>(cols.map((c) => [c, Array.from({ length: 200 }, () => r() + shift)]));
  return new ColumnTable(cols, data, 200);
}

const ref = table(0, 1);

/** A run at `time`: drifted (every column shifted) or clean. */
function runAt(time: string, drift: boolean): DriftRun {
  const features = compareData(ref, table(drift ? 0.5 : 0, 2), { method: 'ks' });
  expect(features.dataset_drift).toBe(drift);
  return {
    model: 'churn',
    referenceLabel: 'churn v1 (champion) reference profile',
    current: { uri: 's3://logs/churn', files: 1, rows: 200 },
    time,
    features,
    drift,
    reasons: drift ? ['dataset drift: 3 drifted feature(s)'] : [],
  };
}

let gh: GitHubServer;
let repo: RepoState;
beforeAll(async () => {
  gh = await startGitHubServer();
});
afterAll(() => gh.stop());
beforeEach(() => {
  repo = gh.state.addRepo(`octo-org/m${Math.floor(Math.random() * 1e9)}`);
});

const forge = (token = 't') =>
  new OctokitForge({
    token,
    repository: `${repo.owner}/${repo.name}`,
    apiUrl: gh.url,
    timeUnitMs: 1,
    retries: 0,
  });

const retrain = { workflow: 'retrain.yml', ref: 'main', cooldownMs: 24 * 3_600_000 };

async function sync(time: string, drift: boolean, extra: { closeAfter?: number; token?: string } = {}) {
  const log = memoryLogger();
  const res = await syncIssue({
    forge: forge(extra.token),
    model: 'churn',
    run: runAt(time, drift),
    closeAfter: extra.closeAfter,
    retrain,
    clock: () => new Date(time),
    log,
  });
  return { ...res, log: log.lines };
}

const ours = () => repo.issues.filter((i) => i.body?.includes('<!-- mlops:drift:churn -->'));

describe('retraining issue', () => {
  it('stateLine round-trips through parseState, and a missing or mangled state starts empty', () => {
    const state = {
      runs: [{ time: 't', drift: true, share: 1, drifted: ['x-->y'] }],
      clean_streak: 0,
      dispatches: 1,
    };
    expect(parseState(`hello\n${stateLine(state)}\nmore`)).toEqual(state);
    expect(stateLine(state)).not.toContain('-->y');
    expect(parseState('no state')).toEqual({ runs: [], clean_streak: 0, dispatches: 0 });
    expect(parseState('<!-- mlops:drift-state:!!! -->')).toEqual({
      runs: [],
      clean_streak: 0,
      dispatches: 0,
    });
  });

  it('syncIssue does nothing on a clean run when no issue is open', async () => {
    const res = await sync('2026-03-01T00:00:00Z', false);
    expect(res).toMatchObject({ action: 'none', dispatched: false });
    expect(repo.issues).toEqual([]);
    expect(gh.violations()).toEqual([]);
  });

  it('syncIssue dispatches again only after the cooldown, and says so in the issue', async () => {
    expect(await sync('2026-03-01T00:00:00Z', true)).toMatchObject({ action: 'created', dispatched: true });
    const second = await sync('2026-03-01T12:00:00Z', true);
    expect(second).toMatchObject({ action: 'updated', dispatched: false });
    expect(second.dispatchNote).toMatch(/next is possible after 2026-03-02T00:00:00.000Z/);
    expect(ours()[0].body).toContain('within the cooldown');
    expect(await sync('2026-03-02T00:00:00Z', true)).toMatchObject({ action: 'updated', dispatched: true });
    expect(repo.dispatches.map((d) => d.inputs.issue)).toEqual(['1', '1']);
    expect(parseState(ours()[0].body ?? '')).toMatchObject({
      dispatches: 2,
      last_dispatch: '2026-03-02T00:00:00.000Z',
    });
    expect(ours()).toHaveLength(1);
    expect(gh.violations()).toEqual([]);
  });

  it('syncIssue with closeAfter 2 comments on the verdict change, closes after two clean runs, and keeps the cooldown for the next issue', async () => {
    await sync('2026-04-01T00:00:00Z', true, { closeAfter: 2 });
    const clean1 = await sync('2026-04-01T06:00:00Z', false, { closeAfter: 2 });
    expect(clean1.action).toBe('updated');
    expect(repo.comments.map((c) => c.body)).toEqual([
      expect.stringMatching(/^No drift in this run .* 1 of 2 clean/),
    ]);
    const back = await sync('2026-04-01T12:00:00Z', true, { closeAfter: 2 });
    expect(back).toMatchObject({ action: 'updated', dispatched: false });
    expect(repo.comments.at(-1)?.body).toMatch(/^Drift detected again/);
    await sync('2026-04-01T18:00:00Z', false, { closeAfter: 2 });
    const closed = await sync('2026-04-01T20:00:00Z', false, { closeAfter: 2 });
    expect(closed.action).toBe('closed');
    expect(ours()[0].state).toBe('closed');
    expect(repo.comments.at(-1)?.body).toMatch(/^No drift in 2 run\(s\) in a row/);
    // Drift again within a day of the last dispatch: a new issue, but no dispatch.
    const again = await sync('2026-04-01T22:00:00Z', true, { closeAfter: 2 });
    expect(again).toMatchObject({ action: 'created', dispatched: false });
    expect(ours().filter((i) => i.state === 'open')).toHaveLength(1);
    expect(repo.dispatches).toHaveLength(1);
    expect(gh.violations()).toEqual([]);
  });

  it('syncIssue warns and notes it in the issue when the dispatch is refused, and retries on the next run', async () => {
    gh.state.permissions.readonly = { issues: 'write', actions: 'read' };
    const res = await sync('2026-05-01T00:00:00Z', true, { token: 'readonly' });
    expect(res).toMatchObject({ action: 'created', dispatched: false });
    expect(res.dispatchNote).toMatch(/dispatching retrain.yml failed/);
    expect(res.log.join('\n')).toMatch(/dispatching retrain.yml failed/);
    expect(ours()[0].body).toContain('Dispatching the retrain workflow failed');
    expect(parseState(ours()[0].body ?? '').dispatches).toBe(0);
    expect(await sync('2026-05-01T01:00:00Z', true)).toMatchObject({ dispatched: true });
    expect(gh.violations()).toEqual([]);
  });
});
