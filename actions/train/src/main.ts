/**
 * The train action: parse inputs, run `train()`, write outputs and the job summary, and fail the step with
 * the command's exit code when it failed.
 */
import * as core from '@actions/core';
import { systemClock } from '../../../core/clock.ts';
import { actionLogger, appendSummary, githubContext, runAction, setOutput } from '../../../github/action.ts';
import { openStore } from '../../../registry/stores/open.ts';
import { parseTrainInputs } from './inputs.ts';
import { train } from './train.ts';

/** Entry point of the action. */
export async function run(): Promise<void> {
  await runAction('train', async () => {
    const log = actionLogger();
    const opts = parseTrainInputs((name) => core.getInput(name) || undefined, githubContext().workspace);
    const result = await train(opts, {
      log,
      env: process.env,
      clock: systemClock,
      openStore: (uri) => openStore(uri, { log, cwd: opts.workingDir }),
    });
    setOutput('exit-code', result.exitCode);
    setOutput('run-record', result.recordPath);
    setOutput('metrics', result.record.metrics);
    setOutput('resumed', result.record.checkpoint?.restored ?? false);
    setOutput('gpus', (result.record.environment.gpus ?? []).length);
    await appendSummary(result.summary);
    if (result.exitCode !== 0) {
      core.setFailed(
        `train: the training command ${result.record.timed_out ? 'timed out' : `exited with code ${result.exitCode}`}`,
      );
      process.exitCode = result.exitCode;
    }
  });
}
