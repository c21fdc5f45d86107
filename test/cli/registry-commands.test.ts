import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { writeLinearModel } from '../../onnx/write.ts';
import { memoryLogger } from '../../core/logger.ts';
import { commitCount, createRemote, git, gitStatus, type TestRemote } from '../support/git.ts';

let r: TestRemote;

async function mlops(argv: string[], cwd = r.clone) {
  const log = memoryLogger();
  const out: string[] = [];
  const code = await main(argv, { cwd, log, out: (t) => out.push(t), env: process.env });
  return { code, out: out.join('\n'), err: log.lines.join('\n') };
}

async function storeObjects(): Promise<number> {
  const dir = join(r.clone, '.mlops/artifacts/sha256');
  const subs = await readdir(dir).catch(() => [] as string[]);
  let n = 0;
  for (const s of subs) n += (await readdir(join(dir, s))).length;
  return n;
}

beforeAll(async () => {
  r = await createRemote();
  await mkdir(join(r.root, 'in'));
  const files: Record<string, string> = {
    'model.bin': 'weights',
    'good.json': '{"roc_auc": 0.91, "accuracy": 0.8}',
    'bad.yaml': 'roc_auc: [1,\n  2',
    'nan.yaml': 'roc_auc: .nan',
    'nan.json': '{"roc_auc": "NaN"}',
    'inf.yaml': 'roc_auc: .inf',
    'text.json': '{"roc_auc": "high"}',
    'list.json': '[1, 2]',
  };
  for (const [k, v] of Object.entries(files)) await writeFile(join(r.root, 'in', k), v);
  expect((await mlops(['init', 'churn'])).code).toBe(0);
  const reg = await mlops([
    'register',
    'churn',
    '--artifact',
    join(r.root, 'in/model.bin'),
    '--metrics',
    join(r.root, 'in/good.json'),
  ]);
  expect(reg.code).toBe(0);
}, 120_000);
afterAll(async () => r.cleanup());

