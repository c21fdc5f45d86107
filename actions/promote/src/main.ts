/**
 * The promote action: the promotion gate on PR events, finalisation on push to the default branch, and rollback
 * on workflow_dispatch. `run()` wires the runner's environment to the plain functions the CLI also calls.
 */
import { UsageError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/logger.ts';
import {
  actionLogger,
  appendSummary,
  forgeFromEnv,
  githubContext,
  optionalInput,
  readEvent,
  runAction,
  setOutput,
} from '../../../github/action.ts';
import { openRegistry } from '../../../registry/index.ts';
import { openStore } from '../../../registry/stores/open.ts';
import type { ArtifactStore } from '../../../registry/stores/types.ts';
import { aggregateSummary } from './aggregate.ts';
import { finalise } from './finalise.ts';
import { finaliseComment } from './finalise-report.ts';
import { runGate } from './gate-run.ts';
import { modeForEvent, type PromoteInputs, parsePromoteInputs } from './inputs.ts';
import { gateSummary } from './report.ts';
import { rollback } from './rollback.ts';

/** A store opener that falls back to the `artifact-store` input when `model.yaml` names none. */
export function storeOpener(fallback: string | undefined, cwd: string, log: Logger) {
  return async (uri: string | undefined): Promise<ArtifactStore> => {
    const chosen = uri ?? fallback;
    if (!chosen)
      throw new UsageError(
        "the model's model.yaml has no artifact_store; set it or pass the 'artifact-store' input",
      );
    return openStore(chosen, { cwd, log });
  };
}

async function gate(inputs: PromoteInputs, event: Record<string, unknown>, log: Logger): Promise<void> {
  const pr = inputs.pr ?? (event.pull_request as { number?: number } | undefined)?.number;
  if (!pr) throw new UsageError("no pull request in the event; pass the 'pr' input");
  const ctx = githubContext();
  const out = await runGate({
    forge: forgeFromEnv({ token: inputs.token, logger: log }),
    pr,
    models: inputs.models,
    root: inputs.root,
    reportAs: inputs.reportAs,
    merge: inputs.merge,
    mergeMethod: inputs.mergeMethod,
    detailsUrl: ctx.runUrl,
    evaluateApp: inputs.evaluateApp,
    log,
  });
  setOutput('passed', out.passed);
  setOutput('merged', out.mergeSha !== undefined);
  if (out.mergeSha) setOutput('merge-sha', out.mergeSha);
  setOutput(
    'result',
    out.results.map((r) => ({
      model: r.model,
      passed: r.passed,
      approvers: r.approvers,
      changes: r.changes,
    })),
  );
  const parts = [
    ...(out.aggregate ? [aggregateSummary(out.aggregate)] : []),
    ...out.results.map(gateSummary),
  ];
  if (parts.length > 0) await appendSummary(parts.join('\n\n'));
}

async function open(inputs: PromoteInputs, log: Logger) {
  const ctx = githubContext();
  const branch = ctx.ref.startsWith('refs/heads/') ? ctx.ref.slice('refs/heads/'.length) : undefined;
  return openRegistry({ dir: ctx.workspace, root: inputs.root, branch, log });
}

async function finaliseStep(
  inputs: PromoteInputs,
  event: Record<string, unknown>,
  log: Logger,
): Promise<void> {
  const ctx = githubContext();
  const before = typeof event.before === 'string' ? event.before : undefined;
  const after = typeof event.after === 'string' ? event.after : ctx.sha;
  if (!before || !after)
    throw new UsageError("finalise runs on push events (needs the push's before and after commits)");
  const results = await finalise({
    registry: await open(inputs, log),
    before,
    after,
    openStore: storeOpener(inputs.artifactStore, ctx.workspace, log),
    forge: forgeFromEnv({ token: inputs.token, logger: log }),
    log,
    models: inputs.models,
    evaluateApp: inputs.evaluateApp,
  });
  setOutput('result', results);
  setOutput('tags', results.flatMap((r) => r.tags).join(' '));
  if (results.length > 0) await appendSummary(results.map(finaliseComment).join('\n\n'));
}

async function rollbackStep(inputs: PromoteInputs, log: Logger): Promise<void> {
  const model = inputs.models?.[0];
  if (!model || inputs.models?.length !== 1) throw new UsageError("rollback needs exactly one 'model'");
  const ctx = githubContext();
  const out = await rollback({
    registry: await open(inputs, log),
    forge: forgeFromEnv({ token: inputs.token, logger: log }),
    model,
    to: inputs.rollbackTo,
    alias: inputs.alias,
    reason: inputs.reason,
    direct: inputs.direct,
    actor: ctx.actor || 'unknown',
    openStore: storeOpener(inputs.artifactStore, ctx.workspace, log),
    log,
  });
  setOutput('result', out);
  if (out.pr !== undefined) setOutput('pr', out.pr);
}

/** The action's entry: parse inputs, pick the mode from the event, run it. */
export function run(): Promise<void> {
  return runAction('promote', async () => {
    const log = actionLogger();
    const inputs = parsePromoteInputs(optionalInput);
    const mode = modeForEvent(inputs.mode, githubContext().eventName);
    const event = readEvent();
    if (mode === 'gate') await gate(inputs, event, log);
    else if (mode === 'finalise') await finaliseStep(inputs, event, log);
    else await rollbackStep(inputs, log);
  });
}
