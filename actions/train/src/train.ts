/**
 * The train capability: capture the environment, hash the data, restore the checkpoint, run the command
 * while following its metrics and syncing its checkpoints, then write the run record and the job summary.
 * The action and `mlops train` both call `train()`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Clock } from '../../../core/clock.ts';
import { messageOf, UsageError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/logger.ts';
import { parseModelSpec } from '../../../registry/schema.ts';
import type { ArtifactStore } from '../../../registry/stores/types.ts';
import type { DataInput, EnvironmentRecord, VersionSource } from '../../../registry/types.ts';
import { CheckpointSync, checkpointPrefix, restoreCheckpoint } from './checkpoint.ts';
import { runCommand } from './command.ts';
import { hashDataInputs } from './data.ts';
import { captureEnvironment } from './environment.ts';
import { MetricsFollower } from './follow.ts';
import { type MetricPoint, readMetrics } from './metrics.ts';
import { trainSummary } from './summary.ts';

/** Everything `train` is asked to do (parsed once from action inputs or CLI flags). */
export interface TrainOptions {
  model: string;
  command: string;
  /** Where the command runs; other relative paths resolve against it. */
  workingDir: string;
  timeoutMs?: number;
  requireGpu: boolean;
  /** Training data to hash: files, directories or `s3://` prefixes. */
  data: string[];
  /** Directory the command writes checkpoints to (restored before, synced during and after). */
  checkpointDir?: string;
  checkpointIntervalMs: number;
  /** Shared by re-runs of the same job; defaults to workflow + job + run id, or `local`. */
  resumeKey?: string;
  /** Artifact store URI; defaults to `artifact_store` of `<registryRoot>/<model>/model.yaml`. */
  store?: string;
  registryRoot: string;
  /** JSON Lines file or DVCLive directory the command writes. */
  metrics?: string;
  /** Where to write the run record. Defaults to `<workingDir>/.mlops/runs/<model>.json`. */
  runRecord?: string;
  killGraceMs?: number;
}

/** The seams `train` uses. */
export interface TrainDeps {
  log: Logger;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  openStore: (uri: string) => ArtifactStore;
  /** Metrics poll interval. Defaults to 2000 ms. */
  pollMs?: number;
}

/** The run record `track` reads: how the run went and what it ran on and with. */
export interface RunRecord {
  model: string;
  command: string;
  started: string;
  finished: string;
  duration_s: number;
  exit_code: number;
  timed_out: boolean;
  signal?: string;
  source: VersionSource;
  environment: EnvironmentRecord;
  data: DataInput[];
  metrics: Record<string, number>;
  metrics_path?: string;
  checkpoint?: { uri: string; resume_key: string; restored: boolean; syncs: number };
}

/** What `train` returns. */
export interface TrainResult {
  exitCode: number;
  record: RunRecord;
  recordPath: string;
  summary: string;
  history: MetricPoint[];
}

/** The default resume key: the same for every attempt of one job in one workflow run. */
export function defaultResumeKey(env: NodeJS.ProcessEnv): string {
  if (!env.GITHUB_RUN_ID) return 'local';
  return [env.GITHUB_WORKFLOW, env.GITHUB_JOB, env.GITHUB_RUN_ID].filter(Boolean).join('-');
}

function sourceFromEnv(env: NodeJS.ProcessEnv): VersionSource {
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  return {
    ...(env.GITHUB_REPOSITORY ? { repository: env.GITHUB_REPOSITORY } : {}),
    ...(env.GITHUB_SHA ? { commit: env.GITHUB_SHA } : {}),
    ...(env.GITHUB_REF ? { ref: env.GITHUB_REF } : {}),
    ...(env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? { run_url: `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` }
      : {}),
    dirty: false,
  };
}

function storeUri(opts: TrainOptions): string {
  if (opts.store) return opts.store;
  const specPath = resolve(opts.workingDir, opts.registryRoot, opts.model, 'model.yaml');
  const spec = existsSync(specPath) ? parseModelSpec(readFileSync(specPath, 'utf8'), specPath) : undefined;
  if (spec?.artifact_store) return spec.artifact_store;
  throw new UsageError(
    `checkpoint-dir needs an artifact store: give 'store' (a path, file://… or s3://bucket/prefix) or set artifact_store in ${specPath}.`,
  );
}

