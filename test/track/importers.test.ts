import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { importRun, mlflowRunDir, parseMlflowMetric } from '../../actions/track/src/importers.ts';
import { track } from '../../actions/track/src/track.ts';
import { systemClock } from '../../core/clock.ts';
import { silentLogger } from '../../core/logger.ts';
import { writeLinearModel } from '../../onnx/write.ts';
import { openRegistry } from '../../registry/index.ts';
import { createRemote, type TestRemote } from '../support/git.ts';

const tmp = mkdtempSync(join(tmpdir(), 'mlops-import-'));
const remotes: TestRemote[] = [];
afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  for (const r of remotes) await r.cleanup();
});

/** One run: params and three steps of two metrics (auc peaks at step 2: the last value by step is what counts). */
const params = { lr: 0.1, epochs: 3, optimizer: 'sgd', nested: false };
const steps = [
  { step: 1, loss: 0.7, auc: 0.61 },
  { step: 2, loss: 0.5, auc: 0.8 },
  { step: 3, loss: 0.45, auc: 0.79 },
];
const final = { auc: 0.79, loss: 0.45 };

function write(path: string, text: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** The same run in every supported layout. */
function fixtures(dir: string): Record<string, { metrics: string; params?: string; mlflowRun?: string }> {
  const dvc = join(dir, 'dvclive');
  write(join(dvc, 'params.yaml'), stringify(params));
  write(join(dvc, 'metrics.json'), JSON.stringify({ step: 3, ...final }));
  for (const m of ['loss', 'auc'] as const) {
    write(
      join(dvc, 'plots/metrics', `${m}.tsv`),
      `timestamp\tstep\t${m}\n${steps.map((s, i) => `${1000 + i}\t${s.step}\t${s[m]}\n`).join('')}`,
    );
  }
  const run = join(dir, 'mlruns/0/abc123');
  write(join(run, 'meta.yaml'), 'run_id: abc123\nexperiment_id: "0"\n');
  write(join(dir, 'mlruns/0/meta.yaml'), 'experiment_id: "0"\nname: Default\n');
  for (const [k, v] of Object.entries(params)) write(join(run, 'params', k), String(v));
  for (const m of ['loss', 'auc'] as const) {
    // written out of step order: the importer must take the last value by step
    const lines = [steps[2], steps[0], steps[1]].map(
      (s) => `${1_700_000_000_000 + s.step} ${s[m]} ${s.step}`,
    );
    write(join(run, 'metrics', m), `${lines.join('\n')}\n`);
  }
  write(join(run, 'tags/mlflow.runName'), 'gentle-fox');
  const jsonl = write(join(dir, 'metrics.jsonl'), steps.map((s) => `${JSON.stringify(s)}\n`).join(''));
  const paramsYaml = write(join(dir, 'params.yaml'), stringify(params));
  const json = write(join(dir, 'run.json'), JSON.stringify({ params, metrics: final }));
  const yaml = write(join(dir, 'run.yaml'), stringify({ params, metrics: final }));
  return {
    dvclive: { metrics: dvc },
    mlflow: { metrics: run },
    mlruns: { metrics: join(dir, 'mlruns'), mlflowRun: 'abc123' },
    jsonl: { metrics: jsonl, params: paramsYaml },
    json: { metrics: json },
    yaml: { metrics: yaml },
  };
}

describe('importers', () => {
  it('importRun reads the same params and metrics from DVCLive, MLflow, JSON Lines, JSON and YAML', () => {
    const f = fixtures(join(tmp, 'all'));
    for (const [name, source] of Object.entries(f)) {
      const run = importRun(source);
      expect({ name, params: run.params, metrics: run.metrics }).toEqual({ name, params, metrics: final });
    }
    expect(importRun(f.mlflow).tags).toEqual({ 'mlflow.runName': 'gentle-fox' });
    expect(importRun(f.mlflow).history.filter((p) => p.name === 'auc').length).toBe(3);
  });

  it('parseMlflowMetric reports the line of a malformed metric line', () => {
    expect(() => parseMlflowMetric('1 0.5 0\n2 oops 1\n', 'metrics/loss', 'loss')).toThrow(
      /^metrics\/loss:2: expected '<timestamp_ms> <value> <step>'/,
    );
  });

  it('mlflowRunDir asks for a run id when an mlruns root holds several runs', () => {
    const dir = join(tmp, 'two');
    write(join(dir, 'mlruns/0/r1/meta.yaml'), 'run_id: r1\n');
    write(join(dir, 'mlruns/0/r2/meta.yaml'), 'run_id: r2\n');
    expect(() => mlflowRunDir(join(dir, 'mlruns'))).toThrow(/holds 2 MLflow runs; name one with mlflow-run/);
    expect(mlflowRunDir(join(dir, 'mlruns'), 'r2')).toBe(join(dir, 'mlruns/0/r2'));
  });

  it('track gives the same version record whichever format the run was recorded in', async () => {
    const records = [];
    for (const [name, source] of Object.entries(fixtures(join(tmp, 'track')))) {
      const r = await createRemote();
      remotes.push(r);
      const reg = await openRegistry({ dir: r.clone });
      await reg.init({
        model: 'heart',
        spec: {
          name: 'heart',
          task: 'binary',
          primary_metric: { name: 'auc', direction: 'maximize' },
          artifact_store: join(r.root, 'store'),
        },
      });
      writeFileSync(
        join(r.clone, 'model.onnx'),
        writeLinearModel({ weights: [1, -1], bias: 0.5, kind: 'logistic' }),
      );
      const res = await track(
        {
          model: 'heart',
          workingDir: r.clone,
          registryRoot: 'models',
          artifacts: ['model.onnx'],
          ...source,
          alias: 'champion',
          openPr: false,
          labels: [],
        },
        { log: silentLogger, env: {}, clock: systemClock },
      );
      expect(res.created, name).toBe(true);
      const { params: p, metrics, artifacts, signature, data, environment } = res.record;
      records.push({
        params: p,
        metrics,
        artifacts: artifacts.map((a) => [a.path, a.sha256, a.bytes]),
        signature,
        data,
        environment,
      });
    }
    for (const rec of records.slice(1)) expect(rec).toEqual(records[0]);
    expect(records[0].metrics).toEqual(final);
  });
});

describe('artifacts', () => {
  it('selectArtifacts expands relative and absolute globs and refuses globs outside the directory', async () => {
    const { selectArtifacts } = await import('../../actions/track/src/artifacts.ts');
    const dir = join(tmp, 'globs');
    write(join(dir, 'out/a/model.onnx'), 'x');
    write(join(dir, 'out/b.json'), '{}');
    write(join(dir, 'out/c.txt'), '');
    const names = (globs: string[]) => selectArtifacts(globs, dir).map((a) => a.name);
    expect(names(['out/**/*.{onnx,json}'])).toEqual(['model.onnx', 'b.json']);
    expect(names([`${dir}/out/*.txt`])).toEqual(['c.txt']);
    expect(() => selectArtifacts(['/etc/*.conf'], dir)).toThrow(/is outside/);
    expect(() => selectArtifacts(['out/*.pt'], dir)).toThrow(/matches no file/);
  });
});
