import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProfile, serializeProfile } from '../../actions/drift/src/profile.ts';
import { parseState } from '../../actions/drift/src/issue.ts';
import {
  FEATURES,
  generateClinicalData,
  LABEL,
  type PatientRow,
  toCsv,
} from '../../examples/trainer/data.ts';
import { trainExample } from '../../examples/trainer/train.ts';
import { openRegistry } from '../../registry/index.ts';
import { openStore } from '../../registry/stores/open.ts';
import type { ModelSpec } from '../../registry/types.ts';
import { readTable } from '../../tables/index.ts';
import { runAction } from '../support/action-harness.ts';
import { createRemote, git, type TestRemote } from '../support/git.ts';
import { type GitHubServer, type RepoState, startGitHubServer } from '../support/github-server.ts';
import { startS3Server, type TestS3Server } from '../support/s3-server.ts';

let s3: TestS3Server;
let gh: GitHubServer;
let repo: RepoState;
let r: TestRemote;
const out = mkdtempSync(join(tmpdir(), 'drift-action-'));
const MARKER = '<!-- mlops:drift:heart -->';

const spec = (bucket: string): ModelSpec => ({
  name: 'heart',
  task: 'binary',
  primary_metric: { name: 'val_roc_auc', direction: 'maximize' },
  artifact_store: `s3://${bucket}/artifacts`,
  schema: { features: FEATURES.map((name) => ({ name, dtype: 'float64' })), label: LABEL },
});

/** Production rows: the training distribution, or with half of the features shifted by 1.5 of their spread. */
function production(seed: number, shift: boolean): PatientRow[] {
  const rows = generateClinicalData(500, seed);
  if (!shift) return rows;
  const shifted = FEATURES.slice(0, 5);
  const sd = Object.fromEntries(
    shifted.map((f) => {
      const xs = rows.map((x) => x[f]);
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      return [f, Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length)];
    }),
  );
  return rows.map((x) => ({ ...x, ...Object.fromEntries(shifted.map((f) => [f, x[f] + 1.5 * sd[f]])) }));
}

async function putLogs(prefix: string, rows: PatientRow[]): Promise<void> {
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.env.AWS_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.env.AWS_ACCESS_KEY_ID, secretAccessKey: s3.env.AWS_SECRET_ACCESS_KEY },
  });
  const day = new Date().toISOString().slice(0, 10);
  await client.send(
    new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/date=${day}/part-0.csv`, Body: toCsv(rows) }),
  );
  // An old partition outside the 7-day window: never read.
  await client.send(
    new PutObjectCommand({
      Bucket: s3.bucket,
      Key: `${prefix}/date=2020-01-01/part-0.csv`,
      Body: 'not,a\ncsv',
    }),
  );
}

beforeAll(async () => {
  s3 = await startS3Server();
  gh = await startGitHubServer();
  r = await createRemote();
  repo = gh.state.addRepo('octo-org/models', { gitDir: r.remote });
  // The workflow drift dispatches, as GitHub reads it at the ref: the consumer template, which declares exactly
  // the inputs drift sends (model, reason, issue).
  mkdirSync(join(r.clone, '.github/workflows'), { recursive: true });
  copyFileSync(
    new URL('../../examples/consumer/.github/workflows/mlops-retrain.yml', import.meta.url),
    join(r.clone, '.github/workflows/retrain.yml'),
  );
  await git(r.clone, 'add', '.github');
  await git(r.clone, 'commit', '-q', '-m', 'retrain workflow');
  await git(r.clone, 'push', '-q', 'origin', 'main');
  await trainExample([
    '--out',
    join(r.clone, 'out'),
    '--checkpoint-dir',
    join(out, 'ckpt'),
    '--epochs',
    '10',
    '--rows',
    '600',
  ]);
  const reg = await openRegistry({ dir: r.clone });
  await reg.init({ model: 'heart', spec: spec(s3.bucket) });
  const profile = buildProfile(await readTable(join(r.clone, 'out/reference.csv')), spec(s3.bucket), {
    seed: 1,
  });
  writeFileSync(join(out, 'reference-profile.json'), serializeProfile(profile));
  const store = openStore(`s3://${s3.bucket}/artifacts`, { env: s3.env });
  await reg.register({
    model: 'heart',
    files: [{ path: join(r.clone, 'out/model.onnx') }, { path: join(out, 'reference-profile.json') }],
    store,
    referenceProfile: 'reference-profile.json',
    aliases: ['champion'],
  });
  await putLogs('logs/shifted', production(11, true));
  await putLogs('logs/clean', production(12, false));
}, 120_000);

afterAll(async () => {
  await gh.stop();
  await s3.stop();
  await r.cleanup();
});

