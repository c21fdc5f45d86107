/**
 * `openRegistry`: the registry over a Git work tree. Reads go through a Snapshot of one commit; writes
 * go through the Writer (temporary index, atomic push, retry) and regenerate the READMEs.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { stringify } from 'yaml';
import { systemClock } from '../core/clock.ts';
import { UsageError } from '../core/errors.ts';
import { silentLogger } from '../core/logger.ts';
import { renderModelCard } from './card.ts';
import { Git } from './git.ts';
import { refuseRewrites } from './immutable.ts';
import { formatEventTrailers, LOG_FORMAT, type PendingEvent, parseLog } from './history.ts';
import type {
  ArchiveOptions,
  ReadOptions,
  RegisterOptions,
  RegisterResult,
  Registry,
  RegistryEvent,
  RegistryOptions,
  RollbackOptions,
  RollbackResult,
  SetAliasOptions,
  SetAliasResult,
  WriteOptions,
  WriteResult,
} from './index.ts';
import { parseModelRef, validateAliasName, validateModelName } from './names.ts';
import { renderIndex, renderModelReadme } from './readme.ts';
import { validateMetrics, validateModelSpec } from './schema.ts';
import { modelPaths, Snapshot } from './snapshot.ts';
import { readSource } from './source.ts';
import type { ArtifactRecord, ModelSpec, VersionRecord } from './types.ts';
import { type Base, type Change, Writer } from './writer.ts';

/** Open the registry in a Git work tree; UsageError when `dir` is not one or the remote is unknown. */
export async function openRegistry(opts: RegistryOptions): Promise<Registry> {
  const probe = new Git(opts.dir);
  const top = await probe.run(['rev-parse', '--show-toplevel'], { allowFail: true }).catch(() => undefined);
  if (top?.code !== 0 || !top) {
    throw new UsageError(
      `'${opts.dir}' is not inside a Git work tree: expected a repository (run 'git init' first).`,
    );
  }
  const git = new Git(top.stdout.trim());
  const root = (opts.root ?? 'models').replace(/\/+$/, '');
  if (
    !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(root) ||
    root.split('/').some((s) => s === '..' || s === '.')
  ) {
    throw new UsageError(
      `registry root '${root}' is not valid: expected a relative folder such as 'models'.`,
    );
  }
  const remotes = (await git.out(['remote'])).split('\n').filter(Boolean);
  const remoteName = opts.remote ?? 'origin';
  if (opts.remote !== undefined && !remotes.includes(opts.remote)) {
    throw new UsageError(
      `remote '${opts.remote}' is not configured: expected one of ${remotes.join(', ') || '(none)'}.`,
    );
  }
  const remote = remotes.includes(remoteName) ? remoteName : undefined;
  const current = await git.run(['symbolic-ref', '--short', '-q', 'HEAD'], { allowFail: true });
  const branch = opts.branch ?? (current.code === 0 ? current.stdout.trim() : 'main');
  const identity = opts.author ?? (await configIdentity(git));
  const log = opts.log ?? silentLogger;
  const clock = opts.clock ?? systemClock;
  const writer = new Writer({
    git,
    remote,
    defaultBranch: branch,
    identity,
    clock,
    log,
    maxAttempts: opts.maxAttempts ?? 30,
    // A fresh CI clone writes once and reads little: a full graph write would cost more than it saves.
    commitGraph: opts.commitGraph ?? (process.env.GITHUB_ACTIONS === 'true' ? 'incremental' : 'full'),
  });
  return new GitRegistry(git, root, branch, remote, writer, clock, identity.name);
}

async function configIdentity(git: Git): Promise<{ name: string; email: string }> {
  const get = async (k: string) => (await git.run(['config', '--get', k], { allowFail: true })).stdout.trim();
  return { name: (await get('user.name')) || 'mlops', email: (await get('user.email')) || 'mlops@localhost' };
}

const ARTIFACT_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/;

