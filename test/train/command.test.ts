import { createHash } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTrain } from './support.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let tmp: string;
let bin: string;
/** PATH with bash and node only: no nvidia-smi whatever the machine has. */
let bareEnv: NodeJS.ProcessEnv;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mlops-train-cmd-'));
  bin = join(tmp, 'bin');
  mkdirSync(bin);
  for (const [name, target] of [
    ['bash', '/bin/bash'],
    ['node', process.execPath],
    ['sleep', '/bin/sleep'],
    ['touch', '/usr/bin/touch'],
  ]) {
    if (existsSync(target)) symlinkSync(target, join(bin, name));
  }
  bareEnv = { ...process.env, PATH: bin };
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const fresh = (name: string) => {
  const d = join(tmp, name);
  mkdirSync(d, { recursive: true });
  return d;
};

describe('train command', () => {
  it('train propagates the command exit code', async () => {
    const run = startTrain(['--model', 'm', '--command', 'exit 3'], { cwd: fresh('exit'), env: bareEnv });
    expect(await run.done).toBe(3);
    expect(run.stderr()).toMatch(/exited with code 3/);
  });

  it('train stops a command that runs past its timeout with exit code 124', async () => {
    const started = Date.now();
    const run = startTrain(['--model', 'm', '--command', 'sleep 30', '--timeout-minutes', '1s'], {
      cwd: fresh('timeout'),
      env: bareEnv,
    });
    expect(await run.done).toBe(124);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.stderr()).toMatch(/timed out/);
  });

  it('train with require-gpu and no GPU fails before the command starts', async () => {
    const cwd = fresh('nogpu');
    const run = startTrain(['--model', 'm', '--command', 'touch started', '--require-gpu', 'true'], {
      cwd,
      env: bareEnv,
    });
    expect(await run.done).toBe(2);
    expect(run.stderr()).toMatch(/require-gpu is true but no GPU is visible/);
    expect(existsSync(join(cwd, 'started'))).toBe(false);
  });

  it('train records GPUs, driver and CUDA version from nvidia-smi', async () => {
    const gpuBin = fresh('gpubin');
    writeFileSync(
      join(gpuBin, 'nvidia-smi'),
      [
        '#!/bin/bash',
        'if [ "$1" = "--query-gpu=name,driver_version,memory.total" ]; then',
        '  echo "NVIDIA H100 80GB HBM3, 550.54.15, 81559 MiB"; echo "NVIDIA H100 80GB HBM3, 550.54.15, 81559 MiB"; exit 0',
        'fi',
        'echo "| NVIDIA-SMI 550.54.15    Driver Version: 550.54.15    CUDA Version: 12.4     |"',
      ].join('\n'),
    );
    chmodSync(join(gpuBin, 'nvidia-smi'), 0o755);
    const cwd = fresh('gpu');
    writeFileSync(join(cwd, 'requirements.txt'), 'numpy==2.1.0\n');
    writeFileSync(join(cwd, 'data.csv'), 'a,b\n1,2\n3,4\n');
    const run = startTrain(
      ['--model', 'm', '--command', 'touch started', '--require-gpu', 'true', '--data', 'data.csv', '--json'],
      { cwd, env: { ...bareEnv, PATH: `${gpuBin}:${bin}` } },
    );
    expect(await run.done).toBe(0);
    expect(existsSync(join(cwd, 'started'))).toBe(true);
    const record = JSON.parse(readFileSync(join(cwd, '.mlops/runs/m.json'), 'utf8'));
    expect(record.environment.gpus).toEqual([
      { name: 'NVIDIA H100 80GB HBM3', driver: '550.54.15', memory: '81559 MiB' },
      { name: 'NVIDIA H100 80GB HBM3', driver: '550.54.15', memory: '81559 MiB' },
    ]);
    expect(record.environment.cuda).toBe('12.4');
    expect(record.environment.lockfiles).toEqual({ 'requirements.txt': sha256('numpy==2.1.0\n') });
    expect(record.data).toEqual([{ uri: 'data.csv', sha256: sha256('a,b\n1,2\n3,4\n'), bytes: 12, rows: 2 }]);
  });

  it('train records the good metrics of a file with a bad line and a NaN, warning about each by file and line', async () => {
    const cwd = fresh('badmetrics');
    const lines = [
      '{"step":1,"loss":0.9,"acc":0.5}',
      'oops',
      '{"step":2,"loss":NaN,"acc":0.75}',
      '{"step":3,"loss":0.25}',
    ];
    const run = startTrain(
      [
        '--model',
        'm',
        '--command',
        `printf '%s\\n' ${lines.map((l) => `'${l}'`).join(' ')} > m.jsonl`,
        '--metrics',
        'm.jsonl',
      ],
      { cwd, env: bareEnv },
    );
    expect(await run.done).toBe(0);
    const record = JSON.parse(readFileSync(join(cwd, '.mlops/runs/m.json'), 'utf8'));
    expect(record.metrics).toEqual({ loss: 0.25, acc: 0.75 });
    const warnings = run
      .stderr()
      .split('\n')
      .filter((l) => /metrics: .*m\.jsonl:\d/.test(l));
    expect(warnings).toEqual([
      expect.stringMatching(/m\.jsonl:2: not valid JSON.*Line skipped\./),
      expect.stringMatching(/m\.jsonl:3: loss is NaN, not a finite number; skipped\./),
    ]);
    expect(run.stderr()).not.toMatch(/No metrics were written/);
  });
});
