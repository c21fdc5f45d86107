/**
 * The drift action: compare the production data window with the champion's reference profile, report it (job
 * summary, HTML file, artifact store), keep the model's retraining issue in step and dispatch retraining.
 * `run()` wires the runner's environment to `runDrift`, which `mlops drift` calls too.
 */
import { tmpdir } from 'node:os';
import * as core from '@actions/core';
import { GateFailure } from '../../../core/errors.ts';
import {
  actionLogger,
  appendSummary,
  forgeFromEnv,
  githubContext,
  runAction,
  setOutput,
} from '../../../github/action.ts';
import { truncate } from '../../../github/markdown.ts';
import { openStore } from '../../../registry/stores/open.ts';
import { runDrift } from './drift.ts';
import { parseDriftInputs } from './inputs.ts';

/** The action's entry. */
export function run(): Promise<void> {
  return runAction('drift', async () => {
    const log = actionLogger();
    const ctx = githubContext();
    const inputs = parseDriftInputs((name) => core.getInput(name) || undefined, {
      ref: ctx.ref,
      tempDir: process.env.RUNNER_TEMP || tmpdir(),
    });
    const o = inputs.options;
    const forge =
      o.openIssue !== false && o.model ? forgeFromEnv({ token: inputs.token, logger: log }) : undefined;
    const out = await runDrift(
      { ...o, workingDir: ctx.workspace, runUrl: ctx.runUrl },
      { log, forge, openStore: (uri) => openStore(uri, { cwd: ctx.workspace, log }) },
    );
    setOutput('drift', out.run.drift);
    setOutput('dataset-drift', out.run.features.dataset_drift);
    setOutput('share-drifted', out.run.features.share_drifted);
    setOutput('result', out.json);
    if (o.reportHtml) setOutput('report-html', o.reportHtml);
    if (out.reportUri) setOutput('report-uri', out.reportUri);
    if (out.issue?.issue) setOutput('issue', out.issue.issue.number);
    setOutput('issue-action', out.issue?.action ?? 'none');
    setOutput('dispatched', out.issue?.dispatched ?? false);
    await appendSummary(truncate(out.markdown, { limit: 1_000_000, what: 'summary' }).text);
    if (inputs.failOnDrift && out.run.drift) {
      throw new GateFailure(`drift detected: ${out.run.reasons.join('; ')}`);
    }
  });
}
