// Bundles every actions/<name>/src/index.ts into actions/<name>/dist/index.js, with code shared between
// actions split into actions/_shared/ (one copy in the repository instead of one per action).
// `--check` builds into a temporary folder and fails when the committed output differs.
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const check = process.argv.includes('--check');
const actions = readdirSync(join(root, 'actions'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, 'actions', d.name, 'src', 'index.ts')))
  .map((d) => d.name)
  .sort();

// Always build into a temporary folder first: a plain build then copies only changed files into place and removes stale
// ones afterwards, so a bundle that is running while tests rebuild never loses a chunk it is about to import.
const outdir = mkdtempSync(join(tmpdir(), 'mlops-dist-'));
const entryPoints = Object.fromEntries(
  actions.map((a) => [`${a}/dist/index`, join(root, 'actions', a, 'src', 'index.ts')]),
);

/** Files the build owns, relative to actions/. */
function outputs(dir) {
  const files = [];
  const walk = (d) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.push(relative(dir, p));
    }
  };
  for (const a of actions) walk(join(dir, a, 'dist'));
  walk(join(dir, '_shared'));
  return files.sort();
}

await build({
  entryPoints,
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  keepNames: true,
  legalComments: 'none',
  chunkNames: '_shared/[name]-[hash]',
  // The native ONNX Runtime binding cannot be bundled; actions/evaluate loads it at run time (see docs/onnx-runtime.md).
  external: ['onnxruntime-node'],
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  logLevel: 'warning',
});

if (check) {
  const fresh = outputs(outdir);
  const committed = outputs(join(root, 'actions'));
  const problems = [];
  for (const f of new Set([...fresh, ...committed])) {
    const a = join(outdir, f);
    const b = join(root, 'actions', f);
    if (!existsSync(b)) problems.push(`missing from the repository: actions/${f}`);
    else if (!existsSync(a)) problems.push(`not produced by the build: actions/${f}`);
    else if (!readFileSync(a).equals(readFileSync(b)))
      problems.push(`differs from a fresh build: actions/${f}`);
  }
  rmSync(outdir, { recursive: true, force: true });
  if (problems.length) {
    console.error(problems.join('\n'));
    console.error(
      '\nThe committed action bundles are out of date. Run `npm run build` and commit actions/*/dist and actions/_shared.',
    );
    process.exit(1);
  }
  console.log(`dist is up to date (${actions.length} actions)`);
} else {
  const target = join(root, 'actions');
  const fresh = outputs(outdir);
  let changed = 0;
  for (const f of fresh) {
    const from = join(outdir, f);
    const to = join(target, f);
    if (existsSync(to) && readFileSync(from).equals(readFileSync(to))) continue;
    mkdirSync(join(to, '..'), { recursive: true });
    cpSync(from, to);
    changed++;
  }
  const stale = outputs(target).filter((f) => !fresh.includes(f));
  for (const f of stale) rmSync(join(target, f));
  rmSync(outdir, { recursive: true, force: true });
  if (!process.argv.includes('--quiet')) {
    console.log(
      `built ${actions.length} actions (${actions.join(', ')}): ${changed} files written, ${stale.length} stale removed`,
    );
  }
}
