/**
 * `npm run bench`: registry read times at scale, printed as ratios to the target (1 s per command at
 * 10 000 versions) and to the reference figure (GTO, the Git-tag registry: ~6 s per command at ~1 500 tags).
 *
 * Builds 100 models x 100 versions with `git fast-import` (one commit per registration and one per
 * champion move, interleaved across models so every model's history spans the whole log), then times
 * `mlops list`, `mlops show <model>@champion` and `mlops history <model>` in-process (median of 5 runs).
 * The start-up of the `mlops` process (`node bin/mlops.js --help`: Node, tsx, imports) is timed separately
 * and shown in its own column, with the total a person waits. The commit-graph upkeep a write adds
 * (`registry/graph.ts`: one full write, then an incremental layer) is timed too.
 * Options: `--models N --versions N --runs N --keep --registry-only`. Then the drift benchmark (`bench/drift.ts`):
 * `--drift-rows N --drift-features N` (default 1 000 000 x 50).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { main } from '../cli/main.ts';
import { silentLogger } from '../core/logger.ts';
import { Git } from '../registry/git.ts';
import { upkeepCommitGraph } from '../registry/graph.ts';
import { benchEvaluate } from './evaluate.ts';
import { benchDrift } from './drift.ts';

const TARGET_S = 1;
const GTO_S = 6;

function sh(cwd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn('git', args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => {
      out += d;
    });
    c.stderr.on('data', (d) => {
      err += d;
    });
    c.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`git ${args[0]}: ${err}`))));
    c.stdin.end(input ?? '');
  });
}

/** A fast-import stream for `models` x `versions`. */
function stream(models: number, versions: number): string {
  const parts: string[] = [];
  let mark = 0;
  let time = 1_700_000_000;
  const file = (path: string, content: string) =>
    `M 100644 inline ${path}\ndata ${Buffer.byteLength(content)}\n${content}\n`;
  const commit = (message: string, files: string[]) => {
    mark++;
    time += 60;
    const from = mark > 1 ? `from :${mark - 1}\n` : '';
    parts.push(
      `commit refs/heads/main\nmark :${mark}\ncommitter Bench <bench@example.com> ${time} +0000\ndata ${Buffer.byteLength(message)}\n${message}\n${from}${files.join('')}\n`,
    );
  };
  const name = (m: number) => `model-${String(m).padStart(3, '0')}`;
  for (let m = 0; m < models; m++) {
    const spec = {
      name: name(m),
      task: 'binary',
      primary_metric: { name: 'roc_auc', direction: 'maximize' },
    };
    commit(`${name(m)}: create model\n`, [
      file(`models/${name(m)}/model.yaml`, stringify(spec)),
      file(`models/${name(m)}/aliases.yaml`, stringify({ aliases: {}, archived: [] })),
    ]);
  }
  for (let v = 1; v <= versions; v++) {
    for (let m = 0; m < models; m++) {
      const record = {
        model: name(m),
        version: v,
        created: new Date(time * 1000).toISOString(),
        created_by: 'Bench',
        source: { commit: '0'.repeat(40), dirty: false },
        params: { l2: 0.01, epochs: v },
        metrics: { roc_auc: 0.7 + (v % 30) / 100, accuracy: 0.8 },
        data: [],
        environment: {},
        artifacts: [
          {
            path: 'model.onnx',
            uri: `file:///store/sha256/00/${'0'.repeat(64)}`,
            sha256: '0'.repeat(64),
            bytes: 1234,
          },
        ],
      };
      const dir = `models/${name(m)}/versions/v${v}`;
      commit(`${name(m)}: register v${v}\n\nMlops-Event: registered ${name(m)} v${v}\n`, [
        file(`${dir}/version.yaml`, stringify(record)),
        file(`${dir}/card.md`, `---\nlibrary_name: onnx\n---\n\n# ${name(m)} v${v}\n`),
      ]);
      if (v % 10 === 0) {
        const from = v === 10 ? '' : `v${v - 10} -> `;
        const type = v === 10 ? 'alias_set' : 'alias_moved';
        commit(`${name(m)}: champion v${v}\n\nMlops-Event: ${type} ${name(m)} champion ${from}v${v}\n`, [
          file(`models/${name(m)}/aliases.yaml`, stringify({ aliases: { champion: v }, archived: [] })),
        ]);
      }
    }
  }
  return parts.join('');
}

