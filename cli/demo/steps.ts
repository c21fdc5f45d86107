/**
 * The demo's story, step by step, in the lifecycle's order: v1 trained, evaluated, gated, merged, finalised;
 * drift on shifted production data opens the retraining issue and dispatches the retrain workflow; the dispatch
 * trains v2 on the newer data, which is evaluated against v1 and promoted the same way; drift on the same window
 * against v2's reference closes the issue; a rollback to v1 goes through the gate; the history. Each step calls
 * the lifecycle functions, checks the outcome the lifecycle promises (a step that does not get it stops the demo)
 * and prints one line, result first.
 */
import { basename, join } from 'node:path';
import type { BootstrapResult, DeLongResult } from '../../stats/metrics/index.ts';
import { marker } from '../../github/forge.ts';
import { openRegistry, type RegistryEvent } from '../../registry/index.ts';
import {
  type Candidate,
  commentFile,
  type DemoEnv,
  driftCheck,
  type Evaluation,
  evaluatePr,
  gateAndFinalise,
  historyOf,
  openRollback,
  outboxOf,
  type Promotion,
  type RecordedDispatch,
  recordedDispatches,
  retrain,
  type TrainRequest,
  trainAndTrack,
} from './lifecycle.ts';
import { DEMO_MODEL, DEMO_OWNER, demoSpec, TRAIN_SETS } from './workspace.ts';

/** What the steps found, for the closing summary and for tests. */
export interface DemoFacts {
  /** Versions registered. */
  versions: number;
  /** Outbox comment files worth opening, labelled. */
  comments: { label: string; file: string }[];
  issueFile: string;
  issueNumber: number;
  /** The retraining issue's state at the end: `closed` when the drift against v2's reference cleared. */
  issueState: string;
  /** The retrain dispatch the drift step sent, and the version it trained. */
  dispatch: RecordedDispatch;
  retrainedVersion: number;
  /** The first drift report (against v1's reference) and the second (same window, v2's reference). */
  driftHtml: string;
  driftAfterHtml: string;
  driftStored?: string;
  tags: string[];
  champion: number;
  /** The evaluate comment of v2's PR (with the comparison). */
  comparisonComment: string;
  /** The check summary of v2's evaluation (the LocalForge's Markdown file), when written. */
  checkSummary?: string;
}

const f3 = (x: number | null | undefined) => (typeof x === 'number' ? x.toFixed(3) : 'n/a');
const sec = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

function evaluated(e: Evaluation, data: string): string {
  const r = e.report;
  const on = `on ${basename(data)} (${r.rows} rows)`;
  const m = r.primary_metric.name;
  const verdict = r.passed ? 'PASSED' : 'FAILED';
  const cmp = r.comparison?.[m];
  if (cmp && e.championLabel) {
    const p =
      cmp.method === 'delong' ? `, DeLong p=${(cmp as DeLongResult).p_value?.toPrecision(2) ?? 'n/a'}` : '';
    const diff = cmp.difference ?? 0;
    return `${verdict} ${e.candidateLabel} vs champion ${e.championLabel} ${on}: ${m} ${f3(r.metrics[m])} vs ${f3(r.baseline?.metrics[m])} (${diff >= 0 ? '+' : ''}${f3(diff)}${p})`;
  }
  return `${verdict} ${e.candidateLabel} ${on}: ${m} ${f3(r.metrics[m])} (first version, no champion yet)`;
}

/** The bootstrap intervals of a few other metrics, when the candidate was compared with a champion. */
function bootstrapLine(e: Evaluation): string | undefined {
  const parts: string[] = [];
  let resamples = 0;
  for (const name of ['log_loss', 'brier_score_loss']) {
    const c = e.report.comparison?.[name];
    if (c?.method !== 'bootstrap' || c.ci_low === null || c.ci_high === null) continue;
    const b = c as BootstrapResult;
    resamples = b.resamples;
    const sign = (x: number | null) => `${(x ?? 0) >= 0 ? '+' : ''}${f3(x)}`;
    parts.push(`${name} ${sign(b.difference)} [${sign(b.ci_low)}, ${sign(b.ci_high)}]`);
  }
  return parts.length ? `paired bootstrap (${resamples} resamples, 95% CI): ${parts.join(', ')}` : undefined;
}