/** Run a training command with environment capture, data hashing, checkpoint sync and metrics following. */
export async function train(opts: TrainOptions, deps: TrainDeps): Promise<TrainResult> {
  const { log } = deps;
  const started = deps.clock();
  const environment = await captureEnvironment({ workingDir: opts.workingDir, env: deps.env });
  const gpus = (environment.gpus ?? []).map((g) => g.name);
  if (opts.requireGpu && gpus.length === 0) {
    throw new UsageError(
      "require-gpu is true but no GPU is visible ('nvidia-smi' missing or listing none); the command was not started.",
    );
  }
  log.info(
    `environment: ${environment.os}; ${environment.cpu}; ${gpus.length ? `GPUs: ${gpus.join(', ')}` : 'no GPU'}${environment.cuda ? `; CUDA ${environment.cuda}` : ''}`,
  );
  const data = await hashDataInputs(opts.data, { cwd: opts.workingDir, openStore: deps.openStore });
  for (const d of data)
    log.info(
      `data ${d.uri}: sha256 ${d.sha256} (${d.bytes} bytes${d.rows !== undefined ? `, ${d.rows} rows` : ''})`,
    );

  let sync: CheckpointSync | undefined;
  let checkpoint: RunRecord['checkpoint'];
  if (opts.checkpointDir) {
    const store = deps.openStore(storeUri(opts));
    const resumeKey = opts.resumeKey ?? defaultResumeKey(deps.env);
    const prefix = checkpointPrefix(opts.model, resumeKey);
    const dir = resolve(opts.workingDir, opts.checkpointDir);
    await mkdir(dir, { recursive: true });
    const restored = await restoreCheckpoint({ store, prefix, dir });
    if (restored.corrupted)
      log.warn(`the checkpoint in the store is corrupted (${restored.corrupted}); training starts clean`);
    else if (restored.restored)
      log.info(`restored ${restored.files} checkpoint file(s) from ${store.baseUri}/${prefix}`);
    else log.info(`no checkpoint for resume key '${resumeKey}' yet; training starts clean`);
    sync = new CheckpointSync({ store, prefix, dir, log, previous: restored.manifest?.files });
    checkpoint = {
      uri: `${store.baseUri}/${prefix}`,
      resume_key: resumeKey,
      restored: restored.restored,
      syncs: 0,
    };
  }

  const metricsPath = opts.metrics ? resolve(opts.workingDir, opts.metrics) : undefined;
  // One warning per skipped line or value, whether the live follower or the final read finds it first.
  const skipped = new Set<string>();
  const onSkip = (message: string) => {
    if (skipped.has(message)) return;
    skipped.add(message);
    log.warn(`metrics: ${message}`);
  };
  const follower = metricsPath
    ? new MetricsFollower({ path: metricsPath, log, pollMs: deps.pollMs, onSkip })
    : undefined;
  follower?.start();
  const interval = sync
    ? setInterval(() => void sync.sync('interval'), opts.checkpointIntervalMs)
    : undefined;
  log.info(`running: ${opts.command}`);
  const result = await runCommand({
    command: opts.command,
    cwd: opts.workingDir,
    env: deps.env,
    log,
    timeoutMs: opts.timeoutMs,
    killGraceMs: opts.killGraceMs,
    onStart: (pid) => log.info(`command started (pid ${pid})`),
    onSignal: (sig) => void sync?.sync(sig),
  }).finally(() => {
    if (interval) clearInterval(interval);
    follower?.stop();
  });
  if (sync && checkpoint) {
    await sync.sync(result.forwarded ?? 'end of run');
    checkpoint.syncs = sync.syncs;
  }

  let history: MetricPoint[] = [];
  let final: Record<string, number> = {};
  if (metricsPath && existsSync(metricsPath)) {
    try {
      ({ history, final } = readMetrics(metricsPath, { onSkip }));
    } catch (err) {
      log.warn(messageOf(err));
    }
  } else if (metricsPath) {
    log.warn(`the command wrote no metrics at '${opts.metrics}'`);
  }
  const finished = deps.clock();
  const record: RunRecord = {
    model: opts.model,
    command: opts.command,
    started: started.toISOString(),
    finished: finished.toISOString(),
    duration_s: (finished.getTime() - started.getTime()) / 1000,
    exit_code: result.exitCode,
    timed_out: result.timedOut,
    ...(result.signal ? { signal: result.signal } : {}),
    source: sourceFromEnv(deps.env),
    environment,
    data,
    metrics: final,
    ...(opts.metrics ? { metrics_path: opts.metrics } : {}),
    ...(checkpoint ? { checkpoint } : {}),
  };
  const recordPath = resolve(
    opts.workingDir,
    opts.runRecord ?? join('.mlops', 'runs', `${opts.model.replace(/\//g, '__')}.json`),
  );
  await mkdir(dirname(recordPath), { recursive: true });
  await writeFile(recordPath, `${JSON.stringify(record, null, 2)}\n`);
  const summary = trainSummary({
    model: opts.model,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    durationMs: result.durationMs,
    ...(checkpoint?.restored ? { resumedFrom: checkpoint.uri } : {}),
    history,
    final,
    gpus,
  });
  if (result.timedOut) log.error(`the training command timed out after ${opts.timeoutMs} ms`);
  else if (result.exitCode !== 0) log.error(`the training command exited with code ${result.exitCode}`);
  return { exitCode: result.exitCode, record, recordPath, summary, history };
}
