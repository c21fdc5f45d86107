/**
 * The track capability: turn a finished run into a candidate version and open its promotion PR.
 * Everything that can be refused (metrics, artifacts, ONNX, run record, reference data, model spec) is
 * checked before anything is uploaded or committed. The version is registered on a temporary branch
 * (the number is allocated atomically by the registry), which is then renamed `mlops/<model>/v<N>`.
 * A second run over the same artifacts finds its version and only refreshes the PR.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildProfile, serializeProfile } from '../../drift/src/profile.ts';
import type { Clock } from '../../../core/clock.ts';
import { UsageError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/logger.ts';
import type { Forge, ForgePullRequest } from '../../../github/forge.ts';
import { openRegistry, type Registry, readSource, validateModelName } from '../../../registry/index.ts';
import { Git } from '../../../registry/git.ts';
import { sha256File } from '../../../registry/stores/hash.ts';
import { openModelStore } from '../../../registry/stores/open.ts';
import type { VersionRecord, VersionSource } from '../../../registry/types.ts';
import { readTable } from '../../../tables/index.ts';
import type { RunRecord } from '../../train/src/train.ts';
import { onnxSignature, type SelectedArtifact, selectArtifacts } from './artifacts.ts';
import { promotionBody } from './body.ts';
import { importRun } from './importers.ts';

/** Everything `track` is asked to do. */
export interface TrackOptions {
  model: string;
  /** The repository work tree; relative paths resolve against it. */
  workingDir: string;
  registryRoot: string;
  /** Artifact globs. */
  artifacts: string[];
  /** DVCLive directory, MLflow run (or mlruns root), JSON Lines, or JSON/YAML mapping. */
  metrics?: string;
  /** JSON/YAML params (overrides those found beside the metrics). */
  params?: string;
  /** MLflow run id when `metrics` is an `mlruns` root with several runs. */
  mlflowRun?: string;
  /** The train step's run record (environment, data hashes, run URL). */
  runRecord?: string;
  /** Training data to profile for drift (CSV, Parquet, JSON Lines; local or s3://). */
  referenceData?: string;
  /** Artifact store URI (relative to `workingDir`); defaults to the model's `artifact_store`, else `.mlops/artifacts`. */
  store?: string;
  /** The alias the PR proposes. Defaults to `champion`. */
  alias: string;
  description?: string;
  /** Open (or refresh) the promotion PR. */
  openPr: boolean;
  labels: string[];
}

/** The seams `track` uses. */
export interface TrackDeps {
  log: Logger;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  /** Needed when `openPr`; undefined registers without a PR. */
  forge?: Forge;
}

/** What `track` did. */
export interface TrackResult {
  version: number;
  /** False when an earlier run already registered these artifacts. */
  created: boolean;
  branch: string;
  record: VersionRecord;
  pr?: ForgePullRequest;
}

/** The branch a candidate version's promotion PR comes from. */
export function candidateBranch(model: string, version: number): string {
  return `mlops/${model}/v${version}`;
}

async function readRunRecord(path: string): Promise<RunRecord> {
  let rec: RunRecord;
  try {
    rec = JSON.parse(await readFile(path, 'utf8')) as RunRecord;
  } catch (err) {
    throw new UsageError(
      `run-record '${path}' is not readable JSON (${(err as Error).message}); expected the file the train step wrote.`,
    );
  }
  if (!rec || typeof rec !== 'object' || typeof rec.environment !== 'object') {
    throw new UsageError(`run-record '${path}' has no environment; expected the file the train step wrote.`);
  }
  if (rec.exit_code !== 0)
    throw new UsageError(
      `run-record '${path}' is of a failed run (exit code ${rec.exit_code}); track registers finished runs only.`,
    );
  return rec;
}