function gateLine(p: Promotion): string {
  const r = p.gate.results[0];
  if (!r) return 'nothing to gate';
  if (!r.passed) {
    const why = r.conditions.filter((c) => !c.ok).flatMap((c) => c.details);
    return `BLOCKED PR #${r.pr}: ${why[0] ?? 'see the check'}`;
  }
  return `PASSED PR #${r.pr}: owner ${r.approvers.join(', ')} approved, evaluation green on the head commit -> merged`;
}

function finaliseLine(p: Promotion): string {
  const f = p.finalised[0];
  if (!f) return 'nothing finalised';
  const moves = f.changes.map((c) => `${c.alias} ${c.from ? `v${c.from} -> ` : '-> '}v${c.to}`);
  const tags = [...f.tags, ...f.existingTags.map((t) => `${t} (kept)`)];
  const archived = f.archived.length ? `; archived ${f.archived.map((v) => `v${v}`).join(', ')}` : '';
  return `${moves.join(', ')}; tag ${tags.join(', ') || 'none'}${archived}`;
}

/** The PR comment's verdict (its first bullet list, a few lines) indented, then where the whole comment is. */
function commentPreview(d: DemoEnv, e: Evaluation): string[] {
  const lines = e.markdown.split('\n');
  const start = lines.findIndex((l) => l.startsWith('- '));
  const verdict: string[] = [];
  for (let i = start; start >= 0 && i < lines.length && lines[i].startsWith('- '); i++)
    verdict.push(`  ${lines[i]}`);
  const file = e.commentFile?.startsWith(`${d.ws.repo}/`)
    ? e.commentFile.slice(d.ws.repo.length + 1)
    : e.commentFile;
  return ['PR comment (verdict):', ...verdict.slice(0, 4), `full comment: ${file ?? 'not written'}`];
}

/** Promote a candidate: evaluate its PR, gate (optionally first without approval), merge, finalise. */
async function promote(
  d: DemoEnv,
  say: (s: string) => void,
  c: {
    pr: number;
    label: string;
    /** The held-out evaluation set. */
    data: string;
    showBlocked?: boolean;
    showComment?: boolean;
    expectChampion: number;
  },
): Promise<Evaluation> {
  let t0 = Date.now();
  const e = await evaluatePr(d, c.pr, c.data);
  say(`evaluate  ${evaluated(e, c.data)}; comment + check on PR #${c.pr} (${sec(t0)})`);
  const boot = bootstrapLine(e);
  if (boot) say(`          ${boot}`);
  if (c.showComment) for (const line of commentPreview(d, e)) say(`          ${line}`);
  if (!e.report.passed) throw new Error(`the evaluation of ${c.label} failed its gates`);
  if (c.showBlocked) {
    t0 = Date.now();
    const blocked = await gateAndFinalise(d, c.pr, []);
    if (blocked.gate.passed) throw new Error(`the gate passed PR #${c.pr} without an approval`);
    say(`gate      ${gateLine(blocked)}`);
  }
  t0 = Date.now();
  const p = await gateAndFinalise(d, c.pr, [DEMO_OWNER]);
  say(`gate      ${gateLine(p)} (${sec(t0)})`);
  if (!p.gate.mergeSha) throw new Error(`the gate did not pass PR #${c.pr}`);
  say(`finalise  ${finaliseLine(p)}`);
  const champion = (await openRegistry({ dir: d.ws.repo })).aliases(DEMO_MODEL);
  const now = (await champion).aliases.champion;
  if (now !== c.expectChampion) throw new Error(`champion is v${now}, expected v${c.expectChampion}`);
  return e;
}

