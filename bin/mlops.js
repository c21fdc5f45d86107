#!/usr/bin/env node
// The `mlops` command. Runs a bundle of cli/main.ts (built with esbuild on first use and whenever a source file is
// newer, in about a second), so that each command starts in a fraction of a second instead of compiling every
// TypeScript file. Without esbuild (a production-only install) it runs the sources through tsx instead.
//
// The bundle lives two folders below the package root (.cache/cli/), like the sources (cli/demo/), so the few
// `new URL('../../…', import.meta.url)` paths in the sources resolve to the same files either way.
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, '.cache', 'cli', 'mlops.mjs');
const SOURCES = [
  'core',
  'registry',
  'tables',
  'github',
  'stats',
  'onnx',
  'cli',
  'actions',
  'examples/trainer',
];

function newestSource(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'dist' || e.name === '_shared' || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

async function ensureBundle() {
  const built = existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
  if (built && SOURCES.every((d) => newestSource(join(root, d)) <= built)) return true;
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return false;
  }
  mkdirSync(dirname(bundle), { recursive: true });
  const temp = `${bundle}.${process.pid}.tmp`;
  await esbuild.build({
    entryPoints: [join(root, 'cli', 'main.ts')],
    outfile: temp,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['onnxruntime-node', 'esbuild'],
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    logLevel: 'error',
  });
  renameSync(temp, bundle);
  return true;
}

let main;
if (await ensureBundle()) {
  ({ main } = await import(pathToFileURL(bundle).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
