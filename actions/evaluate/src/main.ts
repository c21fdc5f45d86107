/**
 * The evaluate action: parse inputs, evaluate the candidate against the champion, post the sticky comment and
 * the check run, write the job summary, the report file and the outputs. A failed gate fails the step after
 * everything is reported; a failed comment only warns.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { GateFailure } from '../../../core/errors.ts';
import {
  actionLogger,
  appendSummary,
  forgeFromEnv,
  githubContext,
  readEvent,
  runAction,
  setOutput,
} from '../../../github/action.ts';
import { loadOnnxRuntime } from '../../../onnx/runtime.ts';
import { openStore } from '../../../registry/stores/open.ts';
import { readTable } from '../../../tables/index.ts';
import { parseEvaluateInputs } from './inputs.ts';
import { evaluatePullRequest } from './pull-request.ts';

/** The PR number of a `pull_request` / `pull_request_review` event, if any. */
function eventPullRequest(event: Record<string, unknown>): number | undefined {
  const pr = event.pull_request as { number?: unknown } | undefined;
  return typeof pr?.number === 'number' ? pr.number : undefined;
}

/** Entry point of the action. */
export async function run(): Promise<void> {
  await runAction('evaluate', async () => {
    const log = actionLogger();
    const ctx = githubContext();
    const inputs = parseEvaluateInputs((name) => core.getInput(name) || undefined, ctx.workspace);
    inputs.pullRequest ??= eventPullRequest(readEvent());
    const token = core.getInput('github-token') || undefined;
    const forge = forgeFromEnv({ token, logger: log });
    const base = process.env.RUNNER_TEMP || tmpdir();
    mkdirSync(base, { recursive: true });
    const temp = mkdtempSync(join(base, 'mlops-evaluate-'));
    try {
      const result = await evaluatePullRequest(inputs, {
        log,
        forge,
        openStore: (uri) => openStore(uri, { log, cwd: inputs.workingDir }),
        readTable: (uri, o) => readTable(uri, o),
        ...(inputs.predictions ? {} : { ort: await loadOnnxRuntime({ log }) }),
        tempDir: temp,
        runUrl: ctx.runUrl,
      });
      const { report } = result;
      const dir = join(base, 'mlops-evaluate', inputs.model.replace(/\//g, '__'));
      mkdirSync(dir, { recursive: true });
      const reportPath = join(dir, 'report.json');
      writeFileSync(reportPath, `${JSON.stringify({ ...report, evaluated: result.record }, null, 2)}\n`);
      setOutput('passed', report.passed);
      setOutput('metrics', report.metrics);
      setOutput('report', reportPath);
      setOutput('check-run-id', result.checkRun?.id ?? '');
      await appendSummary(result.summary);
      if (!report.passed) {
        const failed = report.gates.filter((g) => g.passed === false).map((g) => `${g.metric} ${g.kind}`);
        throw new GateFailure(
          `${inputs.model} ${result.candidateLabel} failed its gates: ${failed.join(', ')}`,
        );
      }
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  });
}