const drift = (current: string, extra: Record<string, string> = {}) =>
  runAction({
    action: 'drift',
    cwd: r.clone,
    apiUrl: gh.url,
    env: { ...s3.env },
    inputs: {
      model: 'heart',
      current: `s3://${s3.bucket}/${current}`,
      since: '7d',
      'retrain-workflow': 'retrain.yml',
      cooldown: '1d',
      'report-path': join(out, 'report.html'),
      ...extra,
    },
    timeoutMs: 120_000,
  });

const driftIssues = () => repo.issues.filter((i) => i.body?.includes(MARKER));

describe('drift action', () => {
  it('run opens the retraining issue on shifted data, dispatches retraining and stores the report', async () => {
    const res = await drift('logs/shifted');
    expect(res.errors).toEqual([]);
    expect(res.code).toBe(0);
    expect(res.outputs).toMatchObject({
      drift: 'true',
      'dataset-drift': 'true',
      'issue-action': 'created',
      dispatched: 'true',
    });
    const result = JSON.parse(res.outputs.result);
    const drifted = result.columns
      .filter((c: { drifted: boolean }) => c.drifted)
      .map((c: { name: string }) => c.name);
    expect(drifted).toEqual(expect.arrayContaining(FEATURES.slice(0, 5)));
    expect(result.prediction).toMatchObject({ column: 'prediction', source: 'model', drifted: true });
    expect(result.target).toMatchObject({ column: LABEL, source: 'logged' });
    expect(result.columns.map((c: { name: string }) => c.name)).not.toContain(LABEL);

    const issues = driftIssues();
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      state: 'open',
      labels: ['mlops:drift'],
      title: 'Data drift detected: retrain heart',
    });
    expect(repo.dispatches).toEqual([
      {
        workflow: 'retrain.yml',
        ref: 'main',
        inputs: {
          model: 'heart',
          reason: expect.stringMatching(/^drift: dataset drift/),
          issue: String(issues[0].number),
        },
      },
    ]);

    expect(res.summary).toMatch(/^## Drift report: heart\n\n🔴 \*\*Drift detected\*\*/);
    expect(res.summary).toContain('```mermaid\nxychart-beta');
    const html = readFileSync(res.outputs['report-html'], 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|src=|href=/i);
    expect(res.outputs['report-uri']).toMatch(
      new RegExp(`^s3://${s3.bucket}/artifacts/drift/heart/.+/report\\.html$`),
    );
    const store = openStore(`s3://${s3.bucket}/artifacts`, { env: s3.env });
    const keys = (await store.listKeys('drift/heart')).map((k) => k.key.split('/').pop()).sort();
    expect(keys).toEqual(['report.html', 'report.md', 'result.json']);
    expect(gh.violations()).toEqual([]);
  }, 180_000);

  it('run updates the same issue on later drifted runs, with the trend, and dispatches once per cooldown', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await drift('logs/shifted');
      expect(res.code, res.stdout).toBe(0);
      expect(res.outputs).toMatchObject({ drift: 'true', 'issue-action': 'updated', dispatched: 'false' });
    }
    const issues = driftIssues();
    expect(issues).toHaveLength(1);
    const state = parseState(issues[0].body ?? '');
    expect(state.runs.map((x) => x.drift)).toEqual([true, true, true]);
    expect(state.dispatches).toBe(1);
    expect(issues[0].body).toContain('### Trend (last 3 run(s), newest first)');
    expect(issues[0].body).toContain('within the cooldown');
    expect(repo.dispatches).toHaveLength(1);
    expect(repo.comments.filter((c) => c.issueNumber === issues[0].number)).toHaveLength(0);
    expect(gh.violations()).toEqual([]);
  }, 360_000);

  it('run closes the issue with a comment when a clean window follows', async () => {
    const res = await drift('logs/clean');
    expect(res.code, res.stdout).toBe(0);
    expect(res.outputs).toMatchObject({ drift: 'false', 'dataset-drift': 'false', 'issue-action': 'closed' });
    const [issue] = driftIssues();
    expect(issue.state).toBe('closed');
    expect(repo.comments.filter((c) => c.issueNumber === issue.number).map((c) => c.body)).toEqual([
      expect.stringMatching(/^No drift in 1 run\(s\) in a row/),
    ]);
    expect(parseState(issue.body ?? '').runs.map((x) => x.drift)).toEqual([true, true, true, false]);
    expect(res.summary).toContain('🟢 **No drift**');
    expect(repo.dispatches).toHaveLength(1);
    expect(gh.violations()).toEqual([]);
  }, 180_000);

  it('run fails with exit 2 naming the window when it holds no data, and leaves the issue alone', async () => {
    const before = JSON.stringify(repo.issues);
    const res = await drift('logs/none');
    expect(res.code).toBe(2);
    expect(res.errors.join('\n')).toMatch(
      /drift: no data files at 's3:\/\/.+\/logs\/none' in the window since .* \(7d\)/,
    );
    expect(JSON.stringify(repo.issues)).toBe(before);
    expect(existsSync(join(out, 'never.html'))).toBe(false);
  }, 120_000);
});
