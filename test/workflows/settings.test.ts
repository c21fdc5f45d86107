/**
 * The workflow steps that read a model's `training:` settings from model.yaml, run as the runner runs them
 * (bash -eo pipefail, GITHUB_OUTPUT), against a work tree holding a model.yaml.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWorkflow } from './support.ts';

const execFileP = promisify(execFile);
const temps: string[] = [];
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

function script(file: string, job: string, id: string): string {
  const step = loadWorkflow(`.github/workflows/${file}`).jobs[job].steps!.find((s) => s.id === id);
  return step!.run!;
}

/** Parse GITHUB_OUTPUT, both `k=v` lines and `k<<DELIM` blocks. */
function parseOutput(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([\w-]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1);
      out[heredoc[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i].includes('=')) {
      out[lines[i].slice(0, lines[i].indexOf('='))] = lines[i].slice(lines[i].indexOf('=') + 1);
    }
  }
  return out;
}

/** A work tree with models/<model>/model.yaml holding `training` (YAML text, indented), then the step run. */
async function run(body: string, modelYaml: string | undefined, env: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), 'mlops-settings-'));
  temps.push(dir);
  if (modelYaml !== undefined) {
    await mkdir(join(dir, 'models/churn'), { recursive: true });
    await writeFile(join(dir, 'models/churn/model.yaml'), modelYaml);
  }
  await writeFile(join(dir, 'step.sh'), body);
  await writeFile(join(dir, 'out'), '');
  try {
    const r = await execFileP('bash', ['--noprofile', '--norc', '-eo', 'pipefail', join(dir, 'step.sh')], {
      cwd: dir,
      // Debian's python3 (with PyYAML) first, as /usr/bin/python3 on a GitHub-hosted Ubuntu runner.
      env: { PATH: `/usr/bin:${process.env.PATH}`, ROOT: 'models', GITHUB_OUTPUT: join(dir, 'out'), ...env },
    });
    return { code: 0, stdout: r.stdout, out: parseOutput(await readFile(join(dir, 'out'), 'utf8')) };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout, out: {} };
  }
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
  const body = script('retrain.yml', 'settings', 'settings');

  it('settings reads every training setting from model.yaml when no input is given', async () => {
    const r = await run(body, spec, { MODEL: 'churn' });
    expect(r.code).toBe(0);
    expect(r.out).toEqual({
      command: 'python train.py --out "$MLOPS_OUTPUT_DIR"',
      data: 's3://d/train.parquet\ndata/extra/*.csv',
      'evaluation-data': 's3://d/eval.parquet',
      'reference-data': 's3://d/train.parquet',
      'runner-labels': '["self-hosted", "gpu", "a100"]',
      'require-gpu': 'false',
      'checkpoint-dir': 'mlops-out/ckpt',
      metrics: 'mlops-out/dvclive',
      artifacts: 'mlops-out/model.onnx',
    });
    expect(JSON.parse(r.out['runner-labels'])).toEqual(['self-hosted', 'gpu', 'a100']);
  });

  it('settings lets each input override model.yaml', async () => {
    const r = await run(body, spec, {
      MODEL: 'churn',
      IN_COMMAND: 'make train',
      IN_EVALUATION_DATA: 'eval.csv',
      IN_RUNNER_LABELS: '["ubuntu-latest"]',
      IN_DATA: 'a.csv\nb.csv',
    });
    expect(r.code).toBe(0);
    expect(r.out).toMatchObject({
      command: 'make train',
      'evaluation-data': 'eval.csv',
      'runner-labels': '["ubuntu-latest"]',
      data: 'a.csv\nb.csv',
      'checkpoint-dir': 'mlops-out/ckpt',
    });
  });

  it('settings defaults the runner to [self-hosted, gpu] with the GPU check on', async () => {
    const r = await run(body, minimal, { MODEL: 'churn', IN_COMMAND: 'x', IN_EVALUATION_DATA: 'e.csv' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out['runner-labels'])).toEqual(['self-hosted', 'gpu']);
    expect(r.out['require-gpu']).toBe('true');
    expect(r.out.data).toBe('');
    const off = await run(body, minimal, {
      MODEL: 'churn',
      IN_COMMAND: 'x',
      IN_EVALUATION_DATA: 'e.csv',
      IN_REQUIRE_GPU: 'false',
    });
    expect(off.out['require-gpu']).toBe('false');
  });

  it('settings fails (exit 2) naming what is missing when neither model.yaml nor an input gives it', async () => {
    const r = await run(body, minimal, { MODEL: 'churn' });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('::error::models/churn/model.yaml: no input command or training.command');
    expect(r.stdout).toContain('input evaluation-data or training.evaluation_data');
    expect(r.out).toEqual({});
  });

  it('settings refuses runner-labels that are not a JSON array of labels', async () => {
    const r = await run(body, spec, { MODEL: 'churn', IN_RUNNER_LABELS: 'self-hosted,gpu' });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      "runner-labels 'self-hosted,gpu' is not valid: expected a JSON array of labels",
    );
    expect(r.out).toEqual({});
  });

  it('settings refuses a hostile model name and a model without model.yaml', async () => {
    const bad = await run(body, spec, { MODEL: '../churn' });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain("model '../churn' is not a model name");
    const none = await run(body, undefined, { MODEL: 'churn' });
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('models/churn/model.yaml does not exist');
  });
});

describe('promote.yml rollback-evaluate data step', () => {
  const body = script('promote.yml', 'rollback-evaluate', 'data');

  it('data takes the input, else training.evaluation_data, else fails naming both', async () => {
    expect((await run(body, spec, { MODEL: 'churn', GIVEN: 'x.csv' })).out).toEqual({ data: 'x.csv' });
    expect((await run(body, spec, { MODEL: 'churn' })).out).toEqual({ data: 's3://d/eval.parquet' });
    const none = await run(body, minimal, { MODEL: 'churn' });
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('no training.evaluation_data and no evaluation-data input');
  });
});
