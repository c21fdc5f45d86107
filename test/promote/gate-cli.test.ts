import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { silentLogger } from '../../core/logger.ts';
import { LocalForge } from '../../github/local-forge.ts';
import { openRegistry } from '../../registry/index.ts';
import { openStore } from '../../registry/stores/open.ts';
import { createRemote, git, type TestRemote } from '../support/git.ts';
import { evaluatedCheck } from './evaluated.ts';

let remote: TestRemote;
let head: string;
const BRANCH = 'mlops/promote/churn-v2';

/** churn v1 champion on main, owned by alice; a branch moving champion to v2, evaluated green in the outbox. */
beforeEach(async () => {
  remote = await createRemote();
  const dir = remote.clone;
  const reg = await openRegistry({ dir, log: silentLogger });
  await reg.init({
    model: 'churn',
    spec: {
      name: 'churn',
      task: 'binary',
      primary_metric: { name: 'roc_auc', direction: 'maximize' },
      owners: ['alice'],
    },
  });
  const store = openStore(join(dir, '.mlops/artifacts'));
  let sha = '';
  for (const n of [1, 2]) {
    await writeFile(join(remote.root, `m${n}.onnx`), `model ${n}`);
    const r = await reg.register({
      model: 'churn',
      files: [{ path: join(remote.root, `m${n}.onnx`), name: 'model.onnx' }],
      store,
    });
    sha = r.record.artifacts[0].sha256;
  }
  await reg.setAlias({ model: 'churn', alias: 'champion', version: 1 });
  head = (await reg.setAlias({ model: 'churn', alias: 'champion', version: 2, branch: BRANCH })).commit;
  await new LocalForge({ root: dir }).upsertCheckRun(evaluatedCheck({ headSha: head, sha256: sha }));
});
afterEach(() => remote.cleanup());

function runCli(argv: string[], out: (t: string) => void): Promise<number> {
  return main(argv, { cwd: remote.clone, log: silentLogger, out });
}

async function gate(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(['gate', BRANCH, ...args], {
    cwd: remote.clone,
    log: { ...silentLogger, error: (m: string) => (out += `error: ${m}\n`) },
    out: (t) => {
      out += `${t}\n`;
    },
  });
  return { code, out };
}

describe('mlops gate', () => {
  it('mlops gate exits 1 without an owner approval and lists the unmet condition', async () => {
    const { code, out } = await gate('--json');
    expect(code).toBe(1);
    const r = JSON.parse(out);
    expect(r).toMatchObject({ passed: false, head, merged: null });
    const failed = r.results[0].conditions.filter((c: { ok: boolean }) => !c.ok);
    expect(failed.map((c: { id: string }) => c.id)).toEqual(['approvals']);
    expect(failed[0].details[0]).toContain('0 of 1 required approval');
    const blocked = { state: 'failure', description: 'Blocked: churn. See mlops/promotion-gate (churn).' };
    expect(r.aggregate).toMatchObject(blocked);
    const outbox = JSON.parse(await readFile(join(remote.clone, '.mlops/outbox/statuses.json'), 'utf8'));
    expect(outbox.at(-1)).toMatchObject({ sha: head, context: 'mlops/promotion-gate', ...blocked });
  });

  it('mlops gate passes with an approval from the command line and writes the check to the outbox', async () => {
    const { code, out } = await gate('--approve', 'alice');
    expect(out).toContain('PASSED');
    expect(code).toBe(0);
    expect(out).toContain('PASSED  churn: champion -> v2');
    expect(out).toContain('mlops/promotion-gate: success. Passed: churn may be promoted.');
    const check = await new LocalForge({ root: remote.clone }).getCheckRun(
      head,
      'mlops/promotion-gate (churn)',
    );
    expect(check).toMatchObject({ conclusion: 'success' });
  });

  it("mlops gate refuses the author's own approval and an approval of another commit", async () => {
    const main = await git(remote.clone, 'rev-parse', 'main');
    const stale = await gate('--approve', `alice@${main}`);
    expect(stale.code).toBe(1);
    expect(stale.out).toContain(
      `@alice approved ${main.slice(0, 7)}, not the head commit ${head.slice(0, 7)}`,
    );
    await git(remote.clone, 'branch', '-f', 'by-alice', BRANCH);
    let out = '';
    const own = await runCli(['gate', 'by-alice', '--author', 'alice', '--approve', 'alice'], (t) => {
      out += t;
    });
    expect(own).toBe(1);
    expect(out).toContain("@alice is the author; an author's own approval never counts");
  });

  it('mlops gate --merge merges the branch when the gate passes', async () => {
    const { code, out } = await gate('--approve', 'alice', '--merge', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out).merged).toMatch(/^[0-9a-f]{40}$/);
    const aliases = await readFile(join(remote.clone, 'models/churn/aliases.yaml'), 'utf8');
    expect(aliases).toMatch(/champion: 2/);
  });

  it('mlops gate exits 2 on a malformed approval or a missing branch, naming the value', async () => {
    let err = '';
    const log = { ...silentLogger, error: (m: string) => (err += m) };
    expect(
      await main(['gate', BRANCH, '--approve', 'al ice'], { cwd: remote.clone, log, out: () => {} }),
    ).toBe(2);
    expect(err).toContain("--approve 'al ice' is not valid");
    expect(await main(['gate', 'no-such-branch'], { cwd: remote.clone, log, out: () => {} })).toBe(2);
    expect(err).toContain("branch 'no-such-branch' does not exist");
  });
});
