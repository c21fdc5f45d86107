/**
 * The retraining issue: one open issue per model, found by the marker `<!-- mlops:drift:<model> -->` and labelled
 * `mlops:drift`. Opened when drift is detected, rewritten on every later run (a comment only when the verdict
 * changes), closed with a comment after `closeAfter` clean runs in a row. Its body keeps the run history (the
 * trend) and the last dispatch of the retrain workflow in a hidden, base64-encoded state line, so the next run
 * needs nothing else; a closed issue's state still counts for the dispatch cooldown.
 */
import type { Clock } from '../../../core/clock.ts';
import type { Logger } from '../../../core/logger.ts';
import { type Forge, type ForgeIssue, marker } from '../../../github/forge.ts';
import { escapeText, table, truncate } from '../../../github/markdown.ts';
import { fmt } from './charts.ts';
import { ran } from './outcomes.ts';
import { markdownReport } from './report-md.ts';
import type { DriftRun } from './types.ts';

/** The issue's label. */
export const DRIFT_LABEL = 'mlops:drift';
/** Runs kept in the issue's history. */
export const HISTORY_RUNS = 30;
/** Runs shown in the trend table. */
export const TREND_RUNS = 10;

/** One run as the issue remembers it. */
export interface RunEntry {
  time: string;
  drift: boolean;
  share: number;
  drifted: string[];
  prediction?: boolean;
  run_url?: string;
}

/** What the issue body remembers between runs. */
export interface DriftState {
  runs: RunEntry[];
  /** Clean runs in a row since the last drift. */
  clean_streak: number;
  /** ISO time of the last retrain dispatch, and how many were sent. */
  last_dispatch?: string;
  dispatches: number;
}

const STATE_RE = /<!-- mlops:drift-state:([A-Za-z0-9_-]+={0,2}) -->/;

/** The state hidden in an issue body (an empty state when there is none or it does not parse). */
export function parseState(body: string | undefined): DriftState {
  const m = body ? STATE_RE.exec(body) : null;
  if (m) {
    try {
      const s = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8')) as DriftState;
      if (Array.isArray(s.runs))
        return {
          runs: s.runs,
          clean_streak: s.clean_streak ?? 0,
          last_dispatch: s.last_dispatch,
          dispatches: s.dispatches ?? 0,
        };
    } catch {
      // a hand-edited body: start over
    }
  }
  return { runs: [], clean_streak: 0, dispatches: 0 };
}

/** The hidden state line. */
export function stateLine(state: DriftState): string {
  return `<!-- mlops:drift-state:${Buffer.from(JSON.stringify(state)).toString('base64url')} -->`;
}

/** Settings of the retrain dispatch. */
export interface RetrainSettings {
  /** Workflow file name or id. */
  workflow: string;
  /** Branch or tag to run it on. */
  ref: string;
  /** Minimum time between two dispatches, in milliseconds. */
  cooldownMs: number;
}

/** Options of `syncIssue`. */
export interface SyncIssueOptions {
  forge: Forge;
  model: string;
  run: DriftRun;
  /** Clean runs in a row that close the issue. Default 1. */
  closeAfter?: number;
  retrain?: RetrainSettings;
  /** Link to the full report, when stored somewhere reachable. */
  reportUrl?: string;
  clock?: Clock;
  log: Logger;
}

/** What `syncIssue` did. */
export interface SyncIssueResult {
  action: 'created' | 'updated' | 'closed' | 'none';
  issue?: ForgeIssue;
  dispatched: boolean;
  /** Why the dispatch was not sent, when it was due to be considered. */
  dispatchNote?: string;
  state: DriftState;
}

function entry(run: DriftRun): RunEntry {
  const e: RunEntry = {
    time: run.time,
    drift: run.drift,
    share: run.features.share_drifted,
    drifted: run.features.columns.filter((c) => c.drifted).map((c) => c.name),
  };
  if (run.prediction && ran(run.prediction)) e.prediction = run.prediction.result.drifted;
  if (run.runUrl) e.run_url = run.runUrl;
  return e;
}

function trend(state: DriftState): string {
  const rows = state.runs
    .slice(-TREND_RUNS)
    .reverse()
    .map((r) => [
      r.run_url ? `[${r.time}](${encodeURI(r.run_url)})` : r.time,
      r.drift ? '🔴 drift' : '🟢 clean',
      fmt(r.share),
      r.prediction === undefined ? '—' : r.prediction ? 'drift' : 'ok',
      r.drifted.length
        ? r.drifted.slice(0, 8).map(escapeText).join(', ') + (r.drifted.length > 8 ? ', …' : '')
        : '—',
    ]);
  const shares = state.runs.slice(-TREND_RUNS).map((r) => fmt(r.share));
  return [
    `### Trend (last ${rows.length} run(s), newest first)`,
    `Share of drifted features: ${shares.join(' → ')}`,
    table(['run', 'verdict', 'share drifted', 'prediction', 'drifted features'], rows, { raw: true }),
  ].join('\n\n');
}

