/**
 * The workflow steps that read a model's `training:` settings from model.yaml (`actions/settings`), run as the
 * runner runs them: the step's `with:` from the workflow file, its `${{ inputs.* }}` filled in from the dispatch
 * inputs, and the bundled action run through the harness against a work tree holding a model.yaml.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SETTING_NAMES } from '../../actions/settings/src/settings.ts';
import { runAction } from '../support/action-harness.ts';
import { loadAction, loadWorkflow, type Step } from './support.ts';

const temps: string[] = [];
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

function stepOf(file: string, job: string, id: string): Step {
  return loadWorkflow(`.github/workflows/${file}`).jobs[job].steps!.find((s) => s.id === id)!;
}

/**
 * The step's `with:` as the runner hands it to the action: `${{ inputs.x }}` and `${{ inputs.x || 'default' }}`
 * evaluated against `given` (absent inputs are empty), literals kept; any other expression fails the test.
 */
function withInputs(step: Step, given: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(step.with ?? {})) {
    const text = String(v);
    if (!text.includes('${{')) {
      out[k] = text;
      continue;
    }
    const m = /^\$\{\{ inputs\.([\w-]+)(?: \|\| '([^']*)')? \}\}$/.exec(text);
    if (!m) throw new Error(`${k}: expression '${text}' is not one the test evaluates`);
    out[k] = given[m[1]] || m[2] || '';
  }
  return out;
}

/** A work tree with models/churn/model.yaml (when given), then the step's action run with the dispatch inputs. */
async function run(step: Step, modelYaml: string | undefined, given: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), 'mlops-settings-'));
  temps.push(dir);
  if (modelYaml !== undefined) {
    await mkdir(join(dir, 'models/churn'), { recursive: true });
    await writeFile(join(dir, 'models/churn/model.yaml'), modelYaml);
  }
  const action = /\/actions\/([\w-]+)@/.exec(step.uses ?? '')?.[1];
  if (!action) throw new Error(`step ${step.id} runs no action of ours: ${step.uses}`);
  const r = await runAction({ action, cwd: dir, inputs: withInputs(step, given) });
  return { ...r, out: r.outputs };
}

const spec = `name: churn
task: binary
primary_metric: { name: roc_auc, direction: maximize }
training:
  command: python train.py --out "$MLOPS_OUTPUT_DIR"
  data: [s3://d/train.parquet, data/extra/*.csv]
  evaluation_data: s3://d/eval.parquet
  reference_data: s3://d/train.parquet
  runner_labels: [self-hosted, gpu, a100]
  require_gpu: false
  checkpoint_dir: mlops-out/ckpt
  metrics: mlops-out/dvclive
  artifacts: [mlops-out/model.onnx]
`;
const minimal = 'name: churn\ntask: binary\nprimary_metric: { name: roc_auc, direction: maximize }\n';

