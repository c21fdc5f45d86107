/**
 * The Git-backed model registry: the public API that the CLI and the actions (track, promote, evaluate,
 * drift) call. Everything is an options object; nothing here prints or imports `@actions/*`.
 *
 * Layout (root `models/` by default): `<model>/model.yaml`, `<model>/aliases.yaml`,
 * `<model>/versions/v<N>/{version.yaml,card.md}`, generated `README.md` files. Writes build commits with
 * a temporary index (the user's work tree and index are untouched unless the written branch is the
 * checked-out one, which is then fast-forwarded), allocate the version number atomically against the
 * remote (`refs/mlops/versions/<model>/v<N>` pushed with `--atomic` and a must-not-exist lease) and
 * retry on a non-fast-forward push from a fresh base.
 */
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { ArtifactStore } from './stores/types.ts';
import type {
  AliasesFile,
  DataInput,
  EnvironmentRecord,
  ModelSpec,
  TensorSpec,
  VersionRecord,
  VersionSource,
} from './types.ts';

export { parseModelCard, renderModelCard } from './card.ts';
export { formatEventTrailers, parseEventTrailers } from './history.ts';
export { formatModelRef, parseModelRef, validateAliasName, validateModelName } from './names.ts';
export { openRegistry } from './registry.ts';
export { readSource } from './source.ts';
export {
  parseAliases,
  parseModelSpec,
  parseVersionRecord,
  validateMetrics,
  validateModelSpec,
} from './schema.ts';

/** Who commits: defaults to the repository's `user.name`/`user.email`, else `mlops <mlops@localhost>`. */
export interface GitIdentity {
  name: string;
  email: string;
}

/** Options of `openRegistry`. */
export interface RegistryOptions {
  /** A Git work tree (the user's repository). */
  dir: string;
  /** Registry folder inside the repository. Defaults to `models`. */
  root?: string;
  /** Remote to allocate versions against and push to. Defaults to `origin`; when absent, writes are local. */
  remote?: string;
  /** Branch that holds the registry. Defaults to the checked-out branch, or `main` on a detached HEAD. */
  branch?: string;
  author?: GitIdentity;
  clock?: Clock;
  log?: Logger;
  /** Attempts of a write that races other writers (non-fast-forward, number taken). Defaults to 30. */
  maxAttempts?: number;
  /**
   * Commit-graph upkeep after each write, for fast `history`: `incremental` adds a Bloom-filter layer
   * when the repository has such a graph; `full` also writes one once the branch has 1 000 commits;
   * `off`. Defaults to `incremental` on GitHub Actions (fresh clones), else `full`.
   */
  commitGraph?: 'incremental' | 'full' | 'off';
}

/** Options every write shares. */
export interface WriteOptions {
  /** Branch to write to. Defaults to the registry's branch. A branch missing on the remote starts from the registry's branch. */
  branch?: string;
  /** Push to the remote. Defaults to true when the remote exists. */
  push?: boolean;
}

/** A reference to a version: `churn`, `churn@champion`, `churn@v3`. */
export interface ModelRef {
  model: string;
  /** `v3` form resolved to a number. */
  version?: number;
  alias?: string;
}

/** A file to register as an artifact of the version. */
export interface ArtifactFile {
  /** Local path of the file. */
  path: string;
  /** Name inside the version; defaults to the file's base name. */
  name?: string;
}

/** Options of `registry.register`. */
export interface RegisterOptions extends WriteOptions {
  model: string;
  files: ArtifactFile[];
  store: ArtifactStore;
  params?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  data?: DataInput[];
  environment?: EnvironmentRecord;
  /** Defaults to the work tree's remote URL, HEAD commit, branch and dirty flag. */
  source?: VersionSource;
  signature?: { inputs: TensorSpec[]; outputs: TensorSpec[] };
  /** Markdown body for the model card (front matter is generated). */
  card?: string;
  description?: string;
  /** Artifact name (inside `files`) of a reference profile for drift. */
  referenceProfile?: string;
  /** Set these aliases to the new version in the same commit (e.g. `['challenger']`). */
  aliases?: string[];
}

/** What a write produced. */
export interface WriteResult {
  /** The commit that holds the change. */
  commit: string;
  branch: string;
  pushed: boolean;
}

/** Result of `registry.register`. */
export interface RegisterResult extends WriteResult {
  version: number;
  record: VersionRecord;
}

/** Options of `registry.setAlias`. */
export interface SetAliasOptions extends WriteOptions {
  model: string;
  alias: string;
  version: number;
  /** Archive the version the alias pointed to before. Defaults to false. */
  archivePrevious?: boolean;
  /** Recorded in the commit message. */
  reason?: string;
  /** Extra trailers for the commit (e.g. `Approved-by`). */
  trailers?: Record<string, string>;
}

