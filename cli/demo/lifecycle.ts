/**
 * The demo's lifecycle steps, each a thin call of the same function the action and the CLI call: `train`,
 * `track`, `evaluatePullRequest`, `runGate` + `finalise`, `runDrift`, `rollback`. GitHub is the LocalForge
 * (outbox files under `<repo>/.mlops/outbox/`, pull requests are local branches, approvals given here); the
 * retrain workflow the drift step dispatches is run here from the dispatch the LocalForge recorded.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDrift, type DriftOutcome } from '../../actions/drift/src/drift.ts';
import { type EvaluatePrResult, evaluatePullRequest } from '../../actions/evaluate/src/pull-request.ts';
import { finalise, type ModelFinalisation } from '../../actions/promote/src/finalise.ts';
import { type RunGateResult, runGate } from '../../actions/promote/src/gate-run.ts';
import { type RollbackOutcome, rollback } from '../../actions/promote/src/rollback.ts';
import { track } from '../../actions/track/src/track.ts';
import { train } from '../../actions/train/src/train.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import { marker } from '../../github/forge.ts';
import { LocalForge } from '../../github/local-forge.ts';
import { openRegistry, type Registry } from '../../registry/index.ts';
import { Git } from '../../registry/git.ts';
import { openStore } from '../../registry/stores/open.ts';
import type { VersionRecord } from '../../registry/types.ts';
import { readTable } from '../../tables/index.ts';
import { DEMO_MODEL, DEMO_OWNER, type DemoWorkspace } from './workspace.ts';

/** What every step uses: the workspace and the seams the actions take. */
export interface DemoEnv {
  ws: DemoWorkspace;
  /** The actions' own progress (shown with --verbose). */
  log: Logger;
  env: NodeJS.ProcessEnv;
  clock: Clock;
}

/** Who opens the promotion PRs (so the owner's approval counts: never the author's own). */
export const DEMO_BOT = 'mlops-bot';

const TRAINER = fileURLToPath(new URL('../../examples/trainer/run.mjs', import.meta.url));

function forge(d: DemoEnv, approvals: { reviewer: string; sha: string }[] = []): LocalForge {
  return new LocalForge({
    root: d.ws.repo,
    repository: 'demo/heart-risk',
    author: DEMO_BOT,
    approvals,
    logger: d.log,
    clock: d.clock,
  });
}

/** The outbox folder the LocalForge writes to. */
export function outboxOf(d: DemoEnv): string {
  return forge(d).outbox;
}

const store = (d: DemoEnv) => (uri: string) => openStore(uri, { cwd: d.ws.repo, env: d.env, log: d.log });

function registry(d: DemoEnv): Promise<Registry> {
  return openRegistry({ dir: d.ws.repo, log: d.log, clock: d.clock });
}

const git = (d: DemoEnv, ...args: string[]) => new Git(d.ws.repo).out(args);

/** One training run of the example trainer. */
export interface TrainRequest {
  /** The model to train and register. Default the demo model. */
  model?: string;
  /** Folder name under `work/` for the run's outputs. */
  name: string;
  data: string;
  /** Rows and generator seed of `data` (recorded as the trainer's params). */
  rows: number;
  seed: number;
  epochs: number;
  l2: number;
  description: string;
}

/** A candidate version with its promotion PR. */
export interface Candidate {
  version: number;
  pr: number;
  branch: string;
  record: VersionRecord;
  /** The trainer's last validation metrics. */
  metrics: Record<string, number>;
  recordPath: string;
}

