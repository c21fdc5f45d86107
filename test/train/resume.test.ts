import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreCheckpoint } from '../../actions/train/src/checkpoint.ts';
import { hashDataInputs } from '../../actions/train/src/data.ts';
import { openStore } from '../../registry/stores/open.ts';
import { startS3Server, type TestS3Server } from '../support/s3-server.ts';
import { killEverything, startTrain, trainer } from './support.ts';

let s3: TestS3Server;
let tmp: string;
let env: NodeJS.ProcessEnv;
const storeUri = () => `s3://${s3.bucket}/store`;

beforeAll(async () => {
  s3 = await startS3Server();
  tmp = mkdtempSync(join(tmpdir(), 'mlops-train-resume-'));
  env = { ...process.env, ...s3.env };
});
afterAll(async () => {
  await s3.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const dir = (name: string) => {
  const d = join(tmp, name);
  rmSync(d, { recursive: true, force: true });
  spawnSync('mkdir', ['-p', d]);
  return d;
};

describe('train checkpoints', () => {
  it('train resumes a run killed with SIGKILL from the last checkpoint sync and ends with the same ONNX bytes', async () => {
    const command = `node ${trainer} --out out --checkpoint-dir ckpt --epochs 30 --epoch-delay-ms 150`;
    const args = (extra: string[] = []) => [
      '--model',
      'heart',
      '--command',
      command,
      '--checkpoint-dir',
      'ckpt',
      '--checkpoint-interval',
      '0.2',
      '--store',
      storeUri(),
      '--metrics',
      'out/metrics.jsonl',
      '--resume-key',
      'kill-test',
      ...extra,
    ];
    const first = startTrain(args(), { cwd: dir('attempt1'), env });
    await first.waitFor(/step 12:/);
    await first.waitFor(/checkpoint synced \(interval\)[^\n]*\n(?:.*\n)*?step 1[3-9]:/);
    killEverything(first);
    expect(await first.done).toBeNull();
    expect(first.stderr()).not.toMatch(/step 30:/);

    const second = startTrain(args(), { cwd: dir('attempt2'), env });
    expect(await second.done).toBe(0);
    expect(second.stderr()).toMatch(/restored 1 checkpoint file\(s\)/);
    const resumedAt = Number(second.stderr().match(/resuming from checkpoint at epoch (\d+)/)?.[1]);
    expect(resumedAt).toBeGreaterThanOrEqual(12);
    expect(resumedAt).toBeLessThan(30);

    const reference = dir('uninterrupted');
    const ref = spawnSync(
      process.execPath,
      [trainer, '--out', 'out', '--checkpoint-dir', 'ckpt', '--epochs', '30'],
      {
        cwd: reference,
      },
    );
    expect(ref.status).toBe(0);
    const onnx = (d: string) => readFileSync(join(d, 'out/model.onnx'));
    expect(onnx(join(tmp, 'attempt2')).equals(onnx(reference))).toBe(true);
    expect(readFileSync(join(tmp, 'attempt2/out/metrics.jsonl'), 'utf8')).toBe(
      readFileSync(join(reference, 'out/metrics.jsonl'), 'utf8'),
    );
    const record = JSON.parse(readFileSync(join(tmp, 'attempt2/.mlops/runs/heart.json'), 'utf8'));
    expect(record.checkpoint).toMatchObject({ resume_key: 'kill-test', restored: true });
    expect(record.metrics.roc_auc).toBeGreaterThan(0.7);
  });

  it('train syncs the checkpoint once more on SIGTERM and exits with 128 + 15', async () => {
    const cwd = dir('sigterm');
    writeFileSync(
      join(cwd, 'job.sh'),
      [
        'mkdir -p ckpt; echo early > ckpt/state',
        "trap 'echo final > ckpt/state; exit 143' TERM",
        'echo ready; while true; do sleep 0.05; done',
      ].join('\n'),
    );
    const run = startTrain(
      [
        '--model',
        'heart',
        '--command',
        'bash job.sh',
        '--checkpoint-dir',
        'ckpt',
        '--checkpoint-interval',
        '1h',
        '--store',
        storeUri(),
        '--resume-key',
        'sigterm-test',
      ],
      { cwd, env },
    );
    await run.waitFor(/command started/);
    await new Promise((r) => setTimeout(r, 500));
    run.child.kill('SIGTERM');
    expect(await run.done).toBe(143);
    expect(run.stderr()).toMatch(/received SIGTERM/);
    const out = dir('sigterm-restore');
    const store = openStore(storeUri(), { env });
    const restored = await restoreCheckpoint({ store, prefix: 'checkpoints/heart/sigterm-test', dir: out });
    expect(restored.restored).toBe(true);
    expect(readFileSync(join(out, 'state'), 'utf8')).toBe('final\n');
  });

  it('train warns about a corrupted checkpoint in the store and starts clean', async () => {
    const store = openStore(storeUri(), { env });
    const prefix = 'checkpoints/heart/corrupt-test';
    const sha = 'a'.repeat(64);
    await store.putKey(`${prefix}/objects/${sha}`, {
      bytes: new TextEncoder().encode('not what the manifest says'),
    });
    await store.putKey(`${prefix}/manifest.json`, {
      bytes: new TextEncoder().encode(
        JSON.stringify({ synced: '', files: [{ path: 'state.json', sha256: sha, bytes: 26 }] }),
      ),
    });
    const cwd = dir('corrupt');
    const run = startTrain(
      [
        '--model',
        'heart',
        '--command',
        'test ! -e ckpt/state.json',
        '--checkpoint-dir',
        'ckpt',
        '--store',
        storeUri(),
        '--resume-key',
        'corrupt-test',
      ],
      { cwd, env },
    );
    expect(await run.done).toBe(0);
    expect(run.stderr()).toMatch(
      /checkpoint in the store is corrupted \(state\.json: sha256 [0-9a-f]{64} does not match a{64}\); training starts clean/,
    );
  });

  it('hashDataInputs hashes an s3:// prefix the same as a local copy of it', async () => {
    const local = dir('data');
    spawnSync('mkdir', ['-p', join(local, 'part')]);
    writeFileSync(join(local, 'a.csv'), 'x,y\n1,2\n');
    writeFileSync(join(local, 'part/b.csv'), 'x,y\n3,4\n5,6\n');
    const store = openStore(`s3://${s3.bucket}/data/churn`, { env });
    await store.putKey('a.csv', { path: join(local, 'a.csv') });
    await store.putKey('part/b.csv', { path: join(local, 'part/b.csv') });
    const opener = (uri: string) => openStore(uri, { env });
    const [remote, copy, file] = await hashDataInputs(
      [`s3://${s3.bucket}/data/churn`, 'data', 'data/a.csv'],
      {
        cwd: tmp,
        openStore: opener,
      },
    );
    expect(remote.sha256).toBe(copy.sha256);
    expect(remote.bytes).toBe(20);
    expect(file).toMatchObject({ uri: 'data/a.csv', bytes: 8, rows: 1 });
    await expect(
      hashDataInputs([`s3://${s3.bucket}/nothing-here`], { cwd: tmp, openStore: opener }),
    ).rejects.toThrow(/matches no objects/);
  });
});
