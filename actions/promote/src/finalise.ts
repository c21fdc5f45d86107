/**
 * Finalise a merged promotion (on `push` to the default branch): verify the registry change is consistent,
 * tag `<model>@v<N>` (`<model>@v<N>-promoted-<k>` for a later promotion of a tagged version), archive the version an alias left (or else regenerate the READMEs), and comment on the
 * PR with who approved and what changed. Works on a checkout of the default branch; every write goes through the registry (which re-bases
 * and retries a push that lost a race), so two promotions finalised at once lose no alias update.
 */
import { GateFailure } from '../../../core/errors.ts';
import type { Logger } from '../../../core/logger.ts';
import type { Forge, ForgePullRequest } from '../../../github/forge.ts';
import { marker } from '../../../github/forge.ts';
import { parseAliases } from '../../../registry/index.ts';
import type { Registry } from '../../../registry/index.ts';
import { Git } from '../../../registry/git.ts';
import type { ArtifactStore } from '../../../registry/stores/types.ts';
import type { AliasesFile, VersionRecord } from '../../../registry/types.ts';
import { authorisedOwners, countApprovals } from './approvals.ts';
import { formatPromotionTag, promotionEventTagName, promotionTagName } from '../../../registry/tags.ts';
import { parseCheckMetrics } from '../../evaluate/src/check-metrics.ts';
import { evaluateCheckName, parseEvaluationExternalId } from '../../evaluate/src/external-id.ts';
import { type AliasChange, aliasChanges, promotedModels } from './gate.ts';
import { finaliseComment } from './finalise-report.ts';
import { aliasesPath } from './registry-view.ts';

/** What finalising did for one model. */
export interface ModelFinalisation {
  model: string;
  changes: AliasChange[];
  /** Tags created (`churn@v7`). */
  tags: string[];
  /** Tags that already existed (a version promoted before). */
  existingTags: string[];
  /** Versions archived by this run. */
  archived: number[];
  pr?: number;
  approvers: string[];
}

/** Options of `finalise`. */
export interface FinaliseOptions {
  registry: Registry;
  /** Push range: the commit before the push (all zeros for a new branch) and after it. */
  before: string;
  after: string;
  /** Opens the model's artifact store (from `model.yaml`'s artifact_store). */
  openStore: (uri: string | undefined) => Promise<ArtifactStore>;
  /** For the PR comment and approvers; undefined skips both (local use). */
  forge?: Forge;
  log: Logger;
  /** Only these models (default: every model whose aliases file the push changed). */
  models?: string[];
  /** Slug of the only App whose `mlops/evaluate` check is read for the evaluated metrics; undefined: any. */
  evaluateApp?: string;
}

const ZERO = /^0+$/;

async function readAt(git: Git, rev: string, path: string): Promise<string | undefined> {
  if (ZERO.test(rev)) return undefined;
  const r = await git.run(['show', `${rev}:${path}`], { allowFail: true });
  return r.code === 0 ? r.stdout : undefined;
}

/** The PR number a merge, squash or rebase-merge commit names (`Merge pull request #12 …`, `Title (#12)`). */
export function prNumberFromMessage(message: string): number | undefined {
  const m = /^Merge pull request #(\d+)\b/m.exec(message) ?? /\(#(\d+)\)\s*$/m.exec(message.split('\n')[0]);
  return m ? Number(m[1]) : undefined;
}

/** Check that every alias the push set points at an existing version whose artifacts exist in the store. */
async function consistencyProblems(
  opts: FinaliseOptions,
  model: string,
  changes: AliasChange[],
): Promise<string[]> {
  const problems: string[] = [];
  const spec = await opts.registry.spec(model, { at: opts.after });
  const store = await opts.openStore(spec.artifact_store);
  for (const c of changes) {
    if (c.to === undefined) continue;
    let record: VersionRecord;
    try {
      record = await opts.registry.resolve({ model, version: c.to }, { at: opts.after });
    } catch {
      problems.push(`${model} ${c.alias} -> v${c.to}, but v${c.to} is not registered`);
      continue;
    }
    for (const a of record.artifacts) {
      if (!(await store.hasBlob(a.sha256)))
        problems.push(
          `${model} v${c.to}: artifact ${a.path} (${a.sha256.slice(0, 12)}…) is missing from ${store.baseUri}`,
        );
    }
  }
  return problems;
}

/** Finalise every model the push promoted. Throws GateFailure (after reporting) when the change is inconsistent. */
export async function finalise(opts: FinaliseOptions): Promise<ModelFinalisation[]> {
  const { registry, log } = opts;
  const git = new Git(registry.dir);
  const root = registry.root;
  const range = ZERO.test(opts.before) ? [opts.after] : [opts.before, opts.after];
  const files = (
    await git.out(['diff', '--name-only', ...(range.length === 1 ? ['--root'] : []), ...range, '--', root])
  )
    .split('\n')
    .filter(Boolean);
  const models = opts.models ?? promotedModels(files, root);
  const results: ModelFinalisation[] = [];
  for (const model of models) {
    const path = `${root}/${model}/aliases.yaml`;
    const parse = (t: string | undefined): AliasesFile | undefined =>
      t === undefined ? undefined : parseAliases(t, path);
    const changes = aliasChanges(
      parse(await readAt(git, opts.before, path)),
      parse(await readAt(git, opts.after, path)),
    );
    if (changes.length === 0) continue;
    const problems = await consistencyProblems(opts, model, changes);
    if (problems.length > 0)
      throw new GateFailure(`the promotion of ${model} is inconsistent: ${problems.join('; ')}`);
    results.push(await finaliseModel(opts, git, model, changes));
  }
  if (results.length === 0) log.info('No alias moved in this push; nothing to finalise.');
  return results;
}

