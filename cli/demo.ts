/**
 * `mlops demo`: the lifecycle on embedded defaults (a temporary Git repository with a local bare remote,
 * a local artifact directory), as a list of steps. Each step runs real `mlops` commands and prints them
 * with their output. Other parts of the lifecycle (evaluate, promote gate, drift) add their own steps.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../core/logger.ts';
import { Git } from '../registry/git.ts';

/** What every demo step can use. */
export interface DemoContext {
  /** Temporary folder holding everything. */
  root: string;
  /** The user's repository (a clone of `remote`). */
  repo: string;
  /** The bare remote standing in for GitHub. */
  remote: string;
  /** The local artifact store directory. */
  store: string;
  /** Run an `mlops` command in the repository; prints `$ mlops …` and its output; returns the exit code. */
  mlops(argv: string[]): Promise<number>;
  /** Write a file in the repository's scratch folder (`<repo>/work/`, untracked) and return its path relative to the repo. */
  scratch(name: string, content: string): Promise<string>;
  out(text: string): void;
  log: Logger;
}

/** One step of the demo. */
export interface DemoStep {
  title: string;
  run(ctx: DemoContext): Promise<void>;
}

async function expectOk(ctx: DemoContext, argv: string[]): Promise<void> {
  const code = await ctx.mlops(argv);
  if (code !== 0) throw new Error(`demo step 'mlops ${argv.join(' ')}' exited ${code}`);
}

/** The registry part of the lifecycle: init, two versions, a promotion, a rollback, the history. */
export const registrySteps: DemoStep[] = [
  {
    title: 'Create a model in the registry',
    run: (ctx) =>
      expectOk(ctx, ['init', 'churn', '--task', 'binary', '--metric', 'roc_auc', '--store', ctx.store]),
  },
  {
    title: 'Register version 1 (artifacts go to the store, the record to Git)',
    run: async (ctx) => {
      const model = await ctx.scratch(
        'v1/model.json',
        JSON.stringify({ weights: [0.4, -1.2, 0.7], bias: 0.1 }),
      );
      const metrics = await ctx.scratch(
        'v1/metrics.json',
        JSON.stringify({ roc_auc: 0.842, accuracy: 0.79 }),
      );
      const params = await ctx.scratch('v1/params.json', JSON.stringify({ l2: 0.01, epochs: 20 }));
      await expectOk(ctx, [
        'register',
        'churn',
        '--artifact',
        model,
        '--metrics',
        metrics,
        '--params',
        params,
        '--description',
        'baseline logistic regression',
      ]);
    },
  },
  {
    title: 'Promote v1 to champion',
    run: (ctx) => expectOk(ctx, ['promote', 'churn', 'v1', '--reason', 'first model']),
  },
  {
    title: 'Register version 2',
    run: async (ctx) => {
      const model = await ctx.scratch(
        'v2/model.json',
        JSON.stringify({ weights: [0.5, -1.1, 0.9, 0.2], bias: 0.05 }),
      );
      const metrics = await ctx.scratch(
        'v2/metrics.json',
        JSON.stringify({ roc_auc: 0.871, accuracy: 0.81 }),
      );
      await expectOk(ctx, [
        'register',
        'churn',
        '--artifact',
        model,
        '--metrics',
        metrics,
        '--description',
        'added tenure feature',
      ]);
    },
  },
  {
    title: 'Promote v2 (v1 is archived)',
    run: (ctx) => expectOk(ctx, ['promote', 'churn', 'v2', '--reason', 'higher roc_auc']),
  },
  {
    title: 'Roll back: v2 misbehaves in production',
    run: (ctx) => expectOk(ctx, ['rollback', 'churn', '--reason', 'complaints about v2']),
  },
  { title: 'Show the champion', run: (ctx) => expectOk(ctx, ['show', 'churn@champion']) },
  { title: 'Read the history back from Git', run: (ctx) => expectOk(ctx, ['history', 'churn']) },
  { title: 'List the registry', run: (ctx) => expectOk(ctx, ['list']) },
];

/** Create the demo's repository: a bare remote, a clone with an initial commit on main, a store folder. */
export async function createDemoRepo(): Promise<Pick<DemoContext, 'root' | 'repo' | 'remote' | 'store'>> {
  const root = await mkdtemp(join(tmpdir(), 'mlops-demo-'));
  const remote = join(root, 'remote.git');
  const repo = join(root, 'repo');
  const store = join(root, 'artifact-store');
  await mkdir(repo);
  await new Git(root).run(['init', '-q', '--bare', '--initial-branch=main', remote]);
  const git = new Git(repo);
  await git.run(['init', '-q', '--initial-branch=main']);
  for (const [k, v] of [
    ['user.name', 'Demo User'],
    ['user.email', 'demo@example.com'],
    ['commit.gpgsign', 'false'],
  ]) {
    await git.run(['config', k, v]);
  }
  await git.run(['remote', 'add', 'origin', remote]);
  await writeFile(join(repo, 'README.md'), '# churn-prediction\n');
  await writeFile(join(repo, '.gitignore'), 'work/\n');
  await git.run(['add', 'README.md', '.gitignore']);
  await git.run(['commit', '-q', '-m', 'initial commit']);
  await git.run(['push', '-q', '-u', 'origin', 'main']);
  return { root, repo, remote, store };
}

/** Run the steps in a fresh demo repository; returns the exit code (0 when every step passed). */
export async function runDemo(opts: {
  steps: DemoStep[];
  runCli: (argv: string[], cwd: string) => Promise<number>;
  out: (text: string) => void;
  log: Logger;
  clean?: boolean;
}): Promise<number> {
  const base = await createDemoRepo();
  const ctx: DemoContext = {
    ...base,
    out: opts.out,
    log: opts.log,
    mlops: (argv) => {
      opts.out(`$ mlops ${argv.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
      return opts.runCli(argv, base.repo);
    },
    scratch: async (name, content) => {
      const path = join(base.repo, 'work', name);
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, content);
      return join('work', name);
    },
  };
  opts.out(`Demo repository: ${base.repo} (remote ${base.remote}, artifacts in ${base.store})`);
  try {
    for (const [i, step] of opts.steps.entries()) {
      opts.out(`\n== ${i + 1}. ${step.title}`);
      await step.run(ctx);
    }
  } catch (err) {
    opts.log.error((err as Error).message);
    return 1;
  } finally {
    if (opts.clean) await rm(base.root, { recursive: true, force: true });
  }
  opts.out(
    [
      '',
      'Where everything went:',
      `  registry files   ${base.repo}/models/churn/ (model.yaml, aliases.yaml, versions/v1, versions/v2)`,
      `  generated pages  ${base.repo}/models/README.md and models/churn/README.md (Mermaid chart, alias timeline)`,
      `  artifacts        ${base.store}/sha256/…`,
      `  pushed to        ${base.remote} (branch main, version refs refs/mlops/versions/churn/v*)`,
      opts.clean ? '  (removed: --clean)' : `  Look around: cd ${base.repo} && git log --stat`,
    ].join('\n'),
  );
  return 0;
}
