import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAction } from '../support/action-harness.ts';
import { declaredInputs, loadWorkflow, steps } from '../workflows/support.ts';

const cwd = mkdtempSync(join(tmpdir(), 'mlops-retrain-resume-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const wf = loadWorkflow('.github/workflows/retrain.yml');
const trainStep = steps(wf).find((s) => s.job === 'train' && s.step.id === 'train')?.step;

/** The train action as retrain.yml's train step runs it in workflow run `runId`, with the dispatch's key. */
const attempt = (runId: string, resumeKey: string, command: string) =>
  runAction({
    action: 'train',
    cwd,
    env: { GITHUB_RUN_ID: runId, GITHUB_WORKFLOW: 'mlops retrain', GITHUB_JOB: 'train' },
    inputs: {
      model: 'heart',
      command,
      'checkpoint-dir': 'ckpt',
      'resume-key': resumeKey,
      store: join(cwd, 'store'),
    },
  });

describe('retrain.yml resume-key', () => {
  it('retrain passes a resume-key input of workflow_dispatch and workflow_call to the train step', () => {
    for (const event of ['workflow_dispatch', 'workflow_call'] as const) {
      const inputs = declaredInputs(wf, event);
      expect(inputs['resume-key'], event).toMatchObject({ required: false, type: 'string', default: '' });
      expect(inputs['checkpoint-dir'], event).toBeDefined();
    }
    const expr = (input: string) => `$\{{ inputs.${input} }}`;
    expect(trainStep?.with?.['resume-key']).toBe(expr('resume-key'));
    // checkpoint-dir reaches train through the settings job (the input, else training.checkpoint_dir of model.yaml).
    expect(trainStep?.with?.['checkpoint-dir']).toBe(`$\{{ needs.settings.outputs.checkpoint-dir }}`);
    const settings = steps(wf).find((s) => s.job === 'settings' && s.step.id === 'settings')?.step;
    expect(settings?.with?.['checkpoint-dir']).toBe(expr('checkpoint-dir'));
  });

  it('train resumes a new dispatch given the same resume-key, and an empty key keeps the per-run default', async () => {
    const first = await attempt('101', 'heart-2026-12', 'mkdir -p ckpt && echo epoch-7 > ckpt/state.txt');
    expect(first.code, first.stderr).toBe(0);
    expect(first.outputs.resumed).toBe('false');
    rmSync(join(cwd, 'ckpt'), { recursive: true, force: true });

    const second = await attempt('202', 'heart-2026-12', 'cp ckpt/state.txt seen.txt');
    expect(second.code, second.stderr).toBe(0);
    expect(second.outputs.resumed).toBe('true');
    expect(readFileSync(join(cwd, 'seen.txt'), 'utf8')).toBe('epoch-7\n');
    rmSync(join(cwd, 'ckpt'), { recursive: true, force: true });

    const fresh = await attempt('303', '', 'test ! -e ckpt/state.txt');
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.outputs.resumed).toBe('false');
    const record = JSON.parse(readFileSync(fresh.outputs['run-record'], 'utf8'));
    expect(record.checkpoint.resume_key).toBe('mlops retrain-train-303');
    expect(existsSync(join(cwd, 'ckpt'))).toBe(true);
  });
});
