/**
 * Runs a bundled action the way the GitHub runner does: `node actions/<name>/dist/index.js` in a child process
 * under Node 24 from `.cache/node24` (as GitHub runs `node24` actions), inputs as `INPUT_<NAME>`, the runner's
 * `GITHUB_*` variables and file commands (`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`), and an event payload file.
 * Node 24 and the bundles are installed and built once per test run by test/support/build-actions.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The repository root. */
export const repoRoot = new URL('../../', import.meta.url).pathname;

/** What a run of an action produced. */
export interface ActionResult {
  /** Exit code (0 success, 1 failure, 2 bad input; `null` when killed). */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Step outputs written to `GITHUB_OUTPUT`. */
  outputs: Record<string, string>;
  /** What was appended to `GITHUB_STEP_SUMMARY`. */
  summary: string;
  /** The `::error::` / `::warning::` messages of the log (unescaped). */
  errors: string[];
  warnings: string[];
}

/** How to run one action. */
export interface RunActionOptions {
  /** The folder name under `actions/`. */
  action: string;
  /** Inputs by their action.yml name; become `INPUT_<NAME>` (uppercase, spaces → `_`, dashes kept). */
  inputs?: Record<string, string | number | boolean | undefined>;
  /** Extra or overriding environment (e.g. GITHUB_TOKEN, GITHUB_SHA). */
  env?: Record<string, string | undefined>;
  /** The triggering event: written to `GITHUB_EVENT_PATH`, name to `GITHUB_EVENT_NAME`. */
  event?: { name: string; payload: Record<string, unknown> };
  /** The workspace (`GITHUB_WORKSPACE`) and working directory. */
  cwd: string;
  /** The test GitHub server's URL, for `GITHUB_API_URL` (default https://api.github.com). */
  apiUrl?: string;
  /** Kill the run after this many milliseconds (default 60 000). */
  timeoutMs?: number;
  /** Run with this Node instead of Node 24. */
  node?: string;
  /** Run this already-built script instead of `actions/<action>/dist/index.js` (no build). */
  script?: string;
}

/**
 * The Node that runs bundles: Node 24 from `.cache/node24`, as on GitHub's runners. Throws when it is missing
 * (never a silent fallback to the current Node): the test global setup installs it.
 */
export function actionNode(): string {
  const node24 = join(repoRoot, '.cache/node24/bin/node');
  if (!existsSync(node24)) {
    throw new Error(
      `Node 24 is missing at ${node24}: run \`scripts/install-node24.sh\` (the test global setup does)`,
    );
  }
  return node24;
}

/** The `INPUT_*` variable the runner sets for an input name. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/**
 * Check that `actions/<action>/dist/index.js` exists. The bundles are built once per test run by the global setup
 * (`test/support/build-actions.ts`), never here: a rebuild while another worker runs a bundle could pull chunks
 * from under it.
 */
export function ensureBuilt(action: string): void {
  if (!existsSync(join(repoRoot, 'actions', action, 'src', 'index.ts'))) {
    throw new Error(`no action '${action}': actions/${action}/src/index.ts does not exist`);
  }
  if (!existsSync(join(repoRoot, 'actions', action, 'dist', 'index.js'))) {
    throw new Error(`actions/${action}/dist/index.js is missing: run \`npm run build\``);
  }
}

