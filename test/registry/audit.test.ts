import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { UsageError } from '../../core/errors.ts';
import { memoryLogger } from '../../core/logger.ts';
import { Git } from '../../registry/git.ts';
import { isImmutablePath, refuseRewrites } from '../../registry/immutable.ts';
import { parseVersionRecord, readSource } from '../../registry/index.ts';
import { Snapshot } from '../../registry/snapshot.ts';
import { blobKey } from '../../registry/stores/uri.ts';
import { commitCount, createRemote, git, gitStatus, type TestRemote } from '../support/git.ts';

let r: TestRemote;

async function mlops(argv: string[], cwd = r.clone) {
  const log = memoryLogger();
  const out: string[] = [];
  const code = await main(argv, { cwd, log, out: (t) => out.push(t), env: process.env });
  return { code, out: out.join('\n'), err: log.lines.join('\n') };
}

async function register(model: string) {
  return mlops([
    'register',
    model,
    '--artifact',
    join(r.root, 'model.bin'),
    '--metrics',
    join(r.root, 'metrics.json'),
  ]);
}

beforeEach(async () => {
  r = await createRemote();
  await writeFile(join(r.root, 'model.bin'), 'weights');
  await writeFile(join(r.root, 'metrics.json'), '{"roc_auc": 0.9}');
});
afterEach(async () => r.cleanup());

const record = {
  model: 'churn',
  version: 2,
  created: '2026-01-01T00:00:00Z',
  created_by: 'me',
  source: { dirty: false },
  params: {},
  metrics: {},
  data: [],
  environment: {},
  artifacts: [{ path: 'model.onnx', uri: 'file:///x', sha256: 'a'.repeat(64), bytes: 3 }],
};
const path = 'models/churn/versions/v2/version.yaml';