/** Narrate a training run (`run` trains and tracks `t`): the train line, then the track line. */
async function candidate(
  say: (s: string) => void,
  t: Omit<TrainRequest, 'description'>,
  run: () => Promise<Candidate>,
): Promise<Candidate> {
  const t0 = Date.now();
  const c = await run();
  const m = c.metrics;
  say(
    `train     ${t.name}: ONNX model after ${t.epochs} epochs on ${t.rows} patients of ${basename(t.data)} (validation roc_auc ${f3(m.roc_auc)}); data hashed (${sec(t0)})`,
  );
  say(
    `track     ${DEMO_MODEL} v${c.version} registered on branch ${c.branch}; opened PR #${c.pr} "Promote ${DEMO_MODEL} v${c.version} to champion"`,
  );
  return c;
}

/** Events oldest first, keeping the order of the events of one commit. */
function oldestFirst(newestFirst: RegistryEvent[]): RegistryEvent[] {
  const groups: RegistryEvent[][] = [];
  for (const e of newestFirst) {
    const last = groups.at(-1);
    if (last && last[0].commit === e.commit) last.push(e);
    else groups.push([e]);
  }
  return groups.reverse().flat();
}

function eventText(e: RegistryEvent): string {
  if (e.type === 'registered') return `registered v${e.version}`;
  if (e.type === 'archived') return `archived v${e.version}`;
  const arrow = e.from !== undefined ? `v${e.from} -> v${e.version}` : `-> v${e.version}`;
  return `${e.type === 'rolled_back' ? 'rolled back ' : ''}${e.alias} ${arrow}`;
}

type DriftResult = Awaited<ReturnType<typeof driftCheck>>;

/** "DRIFT ...: predictions shifted; 2/8 features drifted (age, cholesterol)" or "CLEAN ...: 0/8 features ...". */
function driftLine(r: DriftResult, champion: number, t0: number): string {
  const cols = r.run.features.columns;
  const drifted = cols.filter((c) => c.drifted).map((c) => c.name);
  const features = `${drifted.length}/${cols.length} features drifted${drifted.length ? ` (${drifted.join(', ')})` : ''}`;
  const vs = `production week 14 vs champion v${champion}'s training data`;
  if (!r.run.drift) return `CLEAN ${vs}: ${features}, predictions and labels steady (${sec(t0)})`;
  const outcomes = r.run.reasons
    .filter((x) => !x.startsWith('dataset drift'))
    .map((x) => (x.startsWith('prediction') ? 'predictions shifted' : 'labels shifted'));
  return `DRIFT ${vs}: ${[...outcomes, features].join('; ')} (${sec(t0)})`;
}