class GitRegistry implements Registry {
  readonly dir: string;
  constructor(
    private readonly git: Git,
    readonly root: string,
    readonly branch: string,
    readonly remote: string | undefined,
    private readonly writer: Writer,
    private readonly clock: () => Date,
    private readonly who: string,
  ) {
    this.dir = git.dir;
  }

  private async snapshot(opts: ReadOptions = {}): Promise<Snapshot> {
    if (opts.at) {
      const rev = await this.git.revParse(opts.at);
      if (!rev)
        throw new UsageError(`revision '${opts.at}' does not exist: expected a commit, branch or tag.`);
      return new Snapshot(this.git, this.root, rev);
    }
    return new Snapshot(this.git, this.root, await this.readRev());
  }

  /**
   * The commit reads use: the local branch, unless the remote-tracking branch has commits it lacks and
   * the local branch has no registry commits of its own (an unrelated unpushed commit, or a branch left
   * behind by a write that could not fast-forward it): then the remote-tracking branch, which holds
   * what was just written.
   */
  private async readRev(): Promise<string | undefined> {
    const local = await this.git.revParse(`refs/heads/${this.branch}`);
    const tracking = this.remote
      ? await this.git.revParse(`refs/remotes/${this.remote}/${this.branch}`)
      : undefined;
    if (!local || !tracking || local === tracking) return local ?? tracking;
    const behind = await this.git.run(['merge-base', '--is-ancestor', tracking, local], { allowFail: true });
    if (behind.code === 0) return local;
    const own = await this.git.out(['rev-list', '-n1', `${tracking}..${local}`, '--', `${this.root}/`]);
    return own === '' ? tracking : local;
  }

  async spec(model: string, opts?: ReadOptions) {
    return (await this.snapshot(opts)).spec(validateModelName(model));
  }

  async aliases(model: string, opts?: ReadOptions) {
    const s = await this.snapshot(opts);
    await s.spec(validateModelName(model));
    return s.aliases(model);
  }

  async versions(model: string, opts?: ReadOptions) {
    const s = await this.snapshot(opts);
    await s.spec(validateModelName(model));
    return s.versions(model);
  }

  async list(opts?: ReadOptions) {
    return (await this.snapshot(opts)).summaries();
  }

  async survey(opts?: ReadOptions) {
    return (await this.snapshot(opts)).survey();
  }

  async card(model: string, version: number, opts?: ReadOptions) {
    const s = await this.snapshot(opts);
    await s.record(validateModelName(model), version);
    return (await s.readOne(modelPaths(this.root, model).card(version))) ?? '';
  }

  async resolve(ref: string | { model: string; version?: number; alias?: string }, opts?: ReadOptions) {
    const r = typeof ref === 'string' ? parseModelRef(ref) : { ...ref, model: validateModelName(ref.model) };
    const s = await this.snapshot(opts);
    await s.spec(r.model);
    if (r.version !== undefined) return s.record(r.model, r.version);
    const aliases = await s.aliases(r.model);
    if (r.alias !== undefined) {
      const v = aliases.aliases[r.alias];
      if (v === undefined) {
        const set = Object.entries(aliases.aliases).map(([a, n]) => `${a} (v${n})`);
        throw new UsageError(
          `alias '${r.alias}' of model '${r.model}' is not set: expected one of ${set.join(', ') || '(no aliases yet: run mlops promote)'} or v<N>.`,
        );
      }
      return s.record(r.model, v);
    }
    const v = aliases.aliases.champion ?? (await s.versions(r.model)).at(-1);
    if (v === undefined)
      throw new UsageError(
        `model '${r.model}' has no versions yet: expected a registered version (run mlops register ${r.model}).`,
      );
    return s.record(r.model, v);
  }

  async history(model: string, opts: ReadOptions & { limit?: number } = {}) {
    validateModelName(model);
    const s = await this.snapshot(opts);
    if (!s.rev) return [];
    return this.historyAt(s.rev, model, opts.limit);
  }