async function time(runs: number, argv: string[], cwd: string): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const code = await main(argv, { cwd, log: silentLogger, out: () => {}, env: process.env });
    samples.push((performance.now() - t0) / 1000);
    if (code !== 0) throw new Error(`mlops ${argv.join(' ')} exited ${code}`);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/** Median wall time of `node bin/mlops.js --help` in a new process: what every CLI call pays before its work. */
async function startup(runs: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const c = spawn(process.execPath, ['bin/mlops.js', '--help'], { stdio: 'ignore' });
      c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`mlops --help exited ${code}`))));
    });
    samples.push((performance.now() - t0) / 1000);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

async function bench(): Promise<void> {
  const { values } = parseArgs({
    options: {
      models: { type: 'string' },
      versions: { type: 'string' },
      runs: { type: 'string' },
      keep: { type: 'boolean' },
      'registry-only': { type: 'boolean' },
      'drift-rows': { type: 'string' },
      'drift-features': { type: 'string' },
      'eval-rows': { type: 'string' },
      'eval-onnx-rows': { type: 'string' },
      'eval-resamples': { type: 'string' },
    },
  });
  const models = Number(values.models ?? 100);
  const versions = Number(values.versions ?? 100);
  const runs = Number(values.runs ?? 5);
  const dir = await mkdtemp(join(tmpdir(), 'mlops-bench-'));
  try {
    const t0 = performance.now();
    await sh(dir, ['init', '-q', '--initial-branch=main']);
    await sh(dir, ['fast-import', '--quiet'], stream(models, versions));
    await sh(dir, ['checkout', '-q', 'main']);
    const commits = (await sh(dir, ['rev-list', '--count', 'main'])).trim();
    const build = (performance.now() - t0) / 1000;
    const total = models * versions;
    console.log(
      `Registry: ${models} models x ${versions} versions = ${total} versions, ${commits} commits (built in ${build.toFixed(1)} s)`,
    );
    console.log(
      `Target: ${TARGET_S} s per command; reference: GTO ~${GTO_S} s per command at ~1 500 tags.\n`,
    );
    const model = `model-${String(Math.floor(models / 2)).padStart(3, '0')}`;
    const cases: [string, string[]][] = [
      ['list', ['list']],
      [`show ${model}@champion`, ['show', `${model}@champion`]],
      [`history ${model}`, ['history', model]],
    ];
    const start = await startup(runs);
    const rows: string[][] = [
      ['command', 'in-process', 'start-up', 'total', 'total / target', 'total / GTO'],
    ];
    const totals: number[] = [];
    const measure = async (label: string) => {
      for (const [name, argv] of cases) {
        const s = await time(runs, argv, dir);
        totals.push(s + start);
        rows.push([
          `${name}${label}`,
          `${s.toFixed(3)} s`,
          `${start.toFixed(3)} s`,
          `${(s + start).toFixed(3)} s`,
          `${((s + start) / TARGET_S).toFixed(3)}x`,
          `${((s + start) / GTO_S).toFixed(3)}x`,
        ]);
      }
    };
    await measure('');
    const g = new Git(dir);
    let t = performance.now();
    await upkeepCommitGraph(g, 'main', 'full');
    const full = (performance.now() - t) / 1000;
    await measure(' (commit-graph)');
    await sh(dir, ['commit', '-q', '--allow-empty', '-m', 'one more registry write']);
    t = performance.now();
    const kind = await upkeepCommitGraph(g, 'main', 'incremental');
    const incremental = (performance.now() - t) / 1000;
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join('   '));
    const worst = Math.max(...totals);
    console.log(
      `\nSlowest command, start-up included: ${(worst / TARGET_S).toFixed(3)}x the ${TARGET_S} s target (${worst <= TARGET_S ? 'within' : 'OVER'} target).`,
    );
    console.log(
      `Commit-graph upkeep after a write: first full write ${full.toFixed(3)} s (once), then ${kind} layer ${incremental.toFixed(3)} s per write.`,
    );
    if (values.keep) console.log(`Kept: ${dir}`);
    if (values['registry-only']) return;
    await benchDrift({
      rows: Number(values['drift-rows'] ?? 1_000_000),
      features: Number(values['drift-features'] ?? 50),
      keep: values.keep,
    });
    await benchEvaluate({
      rows: Number(values['eval-rows'] ?? 1_000_000),
      onnxRows: Number(values['eval-onnx-rows'] ?? 1_000_000),
      resamples: Number(values['eval-resamples'] ?? 20),
    });
  } finally {
    if (!values.keep) await rm(dir, { recursive: true, force: true });
  }
}

await bench();