describe('mlops registry commands', () => {
  it('register, promote, show, history and list print JSON for scripts', async () => {
    expect((await mlops(['promote', 'churn', 'v1'])).out).toMatch(/churn@champion -> v1/);
    const show = JSON.parse((await mlops(['show', 'churn@champion', '--json'])).out);
    expect(show).toMatchObject({
      model: 'churn',
      version: 1,
      aliases: ['champion'],
      status: 'active',
      metrics: { roc_auc: 0.91 },
    });
    const list = JSON.parse((await mlops(['list', '--json'])).out);
    expect(list).toEqual([
      expect.objectContaining({ name: 'churn', champion: 1, champion_value: 0.91, latest: 1, versions: 1 }),
    ]);
    const history = JSON.parse((await mlops(['history', 'churn', '--json'])).out);
    expect(history.map((e: { type: string }) => e.type)).toEqual(['alias_set', 'registered']);
    expect((await mlops(['list'])).out).toMatch(/^MODEL\s+CHAMPION[\s\S]*churn\s+v1\s+roc_auc ↑\s+0\.91/);
  });

  it('every registry command prints --help and exits 0', async () => {
    for (const c of [
      'init',
      'register',
      'promote',
      'rollback',
      'archive',
      'show',
      'history',
      'list',
      'demo',
    ]) {
      const res = await mlops([c, '--help']);
      expect(res.code).toBe(0);
      expect(res.out).toContain(`Usage: mlops ${c}`);
    }
  });

  const model = (name: string) => ({ argv: ['init', name], value: name });
  const bad: { name: string; argv: () => string[]; message: RegExp }[] = [
    {
      name: 'name with ..',
      argv: () => model('a..b').argv,
      message: /model name 'a\.\.b' is not valid: expected lowercase/,
    },
    { name: 'name with ../', argv: () => model('../x').argv, message: /model name '\.\.\/x' is not valid/ },
    {
      name: 'name with two slashes',
      argv: () => model('a/b/c').argv,
      message: /model name 'a\/b\/c' is not valid/,
    },
    {
      name: 'name with a trailing slash',
      argv: () => model('a/').argv,
      message: /model name 'a\/' is not valid/,
    },
    { name: 'uppercase name', argv: () => model('Churn').argv, message: /model name 'Churn' is not valid/ },
    {
      name: 'name with a space',
      argv: () => model('my model').argv,
      message: /model name 'my model' is not valid/,
    },
    { name: 'empty name', argv: () => model('').argv, message: /model name '' is not valid/ },
    {
      name: '64-character name',
      argv: () => model('a'.repeat(64)).argv,
      message: /model name 'a{64}' is not valid: .*at most 63/,
    },
    {
      name: 'register of an uppercase name',
      argv: () => ['register', 'Churn', '--artifact', join(r.root, 'in/model.bin')],
      message: /model name 'Churn' is not valid/,
    },
    {
      name: 'malformed YAML metrics',
      argv: () => reg('--metrics', join(r.root, 'in/bad.yaml')),
      message: /bad\.yaml: malformed YAML at line \d+/,
    },
    {
      name: 'NaN metric (YAML)',
      argv: () => reg('--metrics', join(r.root, 'in/nan.yaml')),
      message: /metric 'roc_auc' 'NaN' is not valid: expected a finite number/,
    },
    {
      name: 'NaN metric (JSON string)',
      argv: () => reg('--metrics', join(r.root, 'in/nan.json')),
      message: /metric 'roc_auc' 'NaN' is not valid: expected a finite number/,
    },
    {
      name: 'Infinity metric',
      argv: () => reg('--metrics', join(r.root, 'in/inf.yaml')),
      message: /metric 'roc_auc' 'Infinity' is not valid/,
    },
    {
      name: 'non-number metric',
      argv: () => reg('--metrics', join(r.root, 'in/text.json')),
      message: /metric 'roc_auc' 'high' is not valid: expected a finite number/,
    },
    {
      name: 'metrics not a mapping',
      argv: () => reg('--metrics', join(r.root, 'in/list.json')),
      message: /list\.json' is not a mapping: expected/,
    },
    {
      name: 'missing artifact file',
      argv: () => ['register', 'churn', '--artifact', 'nope/model.onnx'],
      message: /artifact file 'nope\/model\.onnx' does not exist: expected a path/,
    },
    {
      name: 'unknown model',
      argv: () => reg(),
      message: /model 'ghost' does not exist in models\/: expected an initialised model/,
    },
    {
      name: 'unknown version',
      argv: () => ['show', 'churn@v9'],
      message: /version v9 of model 'churn' does not exist: expected one of v1/,
    },
    {
      name: 'unknown alias',
      argv: () => ['show', 'churn@staging'],
      message: /alias 'staging' of model 'churn' is not set: expected one of/,
    },
    {
      name: 'alias pointed at a missing version',
      argv: () => ['promote', 'churn', 'v7'],
      message: /version v7 of model 'churn' does not exist/,
    },
    {
      name: 'bad version label',
      argv: () => ['promote', 'churn', 'seven'],
      message: /version 'seven' is not valid: expected v<N>/,
    },
    { name: 'S3 URI without a bucket', argv: () => reg('--store', 's3://'), message: /s3:\/\// },
    { name: 'unknown flag', argv: () => ['list', '--bogus'], message: /bogus/ },
  ];
  function reg(...extra: string[]) {
    const m = extra.length === 0 ? 'ghost' : 'churn';
    return ['register', m, '--artifact', join(r.root, 'in/model.bin'), ...extra];
  }

  for (const b of bad) {
    it(`bad input: ${b.name} exits 2, names the value, writes nothing`, async () => {
      const before = {
        local: await commitCount(r.clone),
        remote: await commitCount(r.remote, 'main'),
        objects: await storeObjects(),
      };
      // A file the store has not seen yet, so that an upload would be visible.
      await writeFile(join(r.root, 'in/model.bin'), `weights ${b.name}`);
      const res = await mlops(b.argv());
      expect(res.code).toBe(2);
      expect(res.err).toMatch(b.message);
      expect(await gitStatus(r.clone)).toBe('');
      expect(await commitCount(r.clone)).toBe(before.local);
      expect(await commitCount(r.remote, 'main')).toBe(before.remote);
      expect(await storeObjects()).toBe(before.objects);
    });
  }

  it('register refuses a malformed model.yaml in the repository, exit 2, nothing written', async () => {
    const other = await r.cloneOf('broken');
    await mkdir(join(other, 'models/broken'), { recursive: true });
    await writeFile(join(other, 'models/broken/model.yaml'), 'name: broken\ntask: [binary\n');
    await git(other, 'add', '.');
    await git(other, 'commit', '-q', '-m', 'hand-written spec');
    const before = await commitCount(other);
    const res = await mlops(['register', 'broken', '--artifact', join(r.root, 'in/model.bin')], other);
    expect(res.code).toBe(2);
    expect(res.err).toMatch(/models\/broken\/model\.yaml: malformed YAML at line \d+/);
    expect(await commitCount(other)).toBe(before);
    expect(await gitStatus(other)).toBe('');
  });

  it('register records the ONNX signature, the environment, the data inputs and the source', async () => {
    const onnx = join(r.root, 'in/model.onnx');
    await writeFile(onnx, writeLinearModel({ weights: [0.5, -1], bias: 0.1, kind: 'logistic' }));
    await writeFile(join(r.root, 'in/train.csv'), 'a,b,y\n1,2,0\n3,4,1\n');
    const res = await mlops([
      'register',
      'churn',
      '--artifact',
      onnx,
      '--data',
      join(r.root, 'in/train.csv'),
      '--metrics',
      join(r.root, 'in/good.json'),
      '--json',
    ]);
    expect(res.code).toBe(0);
    const rec = JSON.parse(res.out).record;
    expect(rec.signature.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: ['N', 2] }]);
    expect(rec.signature.outputs.length).toBeGreaterThan(0);
    expect(rec.environment).toMatchObject({ node: process.versions.node, memory_bytes: expect.any(Number) });
    expect(rec.environment.os).toEqual(expect.any(String));
    expect(rec.data).toEqual([
      expect.objectContaining({ uri: join(r.root, 'in/train.csv'), bytes: 18, sha256: expect.any(String) }),
    ]);
    expect(rec.source).toMatchObject({ repository: r.remote, commit: expect.any(String), dirty: false });
    expect(rec.source.commit).toBe(await git(r.clone, 'rev-parse', 'HEAD~1'));
    expect(rec.source.ref).toBe('refs/heads/main');
    const shown = await readFile(join(r.clone, `models/churn/versions/v${rec.version}/version.yaml`), 'utf8');
    expect(shown).toMatch(/signature:\n\s+inputs:/);
  });

  it('register refuses an .onnx artifact that is not an ONNX model, exit 2, nothing written', async () => {
    await writeFile(join(r.root, 'in/fake.onnx'), 'not onnx at all');
    const before = await commitCount(r.clone);
    const res = await mlops(['register', 'churn', '--artifact', join(r.root, 'in/fake.onnx')]);
    expect(res.code).toBe(2);
    expect(res.err).toMatch(/artifact '.*fake\.onnx' is not a valid ONNX model/);
    expect(await commitCount(r.clone)).toBe(before);
  });
});