const rel = (d: DemoEnv, p: string) => (p.startsWith(`${d.ws.repo}/`) ? p.slice(d.ws.repo.length + 1) : p);

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Run the story; `say` prints one line. Throws when a step does not get the outcome it should. */
export async function lifecycle(d: DemoEnv, say: (s: string) => void): Promise<DemoFacts> {
  const reg = await openRegistry({ dir: d.ws.repo, log: d.log });
  await reg.init({ model: DEMO_MODEL, spec: demoSpec(d.ws.store) });
  say(
    `init      models/${DEMO_MODEL}/model.yaml: binary, roc_auc gates (>= 0.7, <= 0.05 regression), owner ${DEMO_OWNER}`,
  );

  // v1: trained on January's data, promoted through the gate.
  const t1 = { name: 'v1', data: d.ws.data.trainV1, ...TRAIN_SETS.v1, epochs: 8, l2: 0.05 };
  const v1 = await candidate(say, t1, () =>
    trainAndTrack(d, { ...t1, description: `Baseline: ${t1.rows} patients, short training` }),
  );
  await promote(d, say, {
    pr: v1.pr,
    label: `v${v1.version}`,
    data: d.ws.data.evaluation,
    expectChampion: v1.version,
  });

  // Production shifts: drift against v1's reference opens the retraining issue and dispatches retrain.yml.
  let t0 = Date.now();
  const drift = await driftCheck(d, `drift-${DEMO_MODEL}-vs-v${v1.version}`);
  const issue = drift.issue?.issue;
  if (!drift.run.drift || !issue) throw new Error('drift was not detected on the shifted production data');
  say(`drift     ${driftLine(drift, v1.version, t0)}`);
  if (!drift.issue?.dispatched)
    throw new Error(`retrain.yml was not dispatched: ${drift.issue?.dispatchNote}`);
  say(
    `          retraining issue #${issue.number} ${drift.issue.action}; retrain.yml dispatched; reports in ${rel(d, join(d.ws.repo, '.mlops', 'reports'))}/`,
  );

  // The dispatch runs the retrain workflow: its inputs pick the model and explain why.
  const dispatch = (await recordedDispatches(d)).at(-1);
  if (!dispatch) throw new Error('the drift step recorded no dispatch');
  const { model, reason = '', issue: asked } = dispatch.inputs;
  say(
    `retrain   ${dispatch.workflow} runs for the dispatch: model ${model}, issue #${asked}, reason "${clip(reason, 60)}"`,
  );
  const t2 = { name: 'v2', data: d.ws.data.trainV2, ...TRAIN_SETS.v2, epochs: 60, l2: 0.001 };
  const v2 = await candidate(say, t2, () => retrain(d, dispatch, t2));
  const e2 = await promote(d, say, {
    pr: v2.pr,
    label: `v${v2.version}`,
    data: d.ws.data.evaluationRecent,
    showBlocked: true,
    showComment: true,
    expectChampion: v2.version,
  });

  // The same production window against v2's reference: the retraining issue closes when the drift cleared.
  t0 = Date.now();
  const after = await driftCheck(d, `drift-${DEMO_MODEL}-vs-v${v2.version}`);
  say(`drift     ${driftLine(after, v2.version, t0)}`);
  const closed = after.issue?.action === 'closed';
  say(
    closed
      ? `          retraining issue #${issue.number} closed: the drift cleared once the champion was retrained`
      : `          retraining issue #${issue.number} stays open (${after.issue?.action ?? 'not touched'}): ${after.run.reasons.join('; ') || 'see the report'}`,
  );

  // A rollback is a promotion of an older version: a PR through the same evaluation and gate.
  t0 = Date.now();
  const rb = await openRollback(
    d,
    v1.version,
    'a downstream team reports a problem with v2; back to v1 meanwhile',
  );
  if (rb.pr === undefined) throw new Error('the rollback opened no PR');
  say(
    `rollback  PR #${rb.pr} opened: "Roll back ${DEMO_MODEL} champion to v${rb.to}" (say v2 misbehaves downstream: a rollback goes through the same evaluation and gate)`,
  );
  await promote(d, say, {
    pr: rb.pr,
    label: `rollback to v${rb.to}`,
    data: d.ws.data.evaluationRecent,
    expectChampion: v1.version,
  });

  const h = await historyOf(d);
  const story = oldestFirst(h.events).map(eventText).join(', ');
  say(`history   ${h.events.length} events read back from Git (oldest first): ${story}`);

  const outbox = outboxOf(d);
  const comments = [
    { label: 'v1 evaluation', file: await commentFile(d, v1.pr, marker('evaluate', DEMO_MODEL)) },
    { label: 'v2 vs v1 comment', file: e2.commentFile },
    { label: 'v2 promoted note', file: await commentFile(d, v2.pr, marker('promote', DEMO_MODEL)) },
  ].filter((c): c is { label: string; file: string } => c.file !== undefined);
  return {
    versions: v2.version,
    comments,
    issueFile: join(outbox, 'issues', `${issue.number}.md`),
    issueNumber: issue.number,
    issueState: closed ? 'closed' : 'open',
    dispatch,
    retrainedVersion: v2.version,
    driftHtml: drift.htmlFile,
    driftAfterHtml: after.htmlFile,
    ...(drift.reportUri ? { driftStored: drift.reportUri } : {}),
    tags: h.tags,
    champion: h.aliases.aliases.champion,
    comparisonComment: e2.markdown,
    ...(e2.checkRun?.url ? { checkSummary: e2.checkRun.url } : {}),
  };
}
