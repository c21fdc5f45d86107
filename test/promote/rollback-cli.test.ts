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
const sha256: string[] = [];

/** churn v1 and v2 registered (local store), owned by alice; champion v1, then v2, on main. */
beforeEach(async () => {
  remote = await createRemote();
  const reg = await openRegistry({ dir: remote.clone, log: silentLogger });
  await reg.init({
    model: 'churn',
    spec: {
      name: 'churn',
      task: 'binary',
      primary_metric: { name: 'roc_auc', direction: 'maximize' },
      owners: ['alice'],
    },
  });
  const store = openStore(join(remote.clone, '.mlops/artifacts'));
  for (const n of [1, 2]) {
    await writeFile(join(remote.root, `m${n}.onnx`), `model ${n}`);
    const r = await reg.register({
      model: 'churn',
      files: [{ path: join(remote.root, `m${n}.onnx`), name: 'model.onnx' }],
      store,
    });
    sha256[n] = r.record.artifacts[0].sha256;
  }
  await reg.setAlias({ model: 'churn', alias: 'champion', version: 1 });
  await reg.setAlias({ model: 'churn', alias: 'champion', version: 2 });
});
afterEach(() => remote.cleanup());

async function mlops(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let [out, err] = ['', ''];
  const log = { ...silentLogger, error: (m: string) => (err += `${m}\n`) };
  const code = await main(argv, { cwd: remote.clone, log, out: (t) => (out += `${t}\n`) });
  return { code, out, err };
}

const championOn = async (ref: string) =>
  /champion: (\d+)/.exec(await git(remote.remote, 'show', `${ref}:models/churn/aliases.yaml`))?.[1];

describe('mlops rollback', () => {
  it('mlops rollback opens a local PR that mlops gate then judges like a promotion', async () => {
    const rb = await mlops('rollback', 'churn', '--to', 'v1', '--reason', 'v2 misbehaves', '--json');
    expect(rb.code, rb.err).toBe(0);
    const res = JSON.parse(rb.out);
    expect(res).toMatchObject({ from: 2, to: 1, direct: false, branch: 'mlops/rollback/churn/champion-v1' });
    expect(await championOn('main')).toBe('2');
    expect(await championOn(res.branch)).toBe('1');
    const forge = new LocalForge({ root: remote.clone });
    const pr = await forge.getPullRequest(res.pr);
    expect(pr).toMatchObject({ headRef: res.branch, baseRef: 'main', state: 'open' });
    expect(await readFile(join(forge.outbox, `pulls/${res.pr}.md`), 'utf8')).toContain('v2 misbehaves');

    const blocked = await mlops('gate', res.branch, '--approve', 'alice');
    expect(blocked.code).toBe(1);
    expect(blocked.out).toContain('no mlops/evaluate (churn) check on the head commit');
    await forge.upsertCheckRun(evaluatedCheck({ headSha: pr.headSha, sha256: sha256[1], version: 1 }));
    const passed = await mlops('gate', res.branch, '--approve', 'alice');
    expect(passed.code, passed.out).toBe(0);
    expect(passed.out).toContain('PASSED  churn: champion -> v1');
  });

  it('mlops rollback --direct is refused (exit 2, nothing written) unless model.yaml allows emergency rollback', async () => {
    const main0 = await git(remote.remote, 'rev-parse', 'main');
    const refused = await mlops('rollback', 'churn', '--to', 'v1', '--direct', '--reason', 'outage');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('promotion.emergency_rollback: true');
    expect(await git(remote.remote, 'rev-parse', 'main')).toBe(main0);
  });

  it('mlops rollback --direct moves the alias, tags it and opens a review issue in the outbox when allowed', async () => {
    const spec = join(remote.clone, 'models/churn/model.yaml');
    await writeFile(spec, `${await readFile(spec, 'utf8')}promotion:\n  emergency_rollback: true\n`);
    await git(remote.clone, 'commit', '-q', '-am', 'allow emergency rollback');
    await git(remote.clone, 'push', '-q', 'origin', 'main');
    const noReason = await mlops('rollback', 'churn', '--to', 'v1', '--direct');
    expect(noReason.code).toBe(2);
    expect(noReason.err).toContain("needs a 'reason'");
    const rb = await mlops('rollback', 'churn', '--to', 'v1', '--direct', '--reason', 'outage', '--json');
    expect(rb.code, rb.err).toBe(0);
    const res = JSON.parse(rb.out);
    expect(res).toMatchObject({ from: 2, to: 1, direct: true, tags: ['churn@v1'] });
    expect(await championOn('main')).toBe('1');
    const issue = await readFile(join(remote.clone, `.mlops/outbox/issues/${res.issue}.md`), 'utf8');
    expect(issue).toContain('# Review emergency rollback: churn champion v2 → v1');
    expect(issue).toContain('Reason: outage');
  });
});