/** Where the version came from: the checkout (as `mlops register` records it), completed from the run record. */
async function sourceOf(dir: string, env: NodeJS.ProcessEnv, run?: RunRecord): Promise<VersionSource> {
  const here = await readSource({ dir, remote: 'origin', env });
  const repository = here.repository ?? run?.source.repository;
  const commit = here.commit ?? run?.source.commit;
  const run_url = run?.source.run_url ?? here.run_url;
  return {
    ...here,
    ...(repository ? { repository } : {}),
    ...(commit ? { commit } : {}),
    ...(run_url ? { run_url } : {}),
  };
}

/** name=sha256 of every artifact, sorted: what identifies a run's output. */
function artifactKey(entries: { name: string; sha256: string }[]): string {
  return entries
    .map((e) => `${e.name}=${e.sha256}`)
    .sort()
    .join('\n');
}

/** A version of `model` (on a candidate branch or the registry branch) with exactly these artifacts. */
async function findExisting(
  reg: Registry,
  git: Git,
  model: string,
  key: string,
): Promise<VersionRecord | undefined> {
  if (reg.remote) {
    await git.run(
      [
        'fetch',
        '--quiet',
        '--no-tags',
        reg.remote,
        `+refs/heads/mlops/${model}/*:refs/remotes/${reg.remote}/mlops/${model}/*`,
      ],
      { allowFail: true },
    );
  }
  const refs = (
    await git.out([
      'for-each-ref',
      '--format=%(refname)',
      `refs/remotes/${reg.remote ?? 'origin'}/mlops/${model}/`,
      `refs/heads/mlops/${model}/`,
    ])
  )
    .split('\n')
    .map((r) => ({ ref: r, v: Number(r.match(/\/v(\d+)$/)?.[1]) }))
    .filter((r) => Number.isInteger(r.v));
  const onBranch = (await reg.versions(model))
    .slice(-20)
    .map((v) => ({ ref: undefined as string | undefined, v }));
  const candidates = [...refs, ...onBranch].sort((a, b) => b.v - a.v).slice(0, 40);
  for (const c of candidates) {
    const rec = await reg.resolve({ model, version: c.v }, c.ref ? { at: c.ref } : {}).catch(() => undefined);
    if (rec && artifactKey(rec.artifacts.map((a) => ({ name: a.path, sha256: a.sha256 }))) === key)
      return rec;
  }
  return undefined;
}

