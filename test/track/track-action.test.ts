import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainExample } from '../../examples/trainer/train.ts';
import { openRegistry } from '../../registry/index.ts';
import { openStore } from '../../registry/stores/open.ts';
import type { ModelSpec } from '../../registry/types.ts';
import { runAction } from '../support/action-harness.ts';
import { createRemote, git, type TestRemote } from '../support/git.ts';
import { type GitHubServer, type RepoState, startGitHubServer } from '../support/github-server.ts';
import { startS3Server, type TestS3Server } from '../support/s3-server.ts';

let s3: TestS3Server;
let gh: GitHubServer;
let repo: RepoState;
let r: TestRemote;

const spec = (bucket: string): ModelSpec => ({
  name: 'heart',
  task: 'binary',
  primary_metric: { name: 'roc_auc', direction: 'maximize' },
  artifact_store: `s3://${bucket}/artifacts`,
});

beforeAll(async () => {
  s3 = await startS3Server();
  gh = await startGitHubServer();
  r = await createRemote();
  repo = gh.state.addRepo('octo-org/models', { gitDir: r.remote });
  const reg = await openRegistry({ dir: r.clone });
  await reg.init({ model: 'heart', spec: spec(s3.bucket) });
  await trainExample([
    '--out',
    join(r.clone, 'out'),
    '--checkpoint-dir',
    join(r.clone, '.mlops/ckpt'),
    '--epochs',
    '15',
    '--rows',
    '400',
  ]);
  writeFileSync(join(r.clone, 'not-onnx.onnx'), 'this is not a model');
});
afterAll(async () => {
  await gh.stop();
  await s3.stop();
  await r.cleanup();
});

const track = (inputs: Record<string, string>) =>
  runAction({
    action: 'track',
    cwd: r.clone,
    apiUrl: gh.url,
    env: { ...s3.env },
    inputs: { model: 'heart', metrics: 'out/dvclive', 'reference-data': 'out/reference.csv', ...inputs },
    timeoutMs: 120_000,
  });