  private async historyAt(rev: string, model: string, limit?: number): Promise<RegistryEvent[]> {
    const args = [
      'log',
      `--format=${LOG_FORMAT}`,
      ...(limit ? [`-n${limit}`] : []),
      rev,
      '--',
      `${this.root}/${model}/`,
    ];
    return parseLog(await this.git.out(args), model);
  }

  async init(opts: WriteOptions & { model?: string; spec?: ModelSpec }) {
    const model = opts.model === undefined ? undefined : validateModelName(opts.model);
    const spec = model ? validateModelSpec({ name: model, ...opts.spec }, `spec of ${model}`) : undefined;
    if (spec && spec.name !== model)
      throw new UsageError(`spec name '${spec.name}' does not match model '${model}': expected them equal.`);
    let created: string[] = [];
    const w = await this.write(opts, undefined, async (base) => {
      const s = new Snapshot(this.git, this.root, base.commit);
      const files = new Map<string, string | null>();
      const gi = (await s.readOne('.gitignore')) ?? '';
      if (!gi.split('\n').some((l) => ['.mlops/', '.mlops', '/.mlops/', '/.mlops'].includes(l.trim()))) {
        files.set(
          '.gitignore',
          `${gi}${gi && !gi.endsWith('\n') ? '\n' : ''}# mlops local artifact store and outbox\n.mlops/\n`,
        );
      }
      if (model && spec) {
        const p = modelPaths(this.root, model);
        if (await s.exists(model))
          throw new UsageError(`model '${model}' already exists at ${p.spec}: expected a new model name.`);
        await this.refuseNesting(s, model);
        files.set(p.spec, stringify(spec));
        files.set(p.aliases, stringify({ aliases: {}, archived: [] }));
      }
      const index = `${this.root}/README.md`;
      const hasIndex = (await s.readOne(index)) !== undefined;
      if (files.size === 0 && hasIndex) return null;
      // The READMEs are added by write(): name them too, as they are created.
      created = [...files.keys(), ...(model ? [modelPaths(this.root, model).readme] : [])];
      if (!hasIndex) created.push(index);
      const subject = model ? `${model}: create model` : `${this.root}: create model registry`;
      return { files, message: `${subject}\n`, touched: model ? [model] : [] };
    });
    return { ...w, created };
  }

  /** A group prefix must not be a model, nor a model a group: refuse `g/m` when `g` is a model and `g` when `g/` holds models. */
  private async refuseNesting(s: Snapshot, model: string): Promise<void> {
    const [group] = model.split('/');
    if (model.includes('/') && (await s.exists(group)))
      throw new UsageError(
        `model '${model}' would be inside model '${group}' (${modelPaths(this.root, group).spec} exists): expected a name whose group prefix is not a model, e.g. '${model.replace('/', '-')}'.`,
      );
    if (!model.includes('/')) {
      const inside = (await s.entries(modelPaths(this.root, model).dir)).filter((n) => n !== 'README.md');
      if (inside.length > 0)
        throw new UsageError(
          `'${model}' is a group folder of other models (${this.root}/${model}/${inside[0]}): expected a model name that is not a group.`,
        );
    }
  }