function body(o: SyncIssueOptions, state: DriftState, note: string): string {
  const head = o.run.drift
    ? `Drift was detected in the production data of **${escapeText(o.model)}**; consider retraining it.`
    : `The last ${state.clean_streak} run(s) found no drift in **${escapeText(o.model)}**; the issue closes after ${o.closeAfter ?? 1} clean run(s) in a row.`;
  const text = [stateLine(state), head, note, trend(state), markdownReport(o.run, { reportUrl: o.reportUrl })]
    .filter(Boolean)
    .join('\n\n');
  // Leave room for the marker the forge prepends; the state line comes first, so a cut never loses it.
  return truncate(text, {
    limit: 65_000,
    what: 'issue',
    fullReportUrl: o.reportUrl?.startsWith('http') ? o.reportUrl : undefined,
  }).text;
}

function title(model: string): string {
  return `Data drift detected: retrain ${model}`;
}

/** Open, update or close the model's retraining issue for this run, and dispatch the retrain workflow when due. */
export async function syncIssue(o: SyncIssueOptions): Promise<SyncIssueResult> {
  const now = (o.clock ?? (() => new Date()))();
  const mark = marker('drift', o.model);
  const open = await o.forge.findIssue(mark);
  const last = open ?? (await o.forge.findIssue(mark, { includeClosed: true }));
  const prev = parseState(last?.body);
  const state: DriftState = {
    ...prev,
    runs: [...prev.runs, entry(o.run)].slice(-HISTORY_RUNS),
    clean_streak: o.run.drift ? 0 : open ? prev.clean_streak + 1 : 0,
  };
  const previousVerdict = open ? prev.runs.at(-1)?.drift : undefined;
  const labels = [DRIFT_LABEL];
  if (!o.run.drift) {
    if (!open) return { action: 'none', dispatched: false, state };
    const closeAfter = o.closeAfter ?? 1;
    const up = await o.forge.upsertIssue({
      marker: mark,
      title: title(o.model),
      body: body(o, state, ''),
      labels,
    });
    if (state.clean_streak >= closeAfter) {
      await o.forge.closeIssue(
        open.number,
        `No drift in ${state.clean_streak} run(s) in a row (${now.toISOString()}); closing. A new drift reopens the conversation in a new issue.`,
      );
      o.log.info(`closed the retraining issue #${open.number}: drift cleared`);
      return { action: 'closed', issue: { ...up.item, state: 'closed' }, dispatched: false, state };
    }
    if (previousVerdict === true) {
      await o.forge.addComment(
        open.number,
        `No drift in this run (${now.toISOString()}); ${state.clean_streak} of ${closeAfter} clean run(s) needed to close.`,
      );
    }
    return { action: 'updated', issue: up.item, dispatched: false, state };
  }
  let note = '';
  let dispatchDue = false;
  let dispatchNote: string | undefined;
  if (o.retrain) {
    const since = prev.last_dispatch
      ? now.getTime() - Date.parse(prev.last_dispatch)
      : Number.POSITIVE_INFINITY;
    dispatchDue = !(since < o.retrain.cooldownMs);
    if (dispatchDue) {
      state.last_dispatch = now.toISOString();
      state.dispatches = prev.dispatches + 1;
      note = `Dispatched the retrain workflow \`${escapeText(o.retrain.workflow)}\` on \`${escapeText(o.retrain.ref)}\` at ${state.last_dispatch} (dispatch ${state.dispatches}).`;
    } else {
      const next = new Date(Date.parse(prev.last_dispatch as string) + o.retrain.cooldownMs).toISOString();
      dispatchNote = `the last dispatch (${prev.last_dispatch}) is within the cooldown; the next is possible after ${next}`;
      note = `The retrain workflow \`${escapeText(o.retrain.workflow)}\` was dispatched at ${prev.last_dispatch}; ${escapeText(dispatchNote.replace(/^the last dispatch \([^)]*\) is /, 'this run is '))}.`;
    }
  }
  const up = await o.forge.upsertIssue({
    marker: mark,
    title: title(o.model),
    body: body(o, state, note),
    labels,
  });
  if (up.action === 'created') o.log.info(`opened the retraining issue #${up.item.number}`);
  else if (previousVerdict === false) {
    await o.forge.addComment(
      up.item.number,
      `Drift detected again (${now.toISOString()}): share of drifted features ${fmt(o.run.features.share_drifted)}.`,
    );
  }
  let dispatched = false;
  if (o.retrain && dispatchDue) {
    const reason = `drift: ${o.run.reasons.join('; ')}`.slice(0, 1000);
    try {
      await o.forge.dispatchWorkflow(o.retrain.workflow, o.retrain.ref, {
        model: o.model,
        reason,
        issue: String(up.item.number),
      });
      dispatched = true;
      o.log.info(`dispatched ${o.retrain.workflow} on ${o.retrain.ref} for ${o.model}`);
    } catch (err) {
      dispatchNote = `dispatching ${o.retrain.workflow} failed: ${(err as Error).message}`;
      o.log.warn(dispatchNote);
      state.last_dispatch = prev.last_dispatch;
      state.dispatches = prev.dispatches;
      await o.forge.upsertIssue({
        marker: mark,
        title: title(o.model),
        body: body(
          o,
          state,
          `Dispatching the retrain workflow failed: ${escapeText((err as Error).message)}`,
        ),
        labels,
      });
    }
  }
  return {
    action: up.action === 'created' ? 'created' : 'updated',
    issue: up.item,
    dispatched,
    dispatchNote,
    state,
  };
}