const remoteBranches = async () =>
  (await git(r.remote, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/')).split('\n').sort();

describe('track action', () => {
  it('track registers v1 on mlops/heart/v1 with its files, artifacts in the store, and opens the labelled PR', async () => {
    const res = await track({ artifacts: 'out/model.onnx\nout/params.json' });
    expect(res.errors).toEqual([]);
    expect(res.code).toBe(0);
    expect(res.outputs).toMatchObject({
      version: '1',
      created: 'true',
      branch: 'mlops/heart/v1',
      'pr-number': '1',
    });
    expect(await remoteBranches()).toEqual(['main', 'mlops/heart/v1']);

    const record = parseYaml(
      await git(r.remote, 'show', 'mlops/heart/v1:models/heart/versions/v1/version.yaml'),
    );
    expect(record.metrics.roc_auc).toBeGreaterThan(0.6);
    expect(record.params).toMatchObject({ epochs: 15, rows: 400 });
    expect(record.artifacts.map((a: { path: string }) => a.path).sort()).toEqual([
      'model.onnx',
      'params.json',
      'reference-profile.json',
    ]);
    expect(record.signature.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: ['N', 8] }]);
    expect(record.signature.outputs).toEqual([{ name: 'probabilities', dtype: 'float32', shape: ['N', 2] }]);
    expect(record.reference_profile).toBe('reference-profile.json');
    expect(record.source.run_url).toBe('https://github.com/octo-org/models/actions/runs/4242');
    const aliases = parseYaml(await git(r.remote, 'show', 'mlops/heart/v1:models/heart/aliases.yaml'));
    expect(aliases.aliases).toEqual({ champion: 1 });
    await git(r.remote, 'show', 'mlops/heart/v1:models/heart/versions/v1/card.md');

    const store = openStore(`s3://${s3.bucket}/artifacts`, { env: s3.env });
    for (const a of record.artifacts) expect(await store.hasBlob(a.sha256)).toBe(true);

    expect(repo.pulls).toHaveLength(1);
    const pr = repo.pulls[0];
    expect(pr.head).toBe('mlops/heart/v1');
    expect(pr.base).toBe('main');
    const issue = repo.issues.find((i) => i.number === pr.number);
    expect(issue?.title).toBe('Promote heart v1 to champion');
    expect(issue?.labels).toEqual(['mlops:promotion']);
    expect(issue?.body).toContain('<!-- mlops:track:heart -->');
    expect(issue?.body).toContain(
      '- [version record](https://github.com/octo-org/models/blob/mlops/heart/v1/models/heart/versions/v1/version.yaml)',
    );
    expect(issue?.body).toContain('- [training run](https://github.com/octo-org/models/actions/runs/4242)');
    expect(issue?.body).toContain(
      'ONNX signature: inputs **input** float32 [N, 8]; outputs **probabilities** float32 [N, 2].',
    );
    expect(issue?.body).toMatch(/roc\\_auc \(primary, maximize\) \| 0\.\d+/);
    expect(gh.violations()).toEqual([]);
  });

  it('track run again over the same artifacts registers nothing new and keeps one PR', async () => {
    const res = await track({ artifacts: 'out/model.onnx\nout/params.json' });
    expect(res.errors).toEqual([]);
    expect(res.outputs).toMatchObject({
      version: '1',
      created: 'false',
      branch: 'mlops/heart/v1',
      'pr-number': '1',
    });
    expect(await remoteBranches()).toEqual(['main', 'mlops/heart/v1']);
    expect(repo.pulls).toHaveLength(1);
    expect(gh.violations()).toEqual([]);
  });

  it('track refuses a file that is not ONNX and leaves no version or branch behind', async () => {
    const res = await track({ artifacts: 'not-onnx.onnx' });
    expect(res.code).toBe(2);
    expect(res.errors.join('\n')).toMatch(/artifact 'not-onnx\.onnx' is not a valid ONNX model/);
    expect(await remoteBranches()).toEqual(['main', 'mlops/heart/v1']);
    expect(await git(r.remote, 'for-each-ref', 'refs/mlops/versions/heart/')).not.toContain('/v2');
  });

  it('track refuses a glob that matches nothing and NaN metrics', async () => {
    const none = await track({ artifacts: 'out/*.pt' });
    expect(none.code).toBe(2);
    expect(none.errors.join('\n')).toMatch(/artifact glob 'out\/\*\.pt' matches no file/);
    writeFileSync(join(r.clone, 'nan.json'), '{"loss": NaN}');
    const nan = await track({ artifacts: 'out/model.onnx', metrics: 'nan.json' });
    expect(nan.code).toBe(2);
    expect(nan.errors.join('\n')).toMatch(/metric 'loss' is NaN/);
    expect(await remoteBranches()).toEqual(['main', 'mlops/heart/v1']);
  });

  it('track refuses two artifacts with one file name in its own terms, leaving no version behind', async () => {
    mkdirSync(join(r.clone, 'copy'), { recursive: true });
    copyFileSync(join(r.clone, 'out/model.onnx'), join(r.clone, 'copy/model.onnx'));
    const res = await track({ artifacts: 'out/model.onnx\ncopy/model.onnx' });
    expect(res.code).toBe(2);
    const message = res.errors.join('\n');
    expect(message).toMatch(
      /artifacts 'out\/model\.onnx' and 'copy\/model\.onnx' would both be named 'model\.onnx' in the version \(track names each artifact by its file name\)/,
    );
    expect(message).not.toMatch(/PATH=NAME/);
    expect(await remoteBranches()).toEqual(['main', 'mlops/heart/v1']);
  });

  it('track stores artifacts in .mlops/artifacts when neither the input nor the model names a store', async () => {
    const reg = await openRegistry({ dir: r.clone });
    const { artifact_store: _, ...plain } = { ...spec(s3.bucket), name: 'plain' };
    await reg.init({ model: 'plain', spec: plain });
    const res = await track({ model: 'plain', artifacts: 'out/model.onnx', 'open-pr': 'false' });
    expect(res.errors).toEqual([]);
    expect(res.outputs).toMatchObject({ version: '1', created: 'true', branch: 'mlops/plain/v1' });
    const local = openStore(join(r.clone, '.mlops/artifacts'));
    const record = parseYaml(
      await git(r.remote, 'show', 'mlops/plain/v1:models/plain/versions/v1/version.yaml'),
    );
    for (const a of record.artifacts) expect(await local.hasBlob(a.sha256)).toBe(true);
  });
});
