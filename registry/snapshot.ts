/**
 * Reads of the registry at one commit, optionally overlaid with pending changes (so a write can render
 * READMEs of the state it is about to commit). Reads only the objects a question needs, batched.
 */
import { UsageError } from '../core/errors.ts';
import type { Git } from './git.ts';
import type { InvalidModel, ModelSummary } from './index.ts';
import { parseAliases, parseModelSpec, parseVersionRecord } from './schema.ts';
import type { AliasesFile, ModelSpec, VersionRecord } from './types.ts';

/** Paths of a model's files inside the registry root. */
export function modelPaths(root: string, model: string) {
  const dir = `${root}/${model}`;
  return {
    dir,
    spec: `${dir}/model.yaml`,
    aliases: `${dir}/aliases.yaml`,
    readme: `${dir}/README.md`,
    versionDir: (v: number) => `${dir}/versions/v${v}`,
    record: (v: number) => `${dir}/versions/v${v}/version.yaml`,
    card: (v: number) => `${dir}/versions/v${v}/card.md`,
  };
}

/** The registry as of one commit (undefined: empty) plus pending file changes (null: deleted). */
export class Snapshot {
  constructor(
    private readonly git: Git,
    readonly root: string,
    readonly rev: string | undefined,
    readonly overlay: Map<string, string | null> = new Map(),
  ) {}

  /** File contents by path; missing files map to undefined. */
  async read(paths: string[]): Promise<Map<string, string | undefined>> {
    const out = new Map<string, string | undefined>();
    const fromGit: string[] = [];
    for (const p of paths) {
      if (this.overlay.has(p)) out.set(p, this.overlay.get(p) ?? undefined);
      else if (this.rev) fromGit.push(p);
      else out.set(p, undefined);
    }
    const blobs = await this.git.readBlobs(fromGit.map((p) => `${this.rev}:${p}`));
    for (const p of fromGit) out.set(p, blobs.get(`${this.rev}:${p}`));
    return out;
  }

  /** One file's content or undefined. */
  async readOne(path: string): Promise<string | undefined> {
    return (await this.read([path])).get(path);
  }

  /** Names (relative to `dir`) of the entries directly inside a folder. */
  async entries(dir: string): Promise<string[]> {
    const names = new Set<string>();
    if (this.rev) {
      const r = await this.git.run(['ls-tree', '--name-only', `${this.rev}:${dir}`], { allowFail: true });
      if (r.code === 0) for (const n of r.stdout.split('\n')) if (n) names.add(n);
    }
    for (const [p, v] of this.overlay) {
      if (v !== null && p.startsWith(`${dir}/`)) names.add(p.slice(dir.length + 1).split('/')[0]);
    }
    return [...names];
  }

  /** True when the model has a `model.yaml`. */
  async exists(model: string): Promise<boolean> {
    return (await this.readOne(modelPaths(this.root, model).spec)) !== undefined;
  }

  /** The model's spec; UsageError naming the model when it does not exist. */
  async spec(model: string): Promise<ModelSpec> {
    const path = modelPaths(this.root, model).spec;
    const text = await this.readOne(path);
    if (text === undefined) {
      throw new UsageError(
        `model '${model}' does not exist in ${this.root}/: expected an initialised model (run 'mlops init ${model}').`,
      );
    }
    return parseModelSpec(text, path);
  }

  /** The model's aliases (empty when the file is missing). */
  async aliases(model: string): Promise<AliasesFile> {
    const path = modelPaths(this.root, model).aliases;
    return parseAliases((await this.readOne(path)) ?? '', path);
  }