/** train (the example trainer, real ONNX) then track (register on a branch, open the promotion PR). */
export async function trainAndTrack(d: DemoEnv, t: TrainRequest): Promise<Candidate> {
  const out = `work/${t.name}`;
  const model = t.model ?? DEMO_MODEL;
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const trained = await train(
    {
      model,
      command: [
        q(process.execPath),
        q(TRAINER),
        `--out ${out} --checkpoint-dir ${out}/checkpoints --data ${q(t.data)}`,
        `--rows ${t.rows} --seed ${t.seed} --epochs ${t.epochs} --l2 ${t.l2}`,
        // the trainer's per-epoch lines go to a file; the demo prints one line per step
        `> ${out}/train.log 2>&1`,
      ].join(' '),
      workingDir: d.ws.repo,
      requireGpu: false,
      data: [t.data],
      checkpointDir: `${out}/checkpoints`,
      checkpointIntervalMs: 60_000,
      resumeKey: `demo-${t.name}`,
      registryRoot: 'models',
      metrics: `${out}/metrics.jsonl`,
      runRecord: `${out}/run.json`,
    },
    { log: d.log, env: d.env, clock: d.clock, openStore: store(d), pollMs: 200 },
  );
  if (trained.exitCode !== 0) {
    const log = await readFile(join(d.ws.repo, out, 'train.log'), 'utf8').catch(() => '');
    const lines = log.trim().split('\n');
    const tail = lines
      .filter((l) => l.trim() && !/^\s+at /.test(l))
      .slice(-8)
      .join('\n  ');
    throw new Error(
      `the example trainer exited with code ${trained.exitCode}${tail ? `; the end of ${out}/train.log:\n  ${tail}` : ''}`,
    );
  }
  const tracked = await track(
    {
      model,
      workingDir: d.ws.repo,
      registryRoot: 'models',
      artifacts: [`${out}/model.onnx`],
      metrics: `${out}/dvclive`,
      runRecord: `${out}/run.json`,
      referenceData: `${out}/reference.csv`,
      alias: 'champion',
      description: t.description,
      openPr: true,
      labels: ['mlops:promotion'],
    },
    { log: d.log, env: d.env, clock: d.clock, forge: forge(d) },
  );
  if (!tracked.pr) throw new Error('track opened no promotion PR');
  return {
    version: tracked.version,
    pr: tracked.pr.number,
    branch: tracked.branch,
    record: tracked.record,
    metrics: trained.record.metrics,
    recordPath: trained.recordPath,
  };
}

/** An evaluation and where its comment went. */
export interface Evaluation extends EvaluatePrResult {
  commentFile?: string;
}

/**
 * Evaluate the PR's candidate against the champion on `data` (a held-out set), on a checkout of the PR head (as
 * the workflow does).
 */
export async function evaluatePr(d: DemoEnv, pr: number, data: string): Promise<Evaluation> {
  const f = forge(d);
  const head = (await f.getPullRequest(pr)).headRef;
  await git(d, 'checkout', '-q', head);
  let result: EvaluatePrResult;
  try {
    result = await evaluatePullRequest(
      {
        model: DEMO_MODEL,
        registryRoot: 'models',
        workingDir: d.ws.repo,
        candidate: { kind: 'pr' },
        alias: 'champion',
        pullRequest: pr,
        data,
        seed: 1,
        dropNa: false,
        comment: true,
      },
      {
        log: d.log,
        forge: f,
        openStore: store(d),
        readTable: (uri, o) => readTable(uri, { ...o, env: d.env }),
        tempDir: d.ws.root,
      },
    );
  } finally {
    await git(d, 'checkout', '-q', 'main');
  }
  return { ...result, commentFile: await commentFile(d, pr, marker('evaluate', DEMO_MODEL)) };
}

/** The outbox file of the comment carrying `mark` on `issue`. */
export async function commentFile(d: DemoEnv, issue: number, mark: string): Promise<string | undefined> {
  const dir = join(outboxOf(d), 'comments');
  for (const name of (await readdir(dir).catch(() => [])).filter((n) => n.startsWith(`${issue}-`))) {
    if ((await readFile(join(dir, name), 'utf8')).includes(mark)) return join(dir, name);
  }
  return undefined;
}

/** The gate's verdict and, when it passed, the merge and the finalisation. */
export interface Promotion {
  gate: RunGateResult;
  finalised: ModelFinalisation[];
}