/** Result of `registry.setAlias`. */
export interface SetAliasResult extends WriteResult {
  /** The version the alias pointed to before, if any. */
  previous?: number;
  /** Versions archived by this change. */
  archived: number[];
  /** False when the alias already pointed at the version (no commit made; `commit` is the current tip). */
  changed: boolean;
}

/** Options of `registry.archive`. */
export interface ArchiveOptions extends WriteOptions {
  model: string;
  version: number;
  reason?: string;
}

/** Options of `registry.rollback`. */
export interface RollbackOptions extends WriteOptions {
  model: string;
  /** Version to go back to. Defaults to the alias's previous version (from history). */
  to?: number;
  /** Alias to roll back. Defaults to `champion`. */
  alias?: string;
  reason?: string;
}

/** Result of `registry.rollback`. */
export interface RollbackResult extends WriteResult {
  alias: string;
  from: number;
  to: number;
}

/** A history event type. */
export type EventType = 'registered' | 'alias_set' | 'alias_moved' | 'archived' | 'rolled_back';

/** One event of a model's history, read back from Git. */
export interface RegistryEvent {
  type: EventType;
  model: string;
  version: number;
  alias?: string;
  /** For alias_moved / rolled_back: the version the alias pointed to before. */
  from?: number;
  commit: string;
  /** `Name <email>`. */
  author: string;
  /** ISO 8601 UTC, e.g. `2026-01-02T03:04:05Z` (the commit's author time). */
  time: string;
  /** The commit's subject line. */
  message: string;
}

/** One model in `registry.list()`. */
export interface ModelSummary {
  name: string;
  spec: ModelSpec;
  aliases: AliasesFile;
  /** Version numbers present, ascending. */
  versions: number[];
  latest?: number;
  /** The champion's record, when a champion is set. */
  champion?: VersionRecord;
}

/** A model whose files do not parse: listed with the error instead of hiding every other model. */
export interface InvalidModel {
  name: string;
  /** The validation error, naming the file, the field and the expected form. */
  error: string;
}

/** Read options: which commit-ish to read. Defaults to the registry branch (local, else remote-tracking). */
export interface ReadOptions {
  at?: string;
}

/** The registry over one Git work tree. */
export interface Registry {
  readonly dir: string;
  readonly root: string;
  readonly branch: string;
  readonly remote: string | undefined;
  /** Create the registry root (README, `.gitignore` entry) and, with a model, its `model.yaml`. Idempotent for the root. */
  init(
    opts: WriteOptions & { model?: string; spec?: ModelSpec },
  ): Promise<WriteResult & { created: string[] }>;
  /** Store and verify the artifacts, then commit the version record and card under a newly allocated number. */
  register(opts: RegisterOptions): Promise<RegisterResult>;
  /** Point an alias at an existing version (set or move). */
  setAlias(opts: SetAliasOptions): Promise<SetAliasResult>;
  /** Mark a version archived (it keeps its files; aliases pointing at it are refused). */
  archive(opts: ArchiveOptions): Promise<WriteResult>;
  /** Rewrite the model's README and the index from the registry's files; no commit when they are current. */
  regenerate(opts: WriteOptions & { model: string }): Promise<WriteResult & { changed: boolean }>;
  /** Move an alias (champion) back to an older version, unarchiving it. */
  rollback(opts: RollbackOptions): Promise<RollbackResult>;
  /** Resolve `model`, `model@alias` or `model@vN` to its record. `model` alone: champion, else latest. */
  resolve(ref: string | ModelRef, opts?: ReadOptions): Promise<VersionRecord>;
  /** The model's spec; UsageError when the model does not exist. */
  spec(model: string, opts?: ReadOptions): Promise<ModelSpec>;
  /** The model's aliases file (empty when none yet). */
  aliases(model: string, opts?: ReadOptions): Promise<AliasesFile>;
  /** Version numbers of a model, ascending. */
  versions(model: string, opts?: ReadOptions): Promise<number[]>;
  /** Every model with its aliases, versions and champion record. */
  list(opts?: ReadOptions): Promise<ModelSummary[]>;
  /** Every model: the valid ones summarised (as `list`) and the invalid ones with their error. */
  survey(opts?: ReadOptions): Promise<{ models: ModelSummary[]; invalid: InvalidModel[] }>;
  /** The model's events, newest first, read from the Git log limited to the model's folder. */
  history(model: string, opts?: ReadOptions & { limit?: number }): Promise<RegistryEvent[]>;
  /** The model card (`card.md`) text of a version. */
  card(model: string, version: number, opts?: ReadOptions): Promise<string>;
}