  async register(opts: RegisterOptions): Promise<RegisterResult> {
    const model = validateModelName(opts.model);
    const metrics = validateMetrics(opts.metrics ?? {}, 'metrics');
    if (
      opts.params !== undefined &&
      (typeof opts.params !== 'object' || opts.params === null || Array.isArray(opts.params))
    ) {
      throw new UsageError(
        `params '${JSON.stringify(opts.params)}' is not valid: expected a mapping of name to value.`,
      );
    }
    if (opts.files.length === 0)
      throw new UsageError('no artifact given: expected at least one file (--artifact PATH).');
    const names = new Set<string>();
    for (const f of opts.files) {
      const st = await stat(f.path).catch(() => undefined);
      if (!st?.isFile())
        throw new UsageError(`artifact file '${f.path}' does not exist: expected a path to a readable file.`);
      const name = f.name ?? basename(f.path);
      if (!ARTIFACT_NAME.test(name) || name.includes('..'))
        throw new UsageError(
          `artifact name '${name}' is not valid: expected letters, digits, '.', '_' or '-', optionally in folders.`,
        );
      if (names.has(name))
        throw new UsageError(
          `artifact name '${name}' is given twice: expected distinct names (use PATH=NAME).`,
        );
      names.add(name);
    }
    if (opts.referenceProfile !== undefined && !names.has(opts.referenceProfile)) {
      throw new UsageError(
        `reference profile '${opts.referenceProfile}' is not among the artifacts: expected one of ${[...names].join(', ')}.`,
      );
    }
    for (const a of opts.aliases ?? []) validateAliasName(a);
    // The model must exist before anything is uploaded.
    await (await this.snapshot()).spec(model).catch(async (err) => {
      if (!this.remote) throw err;
      await this.git.run(
        [
          'fetch',
          '--quiet',
          '--no-tags',
          this.remote,
          `+refs/heads/${this.branch}:refs/remotes/${this.remote}/${this.branch}`,
        ],
        { allowFail: true },
      );
      const s = new Snapshot(
        this.git,
        this.root,
        await this.git.revParse(`refs/remotes/${this.remote}/${this.branch}`),
      );
      await s.spec(model);
    });
    const artifacts: ArtifactRecord[] = [];
    for (const f of opts.files) {
      const blob = await opts.store.putFile(f.path);
      if (!(await opts.store.hasBlob(blob.sha256)))
        throw new Error(
          `artifact '${f.path}' is not in ${opts.store.baseUri} after upload (sha256 ${blob.sha256}).`,
        );
      artifacts.push({
        path: f.name ?? basename(f.path),
        uri: blob.uri,
        sha256: blob.sha256,
        bytes: blob.bytes,
      });
    }
    const source = opts.source ?? (await readSource({ dir: this.dir, remote: this.remote }));
    let record: VersionRecord | undefined;
    const w = await this.write(opts, `refs/mlops/versions/${model}/`, async (base) => {
      const s = new Snapshot(this.git, this.root, base.commit);
      const spec = await s.spec(model);
      const version = Math.max(0, ...(await s.versions(model)), ...base.versionRefs) + 1;
      const p = modelPaths(this.root, model);
      record = {
        model,
        version,
        created: this.clock().toISOString(),
        created_by: this.who,
        description: opts.description,
        source,
        params: opts.params ?? {},
        metrics,
        data: opts.data ?? [],
        environment: opts.environment ?? {},
        artifacts,
        signature: opts.signature,
        reference_profile: opts.referenceProfile,
      };
      const files = new Map<string, string | null>([
        [p.record(version), stringify(record)],
        [p.card(version), renderModelCard({ spec, record, body: opts.card })],
      ]);
      const events: PendingEvent[] = [{ type: 'registered', model, version }];
      if (opts.aliases?.length) {
        const al = await s.aliases(model);
        for (const a of opts.aliases) {
          const prev = al.aliases[a];
          events.push(
            prev === undefined
              ? { type: 'alias_set', model, alias: a, version }
              : { type: 'alias_moved', model, alias: a, from: prev, version },
          );
          al.aliases[a] = version;
        }
        files.set(p.aliases, stringify(al));
      }
      const body = opts.description ? `\n${opts.description}\n` : '';
      return {
        files,
        message: `${model}: register v${version}\n${body}\n${formatEventTrailers(events).join('\n')}\n`,
        touched: [model],
        events,
        createRef: `refs/mlops/versions/${model}/v${version}`,
      };
    });
    const rec = record as unknown as VersionRecord;
    return { ...w, version: rec.version, record: rec };
  }