/** Run the promotion gate with these approvers; when it passes, merge, push and finalise (tag, archive, comment). */
export async function gateAndFinalise(d: DemoEnv, pr: number, approvers: string[]): Promise<Promotion> {
  const head = (await forge(d).getPullRequest(pr)).headSha;
  const f = forge(
    d,
    approvers.map((reviewer) => ({ reviewer, sha: head })),
  );
  const before = await git(d, 'rev-parse', 'main');
  const gate = await runGate({
    forge: f,
    pr,
    root: 'models',
    reportAs: 'check',
    merge: true,
    mergeMethod: 'merge',
    log: d.log,
  });
  if (!gate.mergeSha) return { gate, finalised: [] };
  await git(d, 'push', '-q', 'origin', 'main');
  const reg = await registry(d);
  const finalised = await finalise({
    registry: reg,
    before: before.trim(),
    after: gate.mergeSha,
    openStore: async (uri) => store(d)(uri ?? d.ws.store),
    forge: f,
    log: d.log,
  });
  return { gate, finalised };
}

/**
 * Drift on the production window against the champion's reference profile; the retraining issue (opened, kept,
 * or closed after a clean run) and the retrain dispatch. The reports go to `.mlops/reports/<name>.html|md`.
 */
export async function driftCheck(d: DemoEnv, name: string): Promise<DriftOutcome & { htmlFile: string }> {
  const htmlFile = join(d.ws.repo, '.mlops', 'reports', `${name}.html`);
  const out = await runDrift(
    {
      model: DEMO_MODEL,
      workingDir: d.ws.repo,
      current: d.ws.data.production,
      reportHtml: htmlFile,
      reportMarkdown: join(d.ws.repo, '.mlops', 'reports', `${name}.md`),
      openIssue: true,
      retrain: { workflow: 'retrain.yml', ref: 'main', cooldownMs: 24 * 3600 * 1000 },
    },
    { log: d.log, clock: d.clock, forge: forge(d), openStore: store(d), env: d.env },
  );
  return { ...out, htmlFile };
}

/** A workflow dispatch as the LocalForge recorded it in `dispatches.json`. */
export interface RecordedDispatch {
  workflow: string;
  ref: string;
  inputs: Record<string, string>;
  /** ISO time of the dispatch. */
  at: string;
}

/** The dispatches the LocalForge recorded, oldest first. */
export async function recordedDispatches(d: DemoEnv): Promise<RecordedDispatch[]> {
  const text = await readFile(join(outboxOf(d), 'dispatches.json'), 'utf8').catch(() => '[]');
  return JSON.parse(text) as RecordedDispatch[];
}

/**
 * Run the retrain workflow for a recorded dispatch, as `retrain.yml` does: its `model` input picks the model
 * trained and registered, its `reason` and `issue` inputs become the version's description ("Retrained (reason),
 * drift issue N"); the training command and data are the caller's (here `t`).
 */
export async function retrain(
  d: DemoEnv,
  dispatch: RecordedDispatch,
  t: Omit<TrainRequest, 'model' | 'description'>,
): Promise<Candidate> {
  const { model, reason = 'manual', issue } = dispatch.inputs;
  if (!model) throw new Error(`the ${dispatch.workflow} dispatch of ${dispatch.at} carries no 'model' input`);
  const description = issue ? `Retrained (${reason}), drift issue ${issue}` : `Retrained (${reason})`;
  return trainAndTrack(d, { ...t, model, description });
}

/** Open the rollback PR (the same flow as a promotion, pointed at an older version). */
export async function openRollback(d: DemoEnv, to: number, reason: string): Promise<RollbackOutcome> {
  return rollback({
    registry: await registry(d),
    forge: forge(d),
    model: DEMO_MODEL,
    to,
    alias: 'champion',
    reason,
    direct: false,
    actor: DEMO_OWNER,
    openStore: async (uri) => store(d)(uri ?? d.ws.store),
    log: d.log,
  });
}

/** The model's history, newest first, read back from Git; plus the promotion tags. */
export async function historyOf(d: DemoEnv) {
  const reg = await registry(d);
  const events = await reg.history(DEMO_MODEL);
  const tags = (await git(d, 'tag', '--list', `${DEMO_MODEL}@*`)).split('\n').filter(Boolean);
  const aliases = await reg.aliases(DEMO_MODEL);
  return { events, tags, aliases };
}
