import { cpSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type ExecFn, loadOnnxRuntime, ONNXRUNTIME_VERSION, runtimeCacheDir } from '../../onnx/runtime.ts';

const root = new URL('../../', import.meta.url).pathname;

/** Stands in for `npm install`: copies the locally installed packages into `--prefix`. */
function fakeNpm(calls: string[][]): ExecFn {
  return async (_cmd, args) => {
    calls.push(args);
    const prefix = args[args.indexOf('--prefix') + 1];
    for (const pkg of ['onnxruntime-node', 'onnxruntime-common']) {
      mkdirSync(join(prefix, 'node_modules'), { recursive: true });
      cpSync(join(root, 'node_modules', pkg), join(prefix, 'node_modules', pkg), { recursive: true });
    }
  };
}

describe('onnx/runtime', () => {
  it('loadOnnxRuntime installs the pinned version into the tool cache once when none is next to the code', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'mlops-toolcache-'));
    const away = pathToFileURL(join(mkdtempSync(join(tmpdir(), 'mlops-action-')), 'index.js')).href;
    const calls: string[][] = [];
    const env = { RUNNER_TOOL_CACHE: cache };
    const ort = await loadOnnxRuntime({ from: away, env, exec: fakeNpm(calls) });
    expect(typeof ort.InferenceSession.create).toBe('function');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual(
      expect.arrayContaining([`onnxruntime-node@${ONNXRUNTIME_VERSION}`, '--ignore-scripts']),
    );
    expect(existsSync(join(runtimeCacheDir(env), '.complete'))).toBe(true);
    await loadOnnxRuntime({ from: away, env, exec: fakeNpm(calls) });
    expect(calls).toHaveLength(1);
  });

  it('loadOnnxRuntime uses the copy next to the code without installing', async () => {
    const calls: string[][] = [];
    await loadOnnxRuntime({ env: { RUNNER_TOOL_CACHE: '/nonexistent' }, exec: fakeNpm(calls) });
    expect(calls).toHaveLength(0);
  });

  it('loadOnnxRuntime refuses an MLOPS_ONNXRUNTIME_PATH without the package', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'mlops-empty-'));
    await expect(loadOnnxRuntime({ env: { MLOPS_ONNXRUNTIME_PATH: empty } })).rejects.toThrow(
      /MLOPS_ONNXRUNTIME_PATH/,
    );
  });
});