/** Register the run as a candidate version and open its promotion PR. */
export async function track(opts: TrackOptions, deps: TrackDeps): Promise<TrackResult> {
  const { log } = deps;
  const model = validateModelName(opts.model);
  const at = (p: string) => (p.startsWith('s3://') ? p : resolve(opts.workingDir, p));
  if (opts.openPr && !deps.forge)
    throw new UsageError('opening the promotion PR needs GitHub: give a token, or turn open-pr off.');
  const run = importRun({
    metrics: opts.metrics ? at(opts.metrics) : undefined,
    params: opts.params ? at(opts.params) : undefined,
    mlflowRun: opts.mlflowRun,
  });
  log.info(
    `imported ${Object.keys(run.metrics).length} metric(s) and ${Object.keys(run.params).length} param(s) (${run.format})`,
  );
  const runRecord = opts.runRecord ? await readRunRecord(at(opts.runRecord)) : undefined;
  const selected = selectArtifacts(opts.artifacts, opts.workingDir);
  const signature = onnxSignature(selected);
  const reg = await openRegistry({ dir: opts.workingDir, root: opts.registryRoot, log });
  const spec = await reg.spec(model);
  // The same resolution as `mlops register`: store, else the model's artifact_store, else .mlops/artifacts.
  const store = openModelStore({
    override: opts.store,
    artifactStore: spec.artifact_store,
    registryDir: reg.dir,
    cwd: opts.workingDir,
    env: deps.env,
    log,
  });
  const git = new Git(reg.dir);

  const tmp = await mkdtemp(join(tmpdir(), 'mlops-track-'));
  try {
    const files: SelectedArtifact[] = [...selected];
    let referenceProfile: string | undefined;
    if (opts.referenceData) {
      const table = await readTable(at(opts.referenceData), { env: deps.env });
      const profile = buildProfile(table, spec, { seed: 1 });
      referenceProfile = 'reference-profile.json';
      if (files.some((f) => f.name === referenceProfile))
        throw new UsageError(
          `an artifact is already named '${referenceProfile}'; rename it or drop reference-data.`,
        );
      await writeFile(join(tmp, referenceProfile), serializeProfile(profile));
      files.push({ path: join(tmp, referenceProfile), name: referenceProfile });
      log.info(`reference profile: ${profile.columns.length} column(s), ${profile.rows} row(s)`);
    }
    const hashed = await Promise.all(
      files.map(async (f) => ({ name: f.name, sha256: (await sha256File(f.path)).sha256 })),
    );
    const key = artifactKey(hashed);
    let record = await findExisting(reg, git, model, key);
    let created = false;
    let branch: string;
    if (record) {
      branch = candidateBranch(model, record.version);
      log.info(`these artifacts are already ${model} v${record.version}; not registering again`);
    } else {
      const temp = `mlops/${model}/candidate-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
      const res = await reg.register({
        model,
        files: files.map((f) => ({ path: f.path, name: f.name })),
        store,
        params: run.params,
        metrics: run.metrics,
        data: runRecord?.data ?? [],
        environment: runRecord?.environment ?? {},
        source: await sourceOf(reg.dir, deps.env, runRecord),
        ...(signature ? { signature } : {}),
        ...(opts.description ? { description: opts.description } : {}),
        ...(referenceProfile ? { referenceProfile } : {}),
        aliases: [opts.alias],
        branch: temp,
      });
      record = res.record;
      created = true;
      branch = candidateBranch(model, res.version);
      await renameBranch(git, reg.remote, temp, branch, res.commit);
      log.info(`registered ${model} v${res.version} on branch ${branch}`);
    }
    const pr =
      opts.openPr && deps.forge
        ? await openPr(reg, deps.forge, { ...opts, model }, record, branch, deps.env)
        : undefined;
    if (pr) log.info(`promotion PR #${pr.number}: ${pr.url}`);
    return { version: record.version, created, branch, record, ...(pr ? { pr } : {}) };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Move the registry's commit from the temporary branch to `mlops/<model>/v<N>`, locally and on the remote. */
async function renameBranch(
  git: Git,
  remote: string | undefined,
  from: string,
  to: string,
  commit: string,
): Promise<void> {
  await git.run(['branch', '-f', to, commit]);
  await git.run(['branch', '-D', from], { allowFail: true });
  if (remote) {
    await git.run(['push', '--quiet', remote, `${commit}:refs/heads/${to}`]);
    await git.run(['push', '--quiet', remote, '--delete', from], { allowFail: true });
  }
}

async function openPr(
  reg: Registry,
  forge: Forge,
  opts: TrackOptions,
  record: VersionRecord,
  branch: string,
  env: NodeJS.ProcessEnv,
): Promise<ForgePullRequest> {
  const spec = await reg.spec(opts.model);
  const currentVersion = (await reg.aliases(opts.model)).aliases[opts.alias];
  const current =
    currentVersion !== undefined
      ? await reg.resolve({ model: opts.model, version: currentVersion }).catch(() => undefined)
      : undefined;
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  const folder = `${reg.root}/${opts.model}/versions/v${record.version}`;
  const links = [
    // the local forge has no web pages for files
    ...(forge.repository.startsWith('local/')
      ? []
      : [
          {
            label: 'version record',
            url: `${server}/${forge.repository}/blob/${branch}/${folder}/version.yaml`,
          },
          { label: 'model card', url: `${server}/${forge.repository}/blob/${branch}/${folder}/card.md` },
        ]),
    ...(record.source.run_url ? [{ label: 'training run', url: record.source.run_url }] : []),
  ];
  return forge.openPullRequest({
    head: branch,
    base: reg.branch,
    title: `Promote ${opts.model} v${record.version} to ${opts.alias}`,
    body: promotionBody({ spec, record, alias: opts.alias, current, links }),
    labels: opts.labels,
  });
}