describe('retrain.yml settings job', () => {
  const step = stepOf('retrain.yml', 'settings', 'settings');

  it('settings job outputs every setting the action sets, from the settings step', () => {
    const job = loadWorkflow('.github/workflows/retrain.yml').jobs.settings;
    expect(step.uses).toBe('mlops-actions/mlops-actions/actions/settings@v1');
    expect(Object.keys(loadAction('settings')!.outputs).sort()).toEqual([...SETTING_NAMES].sort());
    expect(job.outputs).toEqual(
      Object.fromEntries(SETTING_NAMES.map((k) => [k, `\${{ steps.settings.outputs.${k} }}`])),
    );
    expect(job.permissions).toEqual({ contents: 'read' });
  });

  it('settings reads every training setting from model.yaml when no input is given', async () => {
    const r = await run(step, spec, { model: 'churn', 'require-gpu': 'true' });
    expect(r.code).toBe(0);
    expect(r.out).toEqual({
      command: 'python train.py --out "$MLOPS_OUTPUT_DIR"',
      data: 's3://d/train.parquet\ndata/extra/*.csv',
      'evaluation-data': 's3://d/eval.parquet',
      'reference-data': 's3://d/train.parquet',
      'runner-labels': '["self-hosted","gpu","a100"]',
      'require-gpu': 'false',
      'checkpoint-dir': 'mlops-out/ckpt',
      metrics: 'mlops-out/dvclive',
      artifacts: 'mlops-out/model.onnx',
    });
    expect(JSON.parse(r.out['runner-labels'])).toEqual(['self-hosted', 'gpu', 'a100']);
  });

  it('settings lets each input override model.yaml', async () => {
    const r = await run(step, spec, {
      model: 'churn',
      command: 'make train',
      'evaluation-data': 'eval.csv',
      'runner-labels': '["ubuntu-latest"]',
      data: 'a.csv\nb.csv',
      artifacts: 'out/*.onnx',
    });
    expect(r.code).toBe(0);
    expect(r.out).toMatchObject({
      command: 'make train',
      'evaluation-data': 'eval.csv',
      'runner-labels': '["ubuntu-latest"]',
      data: 'a.csv\nb.csv',
      artifacts: 'out/*.onnx',
      'checkpoint-dir': 'mlops-out/ckpt',
    });
  });

  it('settings defaults the runner to [self-hosted, gpu] with the GPU check on', async () => {
    const r = await run(step, minimal, {
      model: 'churn',
      command: 'x',
      'evaluation-data': 'e.csv',
      'require-gpu': 'true',
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out['runner-labels'])).toEqual(['self-hosted', 'gpu']);
    expect(r.out['require-gpu']).toBe('true');
    expect(r.out.data).toBe('');
    const off = await run(step, minimal, {
      model: 'churn',
      command: 'x',
      'evaluation-data': 'e.csv',
      'require-gpu': 'false',
    });
    expect(off.out['require-gpu']).toBe('false');
  });

  it('settings fails (exit 2) naming what is missing when neither model.yaml nor an input gives it', async () => {
    const r = await run(step, minimal, { model: 'churn' });
    expect(r.code).toBe(2);
    expect(r.errors.join('\n')).toContain('models/churn/model.yaml: no input command or training.command');
    expect(r.errors.join('\n')).toContain('input evaluation-data or training.evaluation_data');
    expect(r.out).toEqual({});
  });

  it('settings refuses runner-labels that are not a JSON array of labels', async () => {
    const r = await run(step, spec, { model: 'churn', 'runner-labels': 'self-hosted,gpu' });
    expect(r.code).toBe(2);
    expect(r.errors.join('\n')).toContain(
      "runner-labels 'self-hosted,gpu' is not valid: expected a JSON array of labels",
    );
    expect(r.out).toEqual({});
  });

  it('settings refuses a hostile model name and a model without model.yaml', async () => {
    const bad = await run(step, spec, { model: '../churn' });
    expect(bad.code).toBe(2);
    expect(bad.errors.join('\n')).toContain("model name '../churn' is not valid");
    const none = await run(step, undefined, { model: 'churn' });
    expect(none.code).toBe(2);
    expect(none.errors.join('\n')).toContain('models/churn/model.yaml does not exist');
  });

  it('settings refuses an invalid training section naming the field, as the registry does', async () => {
    const r = await run(step, `${minimal}training:\n  require_gpu: sometimes\n`, { model: 'churn' });
    expect(r.code).toBe(2);
    expect(r.errors.join('\n')).toContain('training.require_gpu');
    expect(r.out).toEqual({});
  });
});

describe('promote.yml rollback-evaluate data step', () => {
  const step = stepOf('promote.yml', 'rollback-evaluate', 'data');

  it('data takes the input, else training.evaluation_data, else fails naming both', async () => {
    const given = await run(step, spec, { model: 'churn', 'evaluation-data': 'x.csv' });
    expect(given.out['evaluation-data']).toBe('x.csv');
    expect((await run(step, spec, { model: 'churn' })).out['evaluation-data']).toBe('s3://d/eval.parquet');
    const none = await run(step, minimal, { model: 'churn' });
    expect(none.code).toBe(2);
    expect(none.errors.join('\n')).toContain(
      'models/churn/model.yaml: no input evaluation-data or training.evaluation_data',
    );
    expect(none.errors.join('\n')).not.toContain('training.command');
  });

  it('data refuses an evaluation set given on more than one line', async () => {
    const r = await run(step, spec, { model: 'churn', 'evaluation-data': 'a.csv\nb.csv' });
    expect(r.code).toBe(2);
    expect(r.errors.join('\n')).toContain('expected one path or s3:// URI, on one line');
  });
});