describe('registry audit fixes', () => {
  it('init refuses an s3:// store without a bucket, exit 2, nothing written', async () => {
    const before = await commitCount(r.clone);
    const res = await mlops(['init', 'churn', '--store', 's3://']);
    expect(res.code).toBe(2);
    expect(res.err).toMatch(/artifact_store: S3 URI 's3:\/\/' has no bucket; expected s3:\/\/bucket\/prefix/);
    expect(await commitCount(r.clone)).toBe(before);
    expect(await gitStatus(r.clone)).toBe('');
    expect((await mlops(['init', 'churn', '--store', 's3://bucket/models'])).code).toBe(0);
  });

  it('parseVersionRecord refuses a record whose model or version is not its folder', () => {
    expect(parseVersionRecord(JSON.stringify(record), path).version).toBe(2);
    expect(() => parseVersionRecord(JSON.stringify({ ...record, version: 3 }), path)).toThrow(
      /version '3' is not valid: expected 2 \(the folder v2\)/,
    );
    expect(() => parseVersionRecord(JSON.stringify({ ...record, model: 'other' }), path)).toThrow(
      /model 'other' is not valid: expected 'churn'/,
    );
    expect(() =>
      parseVersionRecord(JSON.stringify(record), 'x.yaml', { model: 'fraud', version: 2 }),
    ).toThrow(/expected 'fraud'/);
  });

  it('parseVersionRecord checks the shapes of source, data, environment and artifacts', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ source: 'abc' }, /source 'abc' is not valid: expected \{ repository\?/],
      [{ source: { dirty: 'no' } }, /source.dirty 'no' is not valid: expected true or false/],
      [{ source: { dirty: false, commit: 5 } }, /source.commit '5' is not valid: expected a string/],
      [{ data: {} }, /data '\{\}' is not valid: expected a list/],
      [{ data: [{ uri: 'x', sha256: 'zz', bytes: 1 }] }, /data\[0\].sha256 'zz' is not valid: expected 64/],
      [{ data: [{ uri: 'x', sha256: 'b'.repeat(64), bytes: -1 }] }, /data\[0\].bytes '-1'/],
      [{ environment: [] }, /environment '\[\]' is not valid: expected a mapping/],
      [{ environment: { node: 20 } }, /environment.node '20' is not valid: expected a string/],
      [{ environment: { memory_bytes: 'lots' } }, /environment.memory_bytes 'lots'/],
      [{ artifacts: [{ ...record.artifacts[0], bytes: '3' }] }, /artifacts\[0\].bytes '3' is not valid/],
      [{ artifacts: [{ ...record.artifacts[0], uri: 7 }] }, /artifacts\[0\].uri '7' is not valid/],
      [{ params: [1] }, /params '\[1\]' is not valid: expected a mapping/],
    ];
    for (const [patch, message] of bad) {
      expect(() => parseVersionRecord(JSON.stringify({ ...record, ...patch }), path)).toThrow(message);
    }
  });

  it('local store verifies an existing blob and repairs a corrupt one on register', async () => {
    expect((await mlops(['init', 'churn'])).code).toBe(0);
    expect((await register('churn')).code).toBe(0);
    const rec = parseVersionRecord(
      await readFile(join(r.clone, 'models/churn/versions/v1/version.yaml'), 'utf8'),
      'models/churn/versions/v1/version.yaml',
    );
    const blob = join(r.clone, '.mlops/artifacts', blobKey(rec.artifacts[0].sha256));
    await writeFile(blob, 'WEIGHTS'); // same size, different content
    expect((await register('churn')).code).toBe(0);
    expect(await readFile(blob, 'utf8')).toBe('weights');
  });

  it('a malformed model.yaml of one model is listed as invalid; writes and list of others work', async () => {
    expect((await mlops(['init', 'churn'])).code).toBe(0);
    expect((await mlops(['init', 'fraud'])).code).toBe(0);
    await writeFile(join(r.clone, 'models/fraud/model.yaml'), 'name: fraud\ntask: [\n');
    await git(r.clone, 'commit', '-q', '-am', 'break fraud');
    await git(r.clone, 'push', '-q', 'origin', 'main');
    expect((await register('churn')).code).toBe(0);
    const index = await readFile(join(r.clone, 'models/README.md'), 'utf8');
    expect(index).toMatch(/\[churn\]\(churn\/README\.md\)/);
    expect(index).toMatch(/Invalid models[\s\S]*`fraud`: models\/fraud\/model\.yaml: malformed YAML/);
    const list = await mlops(['list']);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^churn\s+-\s+roc_auc/m);
    expect(list.out).toMatch(/Invalid models[\s\S]*fraud: models\/fraud\/model\.yaml: malformed YAML/);
    const json = await mlops(['list', '--json']);
    expect(JSON.parse(json.out).map((m: { name: string }) => m.name)).toEqual(['churn']);
    expect(json.err).toMatch(/model 'fraud' is invalid/);
  });

  it('init refuses a model inside a model folder, and a model over a group of models', async () => {
    expect((await mlops(['init', 'churn'])).code).toBe(0);
    const nested = await mlops(['init', 'churn/sub']);
    expect(nested.code).toBe(2);
    expect(nested.err).toMatch(/model 'churn\/sub' would be inside model 'churn'/);
    expect((await mlops(['init', 'team/a'])).code).toBe(0);
    const group = await mlops(['init', 'team']);
    expect(group.code).toBe(2);
    expect(group.err).toMatch(/'team' is a group folder of other models/);
    expect(await gitStatus(r.clone)).toBe('');
  });

  it('init names every file it created, READMEs included', async () => {
    const res = await mlops(['init', 'churn', '--json']);
    expect(JSON.parse(res.out).created.sort()).toEqual([
      'models/README.md',
      'models/churn/README.md',
      'models/churn/aliases.yaml',
      'models/churn/model.yaml',
    ]);
    const first = await mlops(['init', 'fraud']);
    expect(first.out).toMatch(
      /Created models\/fraud\/model\.yaml, models\/fraud\/aliases\.yaml, models\/fraud\/README\.md and pushed/,
    );
  });

  it('refuseRewrites refuses rewriting or deleting an existing record or card, allows new ones', async () => {
    expect((await mlops(['init', 'churn'])).code).toBe(0);
    expect((await register('churn')).code).toBe(0);
    const base = new Snapshot(new Git(r.clone), 'models', await git(r.clone, 'rev-parse', 'HEAD'));
    const v1 = 'models/churn/versions/v1/version.yaml';
    const same = await readFile(join(r.clone, v1), 'utf8');
    await expect(refuseRewrites(base, new Map([[v1, `${same}evaluation: {}\n`]]))).rejects.toThrow(
      /versions\/v1\/version\.yaml already exists and is immutable once written \(rewriting/,
    );
    await expect(refuseRewrites(base, new Map([['models/churn/versions/v1/card.md', null]]))).rejects.toThrow(
      UsageError,
    );
    await refuseRewrites(base, new Map([[v1, same]]));
    await refuseRewrites(base, new Map([['models/churn/versions/v2/version.yaml', 'x']]));
    expect(isImmutablePath('models', 'models/team/a/versions/v3/card.md')).toBe(true);
    expect(isImmutablePath('models', 'models/churn/aliases.yaml')).toBe(false);
    expect(isImmutablePath('models', 'other/churn/versions/v1/version.yaml')).toBe(false);
  });

  it('readSource records repository, commit, ref, dirty and the workflow run as track does', async () => {
    await git(r.clone, 'remote', 'set-url', 'origin', 'https://user:token@example.com/o/r.git');
    const head = await git(r.clone, 'rev-parse', 'HEAD');
    expect(await readSource({ dir: r.clone, remote: 'origin' })).toEqual({
      repository: 'https://example.com/o/r.git',
      commit: head,
      ref: 'refs/heads/main',
      dirty: false,
    });
    await writeFile(join(r.clone, 'README.md'), 'changed\n');
    const env = { GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '42', GITHUB_SERVER_URL: 'https://ghe.example' };
    expect(await readSource({ dir: r.clone, remote: 'origin', env })).toEqual({
      repository: 'o/r',
      commit: head,
      ref: 'refs/heads/main',
      run_url: 'https://ghe.example/o/r/actions/runs/42',
      dirty: true,
    });
  });
});
