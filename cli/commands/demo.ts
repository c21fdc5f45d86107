/**
 * `mlops demo`: the whole lifecycle on embedded defaults, printed for a person to read.
 */
import { type DemoRun, runDemo } from '../demo/index.ts';
import { parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { noExtra } from '../registry-options.ts';

function demoJson(run: DemoRun, cleaned: boolean) {
  const f = run.facts;
  return {
    ok: run.code === 0,
    removed: cleaned,
    root: run.ws?.root ?? null,
    repository: run.ws?.repo ?? null,
    remote: run.ws?.remote ?? null,
    store: run.ws?.store ?? null,
    champion: f ? `v${f.champion}` : null,
    tags: f?.tags ?? [],
    issue: f ? { number: f.issueNumber, file: f.issueFile, state: f.issueState } : null,
    retrain: f ? { dispatch: f.dispatch, version: `v${f.retrainedVersion}` } : null,
    comments: f?.comments ?? [],
    drift_report: f?.driftHtml ?? null,
    drift_report_after_retrain: f?.driftAfterHtml ?? null,
    check_summary: f?.checkSummary ?? null,
  };
}

/** `mlops demo`. */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'Run the whole lifecycle in a temporary repository with a local remote, store and GitHub stand-in',
  help: `Usage: mlops demo [--clean] [--verbose]

Creates a temporary Git repository with a local bare remote, a local artifact directory and a local
stand-in for GitHub (comments, checks and issues become files under .mlops/outbox/), then runs the
lifecycle with the same functions the actions use:

  train v1 (the example trainer, a real ONNX model) -> track (version branch, promotion PR)
  -> evaluate (PR comment + check) -> gate (owner approval + green evaluation) -> merge -> finalise
  (champion, tag) -> drift on shifted production data (HTML report, retraining issue, retrain dispatch)
  -> the dispatch retrains v2 on the newer data -> evaluate v2 vs v1 (DeLong, bootstrap) -> gate -> merge
  -> finalise (champion v2, v1 archived) -> drift again on the same week against v2's reference (the
  issue closes once the drift cleared) -> rollback to v1 through the gate -> history.

It prints one line per step, then where every output is. Needs only git and node; nothing leaves the machine.

Options:
  --clean     remove the temporary folder at the end (default: keep it and print where it is)
  --verbose   also print each action's own log
  --json      print the narration to stderr and a JSON summary (paths, champion, tags, issue) to stdout

Exit codes: 0 every step did what the lifecycle promises, 1 a step failed.`,
  async run(ctx) {
    const { values, positionals } = parseFlags('demo', ctx.argv, { clean: { type: 'boolean' } });
    noExtra(positionals, 0, 'demo');
    // with --json the narration goes to stderr and stdout holds one JSON object
    const say = values.json ? (t: string) => ctx.log.info(t) : ctx.out;
    const run = await runDemo({ out: say, log: ctx.log, env: ctx.env, clean: values.clean });
    if (values.json) ctx.out(JSON.stringify(demoJson(run, values.clean ?? false)));
    return run.code;
  },
};