/** Parse a `GITHUB_OUTPUT` file (`name=value` lines and `name<<DELIM` heredocs). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1);
      out[heredoc[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

function unescapeCommand(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

/** Run an action as the runner does (see the module comment). */
export async function runAction(opts: RunActionOptions): Promise<ActionResult> {
  if (!opts.script) ensureBuilt(opts.action);
  const temp = mkdtempSync(join(tmpdir(), `mlops-run-${opts.action}-`));
  try {
    const outputFile = join(temp, 'output');
    const summaryFile = join(temp, 'summary');
    const eventFile = join(temp, 'event.json');
    for (const f of [outputFile, summaryFile]) writeFileSync(f, '');
    writeFileSync(eventFile, JSON.stringify(opts.event?.payload ?? {}));
    mkdirSync(join(temp, 'runner'));
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !/^(INPUT_|GITHUB_|RUNNER_|ACTIONS_)/.test(k)) env[k] = v;
    }
    Object.assign(env, {
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_EVENT_PATH: eventFile,
      GITHUB_EVENT_NAME: opts.event?.name ?? 'workflow_dispatch',
      GITHUB_REPOSITORY: 'octo-org/models',
      GITHUB_REPOSITORY_OWNER: 'octo-org',
      GITHUB_SHA: '0000000000000000000000000000000000000000',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_API_URL: opts.apiUrl ?? 'https://api.github.com',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_ACTOR: 'octocat',
      GITHUB_WORKFLOW: 'test',
      GITHUB_WORKSPACE: opts.cwd,
      GITHUB_TOKEN: 'ghs_harnessToken0123456789',
      RUNNER_TEMP: join(temp, 'runner'),
      RUNNER_OS: 'Linux',
      MLOPS_GITHUB_TIME_UNIT_MS: '10',
    });
    for (const [k, v] of Object.entries(opts.inputs ?? {}))
      if (v !== undefined) env[inputEnvName(k)] = String(v);
    for (const [k, v] of Object.entries(opts.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    const bundle = opts.script ?? join(repoRoot, 'actions', opts.action, 'dist', 'index.js');
    const { code, stdout, stderr } = await spawnCollect(opts.node ?? actionNode(), [bundle], {
      cwd: opts.cwd,
      env,
      timeoutMs: opts.timeoutMs ?? 60_000,
    });
    const commands = (kind: string) =>
      [...stdout.matchAll(new RegExp(`^::${kind}(?: [^:]*)?::(.*)$`, 'gm'))].map((m) =>
        unescapeCommand(m[1]),
      );
    return {
      code,
      stdout,
      stderr,
      outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
      summary: readFileSync(summaryFile, 'utf8'),
      errors: commands('error'),
      warnings: commands('warning'),
    };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

function spawnCollect(
  cmd: string,
  args: string[],
  o: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Fields for `githubEvent`; each event uses the ones it has. */
export interface EventFields {
  repository?: string;
  number?: number;
  headSha?: string;
  headRef?: string;
  baseRef?: string;
  author?: string;
  reviewer?: string;
  reviewState?: 'approved' | 'changes_requested' | 'commented';
  inputs?: Record<string, string>;
  ref?: string;
  schedule?: string;
}

/**
 * A trimmed but real-shaped event payload for `runAction({ event })`: `pull_request`, `pull_request_review`,
 * `push`, `schedule` or `workflow_dispatch`, with the fields the toolkit reads.
 */
export function githubEvent(
  name: 'pull_request' | 'pull_request_review' | 'push' | 'schedule' | 'workflow_dispatch',
  f: EventFields = {},
): { name: string; payload: Record<string, unknown> } {
  const full = f.repository ?? 'octo-org/models';
  const [owner, repoName] = full.split('/');
  const repository = { name: repoName, full_name: full, owner: { login: owner }, default_branch: 'main' };
  const sender = { login: f.author ?? 'octocat', type: 'User' };
  const pr = {
    number: f.number ?? 1,
    state: 'open',
    draft: false,
    title: 'Promote model',
    user: { login: f.author ?? 'octocat' },
    head: { ref: f.headRef ?? 'mlops/promote', sha: f.headSha ?? '1'.repeat(40), repo: { full_name: full } },
    base: { ref: f.baseRef ?? 'main', sha: '2'.repeat(40), repo: { full_name: full } },
    labels: [],
  };
  switch (name) {
    case 'pull_request':
      return {
        name,
        payload: { action: 'synchronize', number: pr.number, pull_request: pr, repository, sender },
      };
    case 'pull_request_review':
      return {
        name,
        payload: {
          action: 'submitted',
          review: {
            user: { login: f.reviewer ?? 'reviewer' },
            state: f.reviewState ?? 'approved',
            commit_id: pr.head.sha,
          },
          pull_request: pr,
          repository,
          sender: { login: f.reviewer ?? 'reviewer', type: 'User' },
        },
      };
    case 'push':
      return {
        name,
        payload: {
          ref: f.ref ?? 'refs/heads/main',
          before: '0'.repeat(40),
          after: f.headSha ?? '1'.repeat(40),
          repository,
          sender,
        },
      };
    case 'schedule':
      return { name, payload: { schedule: f.schedule ?? '0 6 * * *' } };
    case 'workflow_dispatch':
      return {
        name,
        payload: {
          inputs: f.inputs ?? {},
          ref: f.ref ?? 'refs/heads/main',
          repository,
          sender,
          workflow: '.github/workflows/retrain.yml',
        },
      };
  }
}