async function finaliseModel(
  opts: FinaliseOptions,
  git: Git,
  model: string,
  changes: AliasChange[],
): Promise<ModelFinalisation> {
  const { registry, log, forge } = opts;
  const message = await git.out(['log', '-1', '--format=%B', opts.after]);
  const pr = prNumberFromMessage(message);
  const pull = forge && pr !== undefined ? await pullRequest(forge, pr, log) : undefined;
  const approvers = forge && pull ? await approversOf(forge, opts, model, pull) : [];
  const result: ModelFinalisation = {
    model,
    changes,
    tags: [],
    existingTags: [],
    archived: [],
    pr,
    approvers,
  };

  const current = await registry.aliases(model);
  const held = new Set(Object.values(current.aliases));
  for (const c of changes) {
    if (c.from === undefined || held.has(c.from) || current.archived.includes(c.from)) continue;
    try {
      await registry.archive({
        model,
        version: c.from,
        reason: `replaced by v${c.to ?? '?'} as ${c.alias}${pr ? ` in #${pr}` : ''}`,
      });
    } catch (err) {
      log.warn(`kept ${model} v${c.from} unarchived: ${(err as Error).message}`);
      continue;
    }
    held.add(c.from);
    result.archived.push(c.from);
    log.info(`Archived ${model} v${c.from} (was ${c.alias}).`);
  }

  if (result.archived.length === 0) {
    // Archiving rewrites the READMEs; otherwise a hand-made or squashed PR may have left them stale.
    const r = await registry.regenerate({ model });
    if (r.changed) log.info(`Regenerated the READMEs of ${model} (${r.commit.slice(0, 7)}).`);
  }

  for (const c of changes) {
    if (c.to === undefined) continue;
    const record = await registry.resolve({ model, version: c.to }, { at: opts.after });
    const evaluated =
      forge && pull ? await evaluatedMetrics(forge, pull.headSha, model, c.to, opts.evaluateApp) : undefined;
    const recorded = evaluated ?? record.evaluation?.metrics;
    const tag = promotionTagName(model, c.to);
    const body = formatPromotionTag({
      model,
      change: c,
      pr,
      approvers,
      metrics: recorded ?? record.metrics,
      metricsSource: recorded ? 'evaluated' : 'training',
    });
    let name = tag;
    if (await tagExists(git, registry.remote, tag)) {
      result.existingTags.push(tag);
      let k = 1;
      while (await tagExists(git, registry.remote, promotionEventTagName(model, c.to, k))) k++;
      name = promotionEventTagName(model, c.to, k);
      log.info(`Tag ${tag} already exists (the first promotion of v${c.to}); this promotion is ${name}.`);
    }
    await git.run(['tag', '-f', '-a', name, opts.after, '-F', '-'], { input: body });
    if (registry.remote) await git.run(['push', registry.remote, `refs/tags/${name}`]);
    result.tags.push(name);
    log.info(`Tagged ${name}.`);
  }

  if (forge && pr !== undefined) {
    try {
      await forge.upsertComment(pr, marker('promote', model), finaliseComment(result));
    } catch (err) {
      log.warn(`could not comment on #${pr}: ${(err as Error).message}`);
    }
  }
  return result;
}

async function tagExists(git: Git, remote: string | undefined, tag: string): Promise<boolean> {
  if (remote) return (await git.out(['ls-remote', '--tags', remote, `refs/tags/${tag}`])) !== '';
  return (
    (await git.run(['rev-parse', '--verify', '--quiet', `refs/tags/${tag}`], { allowFail: true })).code === 0
  );
}

async function pullRequest(forge: Forge, pr: number, log: Logger): Promise<ForgePullRequest | undefined> {
  try {
    return await forge.getPullRequest(pr);
  } catch (err) {
    log.warn(`could not read #${pr}: ${(err as Error).message}`);
    return undefined;
  }
}

/**
 * The metrics the successful `mlops/evaluate (<model>)` check on the merged PR's head recorded for `version`
 * (see `actions/evaluate/src/check-metrics.ts`), or undefined when there is no such check from the trusted app.
 */
export async function evaluatedMetrics(
  forge: Forge,
  headSha: string,
  model: string,
  version: number,
  app: string | undefined,
): Promise<Record<string, number | null> | undefined> {
  const run = await forge.getCheckRun(headSha, evaluateCheckName(model), app ? { app } : undefined);
  if (run?.conclusion !== 'success') return undefined;
  if (app !== undefined && run.app !== undefined && run.app !== app) return undefined;
  const id = parseEvaluationExternalId(run.externalId);
  if (!id || id.model !== model || (id.version !== undefined && id.version !== version)) return undefined;
  return parseCheckMetrics(run.text);
}

async function approversOf(
  forge: Forge,
  opts: FinaliseOptions,
  model: string,
  p: ForgePullRequest,
): Promise<string[]> {
  const pr = p.number;
  try {
    const spec = await opts.registry.spec(model, { at: ZERO.test(opts.before) ? opts.after : opts.before });
    const { owners } = await authorisedOwners({
      forge,
      specOwners: spec.owners,
      path: aliasesPath(opts.registry.root, model),
      ref: p.baseRef,
    });
    const reviews = await forge.latestReviews(pr);
    return (await countApprovals({ forge, reviews, owners, author: p.author, headSha: p.headSha })).approvers;
  } catch (err) {
    opts.log.warn(`could not read the approvals of #${pr}: ${(err as Error).message}`);
    return [];
  }
}