  /** Version numbers present, ascending. */
  async versions(model: string): Promise<number[]> {
    const names = await this.entries(`${modelPaths(this.root, model).dir}/versions`);
    return names
      .map((n) => /^v([1-9]\d*)$/.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  /** Records of the given versions (missing ones are skipped). */
  async records(model: string, versions: number[]): Promise<VersionRecord[]> {
    const p = modelPaths(this.root, model);
    const texts = await this.read(versions.map((v) => p.record(v)));
    const out: VersionRecord[] = [];
    for (const v of versions) {
      const t = texts.get(p.record(v));
      if (t !== undefined) out.push(parseVersionRecord(t, p.record(v), { model, version: v }));
    }
    return out;
  }

  /** One version's record; UsageError naming the version and the known ones when missing. */
  async record(model: string, version: number): Promise<VersionRecord> {
    const [rec] = await this.records(model, [version]);
    if (rec) return rec;
    await this.spec(model);
    const known = await this.versions(model);
    throw new UsageError(
      `version v${version} of model '${model}' does not exist: expected one of ${known.map((v) => `v${v}`).join(', ') || '(no versions yet: run mlops register)'}.`,
    );
  }

  /** Model names under the root (folders with a `model.yaml`, one optional group level). */
  async modelNames(): Promise<string[]> {
    const top = (await this.entries(this.root)).filter((n) => n !== 'README.md');
    const specs = await this.read(top.map((n) => `${this.root}/${n}/model.yaml`));
    const names: string[] = [];
    for (const n of top) {
      if (specs.get(`${this.root}/${n}/model.yaml`) !== undefined) names.push(n);
      else for (const child of await this.entries(`${this.root}/${n}`)) names.push(`${n}/${child}`);
    }
    const childSpecs = await this.read(
      names.filter((n) => n.includes('/')).map((n) => `${this.root}/${n}/model.yaml`),
    );
    return names
      .filter((n) => !n.includes('/') || childSpecs.get(`${this.root}/${n}/model.yaml`) !== undefined)
      .sort();
  }

  /** Every valid model with spec, aliases, versions and champion record, reading all of it in a few batches. */
  async summaries(): Promise<ModelSummary[]> {
    return (await this.survey()).models;
  }

  /**
   * Every model: the valid ones summarised, and the ones whose `model.yaml`, `aliases.yaml` or champion
   * record does not parse listed with the error, so one broken model does not hide the others.
   */
  async survey(): Promise<{ models: ModelSummary[]; invalid: InvalidModel[] }> {
    const names = await this.modelNames();
    const files = await this.read(
      names.flatMap((n) => [modelPaths(this.root, n).spec, modelPaths(this.root, n).aliases]),
    );
    const versionLists = await this.versionsOfAll(names);
    const invalid: InvalidModel[] = [];
    const guard = <T>(name: string, f: () => T): T | undefined => {
      try {
        return f();
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        invalid.push({ name, error: err.message });
        return undefined;
      }
    };
    const partial = names.flatMap((name) => {
      const p = modelPaths(this.root, name);
      const versions = versionLists.get(name) ?? [];
      const m = guard(name, () => ({
        name,
        spec: parseModelSpec(files.get(p.spec) ?? '', p.spec),
        aliases: parseAliases(files.get(p.aliases) ?? '', p.aliases),
        versions,
        latest: versions.at(-1),
      }));
      return m ? [m] : [];
    });
    const champPaths = partial
      .filter((m) => m.aliases.aliases.champion !== undefined)
      .map((m) => modelPaths(this.root, m.name).record(m.aliases.aliases.champion));
    const champs = await this.read(champPaths);
    const models = partial.flatMap((m) => {
      const c = m.aliases.aliases.champion;
      const path = c === undefined ? undefined : modelPaths(this.root, m.name).record(c);
      const text = path ? champs.get(path) : undefined;
      const champion = guard(m.name, () =>
        text && path && c !== undefined
          ? parseVersionRecord(text, path, { model: m.name, version: c })
          : undefined,
      );
      return text && !champion ? [] : [{ ...m, champion }];
    });
    return { models, invalid: invalid.sort((a, b) => (a.name < b.name ? -1 : 1)) };
  }

  /** Version lists of many models with one `ls-tree` (plus the overlay). */
  private async versionsOfAll(names: string[]): Promise<Map<string, number[]>> {
    const out = new Map<string, Set<number>>(names.map((n) => [n, new Set()]));
    const add = (path: string) => {
      const m = /^(.*)\/versions\/v([1-9]\d*)$/.exec(path.slice(this.root.length + 1));
      if (m && out.has(m[1])) out.get(m[1])?.add(Number(m[2]));
    };
    if (this.rev && names.length > 0) {
      const args = [
        'ls-tree',
        '--name-only',
        this.rev,
        '--',
        ...names.map((n) => `${this.root}/${n}/versions/`),
      ];
      const r = await this.git.run(args, { allowFail: true });
      for (const line of r.stdout.split('\n')) if (line) add(line);
    }
    for (const [p, v] of this.overlay) {
      const m = /^(.*\/versions\/v[1-9]\d*)\/version\.yaml$/.exec(p);
      if (m && v !== null) add(m[1]);
    }
    return new Map([...out].map(([k, s]) => [k, [...s].sort((a, b) => a - b)]));
  }
}
