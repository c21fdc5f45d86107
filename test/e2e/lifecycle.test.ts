/**
 * The whole lifecycle with the bundled actions, as the reusable workflows chain them: retrain (train in one
 * checkout, track in another, as the workflow's two jobs) -> evaluate on the PR -> an owner approves -> the
 * gate passes -> merge -> finalise (champion, tag) -> drift on shifted production data opens the retraining
 * issue and dispatches retrain -> a second version is promoted the same way -> rollback to the first.
 * Real Git (a bare remote), a real S3-compatible server and the spec-validated GitHub test server.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  FEATURES,
  generateClinicalData,
  LABEL,
  type PatientRow,
  toCsv,
} from '../../examples/trainer/data.ts';
import { openRegistry } from '../../registry/index.ts';
import type { ModelSpec } from '../../registry/types.ts';
import { type ActionResult, githubEvent, repoRoot, runAction } from '../support/action-harness.ts';
import { createRemote, git, type TestRemote } from '../support/git.ts';
import { type GitHubServer, type RepoState, startGitHubServer } from '../support/github-server.ts';
import { startS3Server, type TestS3Server } from '../support/s3-server.ts';

const REPO = 'octo-org/models';
const MODEL = 'heart';
let s3: TestS3Server;
let gh: GitHubServer;
let repo: RepoState;
let r: TestRemote;
let data: string;

const spec = (bucket: string): ModelSpec => ({
  name: MODEL,
  task: 'binary',
  primary_metric: { name: 'roc_auc', direction: 'maximize' },
  gates: [{ metric: 'roc_auc', min: 0.6 }],
  owners: ['alice'],
  schema: { features: FEATURES.map((name) => ({ name, dtype: 'float32' })), label: LABEL },
  artifact_store: `s3://${bucket}/registry`,
});

/** A fresh checkout of the remote (what actions/checkout gives a job), on `ref`, with tags. */
async function checkout(ref = 'main'): Promise<string> {
  const dir = await r.cloneOf();
  await git(dir, 'fetch', '-q', '--tags', 'origin');
  if (ref !== 'main') await git(dir, 'checkout', '-q', ref);
  return dir;
}

/** Run one bundled action in `cwd` against the servers; fails the test with the log when it fails. */
async function step(
  action: string,
  cwd: string,
  inputs: Record<string, string>,
  event?: { name: string; payload: Record<string, unknown> },
): Promise<ActionResult> {
  const res = await runAction({
    action,
    cwd,
    inputs,
    event,
    apiUrl: gh.url,
    env: { ...s3.env },
    timeoutMs: 60_000,
  });
  if (res.code !== 0) throw new Error(`${action} exited ${res.code}:\n${res.stdout}\n${res.stderr}`);
  return res;
}

/** The retrain workflow's train job then track job, in two checkouts; returns track's outputs. */
async function retrain(seed: number, reason: string): Promise<Record<string, string>> {
  const trainDir = await checkout();
  const train = await step('train', trainDir, {
    model: MODEL,
    command: `node ${join(repoRoot, 'examples/trainer/run.mjs')} --out mlops-out --checkpoint-dir mlops-out/ckpt --epochs 12 --rows 400 --seed ${seed}`,
    metrics: join(trainDir, 'mlops-out/metrics.jsonl'),
    'run-record': join(trainDir, 'mlops-run/run.json'),
  });
  expect(train.outputs['exit-code']).toBe('0');
  const trackDir = await checkout();
  for (const d of ['mlops-out', 'mlops-run'])
    await cp(join(trainDir, d), join(trackDir, d), { recursive: true });
  const track = await step('track', trackDir, {
    model: MODEL,
    artifacts: 'mlops-out/*.onnx',
    metrics: 'mlops-out/dvclive',
    'run-record': 'mlops-run/run.json',
    'reference-data': 'mlops-out/reference.csv',
    description: `Retrained (${reason})`,
  });
  return track.outputs;
}

/** Production data: the clinical generator, optionally shifted. */
function production(rows: number, seed: number, shift: (row: PatientRow) => PatientRow = (x) => x): string {
  return toCsv(generateClinicalData(rows, seed).map(shift));
}

beforeAll(async () => {
  s3 = await startS3Server();
  gh = await startGitHubServer();
  r = await createRemote();
  repo = gh.state.addRepo(REPO, { gitDir: r.remote });
  const reg = await openRegistry({ dir: r.clone });
  await reg.init({ model: MODEL, spec: spec(s3.bucket) });
  data = await mkdtemp(join(r.root, 'data-'));
  await writeFile(join(data, 'eval.csv'), production(500, 101));
  await writeFile(join(data, 'prod-clean.csv'), production(400, 202));
  await writeFile(
    join(data, 'prod-shifted.csv'),
    production(400, 303, (x) => ({ ...x, age: x.age + 15, cholesterol: x.cholesterol * 1.3 })),
  );
});
afterAll(async () => {
  await gh?.stop();
  await s3?.stop();
  await r?.cleanup();
});
afterEach(() => {
  expect(gh.violations()).toEqual([]);
});

describe('lifecycle', () => {
  let v1: Record<string, string>;

  it('retrain: train and track register v1 on its branch and open the promotion PR', async () => {
    v1 = await retrain(1, 'first version');
    expect(v1).toMatchObject({ version: '1', created: 'true', branch: 'mlops/heart/v1' });
    const pr = repo.pulls.find((p) => p.number === Number(v1['pr-number']))!;
    expect(pr).toMatchObject({ head: 'mlops/heart/v1', base: 'main', merged: false });
    const issue = repo.issues.find((i) => i.number === pr.number)!;
    expect(issue.title).toBe('Promote heart v1 to champion');
    expect(issue.labels).toContain('mlops:promotion');
    const record = parseYaml(
      await git(r.remote, 'show', 'mlops/heart/v1:models/heart/versions/v1/version.yaml'),
    );
    expect(record.description).toBe('Retrained (first version)');
    expect(record.artifacts.map((a: { path: string }) => a.path)).toEqual([
      'model.onnx',
      'reference-profile.json',
    ]);
    expect(record.reference_profile).toBe('reference-profile.json');
    const aliases = parseYaml(await git(r.remote, 'show', 'mlops/heart/v1:models/heart/aliases.yaml'));
    expect(aliases.aliases).toEqual({ champion: 1 });
    expect(
      await readFile(s3.objectFile(record.artifacts[0].uri.replace(`s3://${s3.bucket}/`, ''))),
    ).toBeTruthy();
  });
});