  async setAlias(opts: SetAliasOptions): Promise<SetAliasResult> {
    const model = validateModelName(opts.model);
    const alias = validateAliasName(opts.alias);
    let previous: number | undefined;
    let archived: number[] = [];
    const w = await this.write(opts, undefined, async (base) => {
      const s = new Snapshot(this.git, this.root, base.commit);
      await s.record(model, opts.version);
      const al = await s.aliases(model);
      previous = al.aliases[alias];
      if (previous === opts.version) return null;
      const events: PendingEvent[] = [
        previous === undefined
          ? { type: 'alias_set', model, alias, version: opts.version }
          : { type: 'alias_moved', model, alias, from: previous, version: opts.version },
      ];
      al.aliases[alias] = opts.version;
      al.archived = al.archived.filter((v) => v !== opts.version);
      archived = [];
      if (
        opts.archivePrevious &&
        previous !== undefined &&
        !Object.values(al.aliases).includes(previous) &&
        !al.archived.includes(previous)
      ) {
        al.archived.push(previous);
        archived = [previous];
        events.push({ type: 'archived', model, version: previous });
      }
      const verb =
        previous === undefined
          ? `set ${alias} to v${opts.version}`
          : `move ${alias} v${previous} -> v${opts.version}`;
      const files = new Map([[modelPaths(this.root, model).aliases, stringify(al)]]);
      return {
        files,
        message: this.message(`${model}: ${verb}`, opts.reason, events, opts.trailers),
        touched: [model],
        events,
      };
    });
    return { ...w, previous, archived };
  }

  async archive(opts: ArchiveOptions): Promise<WriteResult> {
    const model = validateModelName(opts.model);
    return this.write(opts, undefined, async (base) => {
      const s = new Snapshot(this.git, this.root, base.commit);
      await s.record(model, opts.version);
      const al = await s.aliases(model);
      const holders = Object.entries(al.aliases)
        .filter(([, v]) => v === opts.version)
        .map(([a]) => a);
      if (holders.length > 0)
        throw new UsageError(
          `v${opts.version} of '${model}' is ${holders.join(', ')}: expected a version no alias points at (move the alias first).`,
        );
      if (al.archived.includes(opts.version)) return null;
      al.archived.push(opts.version);
      al.archived.sort((a, b) => a - b);
      const events: PendingEvent[] = [{ type: 'archived', model, version: opts.version }];
      const files = new Map([[modelPaths(this.root, model).aliases, stringify(al)]]);
      return {
        files,
        message: this.message(`${model}: archive v${opts.version}`, opts.reason, events),
        touched: [model],
        events,
      };
    });
  }

  async regenerate(opts: WriteOptions & { model: string }): Promise<WriteResult & { changed: boolean }> {
    const model = validateModelName(opts.model);
    return this.write(opts, undefined, async (base) => {
      const s = new Snapshot(this.git, this.root, base.commit);
      const readme = renderModelReadme({
        spec: await s.spec(model),
        aliases: await s.aliases(model),
        records: await s.records(model, await s.versions(model)),
        events: base.commit ? await this.historyAt(base.commit, model) : [],
      });
      const all = await s.survey();
      const index = renderIndex(all.models, all.invalid);
      const current = await s.readOne(modelPaths(this.root, model).readme);
      if (current === readme && (await s.readOne(`${this.root}/README.md`)) === index) return null;
      return { files: new Map(), message: `${model}: regenerate READMEs\n`, touched: [model] };
    });
  }

