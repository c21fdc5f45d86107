/**
 * The audit record of a promotion: the annotated tag `<model>@v<N>` that finalise creates on the merge commit,
 * whose message names the alias move, the PR, the approvers and the evaluated metrics as trailers. A later
 * promotion back to an already-tagged version (a rollback) gets its own event tag `<model>@v<N>-promoted-<k>`
 * (k = 1, 2, …) with the same message, so every promotion keeps its PR and approvers. Written by
 * the promote action, read back here (pure Git reads) and joined to the model's history for `mlops history`.
 */
import { Git } from './git.ts';
import type { RegistryEvent } from './index.ts';

/** `churn@v7` (`group/churn@v7` for a grouped model). */
export function promotionTagName(model: string, version: number): string {
  return `${model}@v${version}`;
}

/** The tag of the k-th later promotion of an already-tagged version: `churn@v3-promoted-1`. */
export function promotionEventTagName(model: string, version: number, k: number): string {
  return `${promotionTagName(model, version)}-promoted-${k}`;
}

const TAG = /@v(\d+)(?:-promoted-(\d+))?$/;

/** A promotion as recorded in its tag. */
export interface PromotionRecord {
  model: string;
  /** The alias move (`to` undefined: the alias was removed, which is never tagged). */
  change: { alias: string; from?: number; to?: number };
  pr?: number;
  approvers: string[];
  metrics?: Record<string, number | null>;
  /** Where `metrics` come from: the evaluate check on the PR head, or the version's training record. */
  metricsSource?: 'evaluated' | 'training';
}

/**
 * The tag message: a subject line, then `Pull-Request`, `Approved-by`, `Metrics-Source`, `Metric` and
 * `Mlops-Event` trailers.
 */
export function formatPromotionTag(r: PromotionRecord): string {
  const { model, change: c } = r;
  const from = c.from !== undefined ? `v${c.from} -> ` : '';
  const lines = [`Promote ${model} v${c.to} to ${c.alias}`, ''];
  if (r.pr !== undefined) lines.push(`Pull-Request: #${r.pr}`);
  for (const a of r.approvers) lines.push(`Approved-by: ${a}`);
  if (r.metricsSource) lines.push(`Metrics-Source: ${r.metricsSource}`);
  for (const [k, v] of Object.entries(r.metrics ?? {})) if (v !== null) lines.push(`Metric: ${k}=${v}`);
  lines.push(
    `Mlops-Event: ${c.from !== undefined ? 'alias_moved' : 'alias_set'} ${model} ${c.alias} ${from}v${c.to}`,
  );
  return `${lines.join('\n')}\n`;
}

/** A promotion read back from a tag. */
export interface PromotionTag {
  tag: string;
  version: number;
  alias?: string;
  from?: number;
  pr?: number;
  approvers: string[];
  metrics: Record<string, number>;
  metricsSource?: 'evaluated' | 'training';
  /** 0 for `<model>@v<N>`, k for the event tag `<model>@v<N>-promoted-<k>`. */
  event: number;
  /** Tagger date, ISO 8601. */
  time: string;
  tagger: string;
  /** The commit the tag points at (the merge commit). */
  commit: string;
}

/** Parse one tag message (see `formatPromotionTag`). */
export function parsePromotionTag(
  tag: string,
  message: string,
): Omit<PromotionTag, 'time' | 'tagger' | 'commit'> {
  const m = TAG.exec(tag);
  const version = Number(m?.[1] ?? Number.NaN);
  const event = Number(m?.[2] ?? 0);
  const out: Omit<PromotionTag, 'time' | 'tagger' | 'commit'> = {
    tag,
    version,
    event,
    approvers: [],
    metrics: {},
  };
  for (const line of message.split('\n')) {
    const [key, ...rest] = line.split(':');
    const value = rest.join(':').trim();
    if (key === 'Pull-Request') out.pr = Number(value.replace('#', ''));
    else if (key === 'Approved-by') out.approvers.push(value);
    else if (key === 'Metrics-Source' && (value === 'evaluated' || value === 'training'))
      out.metricsSource = value;
    else if (key === 'Metric' && value.includes('=')) {
      const [k, v] = [
        value.slice(0, value.lastIndexOf('=')),
        Number(value.slice(value.lastIndexOf('=') + 1)),
      ];
      if (Number.isFinite(v)) out.metrics[k] = v;
    } else if (key === 'Mlops-Event') {
      const m = /\s([a-z][a-z0-9_-]*)\s+(?:v(\d+)\s*->\s*)?v\d+\s*$/.exec(value);
      if (m) {
        out.alias = m[1];
        if (m[2]) out.from = Number(m[2]);
      }
    }
  }
  return out;
}

