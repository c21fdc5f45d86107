import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAction } from '../support/action-harness.ts';
import { trainer } from './support.ts';

const cwd = mkdtempSync(join(tmpdir(), 'mlops-train-action-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('train action', () => {
  it('train runs as a bundled action: outputs, run record and a job summary with charts', async () => {
    const res = await runAction({
      action: 'train',
      cwd,
      inputs: {
        model: 'heart',
        command: `node ${trainer} --out out --checkpoint-dir ckpt --epochs 12 --rows 500`,
        'checkpoint-dir': 'ckpt',
        store: join(cwd, 'store'),
        metrics: 'out/dvclive',
      },
      timeoutMs: 60_000,
    });
    expect(res.errors).toEqual([]);
    expect(res.code).toBe(0);
    expect(res.outputs['exit-code']).toBe('0');
    expect(res.outputs.resumed).toBe('false');
    expect(res.outputs['run-record']).toBe(join(cwd, '.mlops/runs/heart.json'));
    const record = JSON.parse(readFileSync(res.outputs['run-record'], 'utf8'));
    expect(record.checkpoint.resume_key).toBe('test-4242');
    expect(Object.keys(JSON.parse(res.outputs.metrics))).toEqual([
      'accuracy',
      'log_loss',
      'roc_auc',
      'train_loss',
    ]);
    expect(res.summary).toContain('## Training heart: succeeded');
    expect(res.summary.match(/```mermaid/g)).toHaveLength(4);
    expect(res.stdout).toMatch(/step 12: /);
  });

  it('train fails the step with the command exit code', async () => {
    const res = await runAction({ action: 'train', cwd, inputs: { model: 'heart', command: 'exit 7' } });
    expect(res.code).toBe(7);
    expect(res.errors.join('\n')).toMatch(/train: the training command exited with code 7/);
  });

  it('train refuses a missing command with exit code 2 and names the input', async () => {
    const res = await runAction({ action: 'train', cwd, inputs: { model: 'heart' } });
    expect(res.code).toBe(2);
    expect(res.errors.join('\n')).toMatch(/command is required/);
  });
});
