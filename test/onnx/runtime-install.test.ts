import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../onnx/infer.ts';
import { loadOnnxRuntime, ONNXRUNTIME_VERSION, runtimeCacheDir } from '../../onnx/runtime.ts';
import { writeLinearModel } from '../../onnx/write.ts';
import { ColumnTable } from '../../tables/index.ts';

const root = realpathSync(new URL('../../', import.meta.url).pathname);
const work = mkdtempSync(join(tmpdir(), 'mlops-ort-install-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('onnx/runtime real install', () => {
  it('loadOnnxRuntime installs the pinned onnxruntime-node with real npm into the tool cache and runs a model from it', async () => {
    const cache = join(work, 'toolcache');
    // An action folder with no node_modules anywhere above it: nothing can be resolved next to the code.
    const away = pathToFileURL(join(mkdtempSync(join(work, 'action-')), 'index.js')).href;
    const { MLOPS_ONNXRUNTIME_PATH: _, ...rest } = process.env;
    const env = { ...rest, RUNNER_TOOL_CACHE: cache };
    const ort = await loadOnnxRuntime({ from: away, env });

    // The module returned is the tool-cache copy: the same object that path resolves to, and the only
    // onnxruntime-node this process loaded (this file never loads the repository's node_modules copy).
    const dir = runtimeCacheDir(env);
    const fromCache = createRequire(pathToFileURL(join(dir, 'index.js')).href);
    expect(fromCache.resolve('onnxruntime-node')).toBe(
      join(realpathSync(dir), 'node_modules', 'onnxruntime-node', 'dist', 'index.js'),
    );
    expect(fromCache('onnxruntime-node')).toBe(ort);
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) =>
      k.includes('/node_modules/onnxruntime-node/'),
    );
    expect(loaded.length).toBeGreaterThan(0);
    expect(loaded.filter((k) => k.startsWith(`${root}/node_modules/`))).toEqual([]);
    expect(loaded.every((k) => k.startsWith(realpathSync(dir)))).toBe(true);
    const pkg = fromCache('onnxruntime-node/package.json') as { version: string };
    expect(pkg.version).toBe(ONNXRUNTIME_VERSION);

    // And it runs a model.
    const path = join(work, 'm.onnx');
    writeFileSync(
      path,
      writeLinearModel({ weights: [2, -1], bias: 0.5, kind: 'linear', featureNames: ['a', 'b'] }),
    );
    const m = await loadModel(path, { ort });
    const table = new ColumnTable(
      ['b', 'a'],
      new Map([
        ['b', [1, 0]],
        ['a', [3, -2]],
      ]),
      2,
    );
    const p = await m.predict(table);
    expect(p.task).toBe('regression');
    expect(p.scores).toEqual([5.5, -3.5]);
    await m.close();
  }, 60_000);
});