/**
 * Every promotion tag (and event tag) of a model in a work tree, newest first; of one version, later events
 * first (fetch tags first to see the remote's).
 */
export async function readPromotionTags(dir: string, model: string): Promise<PromotionTag[]> {
  const out = await new Git(dir).out([
    'for-each-ref',
    '--sort=-taggerdate',
    '--format=%(refname:strip=2)%1f%(taggerdate:iso-strict)%1f%(taggername)%1f%(objectname)%1f%(*objectname)%1f%(contents)%1e',
    `refs/tags/${model}@v*`,
  ]);
  return out
    .split('\x1e')
    .map((r) => r.replace(/^\n/, ''))
    .filter((r) => r.includes('\x1f'))
    .map((r) => {
      const [tag, time, tagger, object, peeled, message] = r.split('\x1f');
      return { ...parsePromotionTag(tag, message), time, tagger, commit: peeled || object };
    })
    .filter((t) => TAG.test(t.tag) && t.tag.slice(0, t.tag.lastIndexOf('@')) === model)
    .sort((a, b) => b.time.localeCompare(a.time) || b.event - a.event);
}

/** A history event, with what its promotion tag recorded when the event is the alias move a tag records. */
export interface PromotionEvent extends RegistryEvent {
  /** The `<model>@v<N>` tag that records this alias move. */
  tag?: string;
  /** The pull request that merged it. */
  pr?: number;
  /** Who approved it (the authorised approvals counted on the PR head). */
  approvers?: string[];
  /** The version's evaluated metrics, as recorded in the tag. */
  metrics?: Record<string, number>;
  /** `evaluated` (the evaluate check) or `training` (the version record's own metrics). */
  metricsSource?: 'evaluated' | 'training';
}

const MOVES = new Set(['alias_set', 'alias_moved', 'rolled_back']);

/**
 * Join promotion tags to the history events they record (events newest first, as `registry.history` returns
 * them): a tag records the move of its alias to its version from its previous version, made by a commit the
 * tagged merge commit contains; the newest such event gets it. Each tag annotates at most one event.
 */
export async function withPromotions(
  dir: string,
  events: RegistryEvent[],
  tags: PromotionTag[],
): Promise<PromotionEvent[]> {
  const git = new Git(dir);
  const out: PromotionEvent[] = events.map((e) => ({ ...e }));
  const used = new Set<number>();
  for (const t of tags) {
    for (const [i, e] of out.entries()) {
      if (used.has(i) || !MOVES.has(e.type) || e.version !== t.version) continue;
      if (t.alias !== undefined && (e.alias !== t.alias || e.from !== t.from)) continue;
      const contains = await git.run(['merge-base', '--is-ancestor', e.commit, t.commit], {
        allowFail: true,
      });
      if (contains.code !== 0) continue;
      used.add(i);
      Object.assign(e, {
        tag: t.tag,
        ...(t.pr !== undefined ? { pr: t.pr } : {}),
        approvers: t.approvers,
        metrics: t.metrics,
        ...(t.metricsSource ? { metricsSource: t.metricsSource } : {}),
      });
      break;
    }
  }
  return out;
}

/** `registry.history` events of `model` joined with the promotion tags in the work tree `dir`. */
export async function historyWithPromotions(
  dir: string,
  model: string,
  events: RegistryEvent[],
): Promise<PromotionEvent[]> {
  return withPromotions(dir, events, await readPromotionTags(dir, model));
}
