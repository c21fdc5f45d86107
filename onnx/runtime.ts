/**
 * Finding the native ONNX Runtime binding at run time. esbuild cannot bundle it, so the bundled action
 * resolves `onnxruntime-node` next to itself when present, else installs the pinned version once into the
 * runner's tool cache (`npm install --ignore-scripts`) and loads it from there. See docs/onnx-runtime.md.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';

/** The onnxruntime-node version this toolkit is built and tested with (package.json pins the same). */
export const ONNXRUNTIME_VERSION = '1.31.1';

/** The onnxruntime-node module. */
export type OrtModule = typeof import('onnxruntime-node');

/** Runs a command (seam for tests); rejects on a non-zero exit. */
export type ExecFn = (
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
) => Promise<void>;

/** Where and how to find the runtime. */
export interface LoadRuntimeOptions {
  /** Resolve `onnxruntime-node` from here first (a file URL or path). Defaults to this module's location. */
  from?: string;
  /** Environment: `MLOPS_ONNXRUNTIME_PATH`, `RUNNER_TOOL_CACHE`, `RUNNER_TEMP`. Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  /** Command runner for `npm install`. Defaults to child_process.execFile. */
  exec?: ExecFn;
}

const defaultExec: ExecFn = (cmd, args, opts) =>
  new Promise((resolve, reject) => {
    execFile(cmd, args, { ...opts, maxBuffer: 64 * 1024 * 1024 }, (err, _out, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr || err.message}`)) : resolve(),
    );
  });

function tryRequire(from: string): OrtModule | undefined {
  try {
    return createRequire(from)('onnxruntime-node') as OrtModule;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}

/** The folder the runtime is installed into when it is not found next to the code. */
export function runtimeCacheDir(env: NodeJS.ProcessEnv, version = ONNXRUNTIME_VERSION): string {
  const base = env.RUNNER_TOOL_CACHE || env.RUNNER_TEMP || tmpdir();
  return join(base, 'mlops-onnxruntime', version);
}

/** Load onnxruntime-node: explicit path, next to the code, the tool cache, or a fresh pinned install there. */
export async function loadOnnxRuntime(opts: LoadRuntimeOptions = {}): Promise<OrtModule> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? silentLogger;
  const explicit = env.MLOPS_ONNXRUNTIME_PATH;
  if (explicit) {
    const mod = tryRequire(pathToFileURL(join(explicit, 'index.js')).href);
    if (!mod) {
      throw new UsageError(
        `MLOPS_ONNXRUNTIME_PATH '${explicit}' holds no node_modules/onnxruntime-node; expected a folder where \`npm install onnxruntime-node@${ONNXRUNTIME_VERSION}\` ran.`,
      );
    }
    return mod;
  }
  const near = tryRequire(opts.from ?? import.meta.url);
  if (near) return near;

  const dir = runtimeCacheDir(env);
  const anchor = pathToFileURL(join(dir, 'index.js')).href;
  if (existsSync(join(dir, '.complete'))) {
    const cached = tryRequire(anchor);
    if (cached) return cached;
  }
  log.info(`onnxruntime-node not found next to the action; installing ${ONNXRUNTIME_VERSION} into ${dir}`);
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  try {
    writeFileSync(join(staging, 'package.json'), '{"name":"mlops-onnxruntime","private":true}\n');
    await (opts.exec ?? defaultExec)(
      'npm',
      [
        'install',
        `onnxruntime-node@${ONNXRUNTIME_VERSION}`,
        '--ignore-scripts',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--omit=dev',
        '--prefix',
        staging,
      ],
      { cwd: staging, env: { ...env, ONNXRUNTIME_NODE_INSTALL: 'skip' } },
    );
    writeFileSync(join(staging, '.complete'), `${ONNXRUNTIME_VERSION}\n`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, '..'), { recursive: true });
    try {
      renameSync(staging, dir);
    } catch (err) {
      // Another job installed it at the same moment: use theirs.
      if (!existsSync(join(dir, '.complete'))) throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  const installed = tryRequire(anchor);
  if (!installed)
    throw new Error(`onnxruntime-node was installed into ${dir} but cannot be loaded from there.`);
  return installed;
}
