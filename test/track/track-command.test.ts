import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectArtifacts } from '../../actions/track/src/artifacts.ts';
import { main } from '../../cli/main.ts';
import { UsageError } from '../../core/errors.ts';
import { memoryLogger } from '../../core/logger.ts';
import { createRemote, type TestRemote } from '../support/git.ts';
import { trainer } from '../train/support.ts';

let r: TestRemote;

beforeAll(async () => {
  r = await createRemote();
});
afterAll(async () => {
  await r.cleanup();
});

/** Run `mlops <argv>` in the clone; exit code, stdout and the log. */
async function mlops(argv: string[]) {
  const log = memoryLogger();
  const out: string[] = [];
  const code = await main(argv, { cwd: r.clone, log, out: (t) => out.push(t), env: process.env }).catch(
    (err: unknown) => {
      log.error(String(err));
      return -1;
    },
  );
  return { code, out: out.join('\n'), log: log.lines.join('\n') };
}

describe('mlops track', () => {
  it('track after init and train stores artifacts in .mlops/artifacts with no store given, as register does', async () => {
    const init = await mlops(['init', 'heart']);
    expect(init.code, init.log).toBe(0);
    expect(readFileSync(join(r.clone, 'models/heart/model.yaml'), 'utf8')).not.toMatch(/artifact_store/);
    const trained = await mlops([
      'train',
      '--model',
      'heart',
      '--command',
      `node ${trainer} --out out --epochs 4 --rows 200`,
      '--metrics',
      'out/metrics.jsonl',
    ]);
    expect(trained.code, trained.log).toBe(0);
    const tracked = await mlops([
      'track',
      '--model',
      'heart',
      '--artifacts',
      'out/model.onnx',
      '--metrics',
      'out/metrics.jsonl',
      '--run-record',
      '.mlops/runs/heart.json',
      '--open-pr',
      'false',
      '--json',
    ]);
    expect(tracked.code, tracked.log).toBe(0);
    expect(JSON.parse(tracked.out)).toMatchObject({ version: 1, created: true, branch: 'mlops/heart/v1' });
    const store = join(r.clone, '.mlops/artifacts');
    expect(existsSync(store)).toBe(true);
    const onnx = createHash('sha256')
      .update(readFileSync(join(r.clone, 'out/model.onnx')))
      .digest('hex');
    expect(readdirSync(store, { recursive: true }).map(String)).toContain(
      `sha256/${onnx.slice(0, 2)}/${onnx}`,
    );
  });

  it('selectArtifacts refuses two files with one name, saying how track names artifacts', () => {
    for (const d of ['out/a', 'out/b']) {
      const dir = join(r.clone, d);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'model.onnx'), d);
    }
    let err: unknown;
    try {
      selectArtifacts(['out/*/model.onnx'], r.clone);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    const message = (err as Error).message;
    expect(message).toBe(
      "artifacts 'out/a/model.onnx' and 'out/b/model.onnx' would both be named 'model.onnx' in the version (track names each artifact by its file name); narrow the globs so they select one of them, or rename one file.",
    );
    expect(message).not.toMatch(/PATH=NAME/);
  });
});