  async rollback(opts: RollbackOptions): Promise<RollbackResult> {
    const model = validateModelName(opts.model);
    const alias = validateAliasName(opts.alias ?? 'champion');
    let from = 0;
    let to = 0;
    const w = await this.write(opts, undefined, async (base) => {
      const s = new Snapshot(this.git, this.root, base.commit);
      await s.spec(model);
      const al = await s.aliases(model);
      const current = al.aliases[alias];
      if (current === undefined)
        throw new UsageError(
          `alias '${alias}' of model '${model}' is not set: expected an alias to roll back (promote a version first).`,
        );
      from = current;
      if (opts.to !== undefined) to = opts.to;
      else {
        const stack = aliasStack(base.commit ? await this.historyAt(base.commit, model) : [], alias);
        const prev = stack.at(-1) === current ? stack.at(-2) : stack.at(-1);
        if (prev === undefined)
          throw new UsageError(
            `alias '${alias}' of model '${model}' has no earlier version to roll back to: expected --to v<N>.`,
          );
        to = prev;
      }
      await s.record(model, to);
      if (to === current)
        throw new UsageError(
          `'${model}@${alias}' is already v${to}: expected a different version to roll back to.`,
        );
      al.aliases[alias] = to;
      al.archived = al.archived.filter((v) => v !== to);
      const events: PendingEvent[] = [{ type: 'rolled_back', model, alias, from: current, version: to }];
      if (
        alias === 'champion' &&
        !Object.values(al.aliases).includes(current) &&
        !al.archived.includes(current)
      ) {
        al.archived.push(current);
        events.push({ type: 'archived', model, version: current });
      }
      const files = new Map([[modelPaths(this.root, model).aliases, stringify(al)]]);
      return {
        files,
        message: this.message(`${model}: roll back ${alias} v${current} -> v${to}`, opts.reason, events),
        touched: [model],
        events,
      };
    });
    return { ...w, alias, from, to };
  }

  private message(
    subject: string,
    reason: string | undefined,
    events: PendingEvent[],
    extra: Record<string, string> = {},
  ): string {
    const trailers = [...formatEventTrailers(events), ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`)];
    return `${subject}\n${reason ? `\n${reason}\n` : ''}\n${trailers.join('\n')}\n`;
  }

  /** One write: build the change, add regenerated READMEs for the touched models and the index, commit, push. */
  private async write(
    opts: WriteOptions,
    versionRefPrefix: string | undefined,
    build: (base: Base) => Promise<(Change & { touched: string[]; events?: PendingEvent[] }) | null>,
  ): Promise<WriteResult & { changed: boolean }> {
    const branch = opts.branch ?? this.branch;
    const w = await this.writer.transact({
      branch,
      push: opts.push ?? true,
      versionRefPrefix,
      build: async (base) => {
        const change = await build(base);
        if (!change) return null;
        const s = new Snapshot(this.git, this.root, base.commit, change.files);
        for (const model of change.touched) {
          const pending: RegistryEvent[] = (change.events ?? []).map((e) => ({
            ...e,
            commit: '',
            author: this.who,
            time: this.clock().toISOString(),
            message: change.message.split('\n')[0],
          }));
          const past = base.commit ? await this.historyAt(base.commit, model) : [];
          const spec = await s.spec(model);
          const records = await s.records(model, await s.versions(model));
          const readme = renderModelReadme({
            spec,
            aliases: await s.aliases(model),
            records,
            events: [...pending, ...past],
          });
          change.files.set(modelPaths(this.root, model).readme, readme);
        }
        const all = await s.survey();
        change.files.set(`${this.root}/README.md`, renderIndex(all.models, all.invalid));
        await refuseRewrites(new Snapshot(this.git, this.root, base.commit), change.files);
        return change;
      },
    });
    return { commit: w.commit, branch, pushed: w.pushed, changed: w.changed };
  }
}

/** The alias's values as a stack, replaying its events oldest first: a promotion pushes, a rollback pops. */
export function aliasStack(eventsNewestFirst: RegistryEvent[], alias: string): number[] {
  const stack: number[] = [];
  for (const e of [...eventsNewestFirst].reverse()) {
    if (e.alias !== alias) continue;
    if (e.type === 'rolled_back') {
      while (stack.length > 0 && stack.at(-1) !== e.version) stack.pop();
      if (stack.length === 0) stack.push(e.version);
    } else if (e.type === 'alias_set' || e.type === 'alias_moved') stack.push(e.version);
  }
  return stack;
}
