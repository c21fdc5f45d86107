/**
 * `mlops demo`: the whole lifecycle on embedded defaults. train v1 -> track (promotion PR) -> evaluate (comment,
 * check) -> gate with the owner's approval -> merge -> finalise (champion, tag); drift on shifted production data
 * (HTML report, retraining issue, retrain dispatch); the dispatch retrains v2 on the newer data, evaluated against
 * v1 and promoted the same way; drift again on the same window against v2's reference (the issue closes);
 * rollback to v1 through the same gate; the history. One line per step, then where every output went.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import { type DemoEnv, outboxOf } from './lifecycle.ts';
import { type DemoFacts, lifecycle } from './steps.ts';
import { createWorkspace, DEMO_MODEL, type DemoWorkspace } from './workspace.ts';

export { DEMO_MODEL, DEMO_OWNER, type DemoWorkspace } from './workspace.ts';
export type { DemoFacts } from './steps.ts';

/** Options of `runDemo`. */
export interface RunDemoOptions {
  /** Results for a person (stdout). */
  out: (text: string) => void;
  /** Progress and errors (stderr); the actions' own logs go to its `debug` (shown with --verbose). */
  log: Logger;
  env: NodeJS.ProcessEnv;
  /** Remove the temporary folder at the end. */
  clean?: boolean;
}

/** What a demo run did: the exit code, the workspace and the facts each step reported. */
export interface DemoRun {
  code: number;
  ws?: DemoWorkspace;
  facts?: DemoFacts;
}

const BIN = fileURLToPath(new URL('../../bin/mlops.js', import.meta.url));

function innerLogger(log: Logger, lines: string[]): Logger {
  const keep = (level: string) => (m: string) => {
    lines.push(`${level}${m}`);
    log.debug(`    ${level}${m}`);
  };
  return { info: keep(''), warn: keep('warning: '), error: keep('error: '), debug: () => {} };
}

function aligned(rows: [string, string][]): string[] {
  const w = Math.max(...rows.map(([c]) => c.length));
  return rows.map(([c, why]) => `  ${why ? `${c.padEnd(w)}  # ${why}` : c}`);
}

/** Where each output went, and what to try next. */
function whereItWent(ws: DemoWorkspace, d: DemoEnv, f: DemoFacts): string[] {
  const outbox = outboxOf(d);
  const rel = (p: string) => (p.startsWith(`${ws.repo}/`) ? p.slice(ws.repo.length + 1) : p);
  const lines = [
    '',
    `Where everything went (repository ${ws.repo}):`,
    `  registry files     models/${DEMO_MODEL}/model.yaml, aliases.yaml, versions/v1..v${f.versions}/version.yaml + card.md`,
    `  generated READMEs  models/README.md (index), models/${DEMO_MODEL}/README.md (versions, alias timeline, chart)`,
    `  promotion PRs      ${rel(join(outbox, 'pulls'))}/<n>.md (branches mlops/${DEMO_MODEL}/v<N>, merged into main)`,
    ...f.comments.map((c) => `  ${c.label.padEnd(18)} ${rel(c.file)}`),
    ...(f.checkSummary ? [`  check summary      ${rel(f.checkSummary)} (v2's evaluation)`] : []),
    `  all check runs     ${rel(join(outbox, 'checks'))}/ (mlops/evaluate and mlops/promotion-gate, .md and .json)`,
    `  drift report       ${rel(f.driftHtml)} (v1's reference; also in the store: ${f.driftStored ?? 'not stored'})`,
    `  drift report       ${rel(f.driftAfterHtml)} (same week, v2's reference)`,
    `  retraining issue   ${rel(f.issueFile)} (${f.issueState}; its comments: ${rel(join(outbox, 'comments'))}/${f.issueNumber}-*.md)`,
    `  retrain dispatch   ${rel(join(outbox, 'dispatches.json'))} (it trained v${f.retrainedVersion})`,
    `  artifact store     ${ws.store}/ (sha256-addressed ONNX models and reference profiles)`,
    `  Git remote         ${ws.remote} (main, tags ${f.tags.join(' ')})`,
    '',
    'Try next:',
    ...aligned([
      [`cd ${ws.repo}`, ''],
      [`node ${BIN} show ${DEMO_MODEL}@champion`, "the champion's record"],
      [`node ${BIN} history ${DEMO_MODEL}`, 'who promoted what, when, read back from Git'],
      ['git log --oneline --graph main', 'every registry change is a commit'],
      [`cat ${rel(f.comments[1]?.file ?? '')}`, 'the PR comment comparing v2 with v1'],
      [`open ${rel(f.driftHtml)}`, 'the drift report in a browser'],
    ]),
    '',
    'On GitHub the same functions run as the actions in actions/, chained by the reusable workflows in',
    '.github/workflows/ (retrain, evaluate, promote, drift): see README.md and examples/consumer/ to adopt them.',
  ];
  return lines;
}

/** Run the demo; the exit code is 0 when every step did what the lifecycle expects. */
export async function runDemo(opts: RunDemoOptions): Promise<DemoRun> {
  const t0 = Date.now();
  const ws = await createWorkspace();
  const lines: string[] = [];
  const d: DemoEnv = { ws, log: innerLogger(opts.log, lines), env: opts.env, clock: systemClock };
  opts.out(`mlops demo: the model lifecycle in a throwaway repository (${ws.root})`);
  opts.out(`  local Git remote, local artifact store, GitHub stood in for by files under .mlops/outbox/\n`);
  let facts: DemoFacts | undefined;
  try {
    facts = await lifecycle(d, (line) => opts.out(line));
  } catch (err) {
    const tail = lines.slice(-15);
    if (tail.length) opts.log.error(`the last lines of the step's log:\n  ${tail.join('\n  ')}`);
    opts.log.error(`demo failed: ${(err as Error).message}`);
    opts.out(`\nThe demo stopped; everything so far is in ${ws.root}`);
    return { code: 1, ws };
  }
  opts.out(`\nThe whole lifecycle took ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
  if (opts.clean) {
    await rm(ws.root, { recursive: true, force: true });
    opts.out(`Removed ${ws.root} (--clean). Run without --clean to keep the outputs and look around.`);
  } else {
    opts.out(whereItWent(ws, d, facts).join('\n'));
  }
  return { code: 0, ws, facts };
}
