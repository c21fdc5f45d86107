/**
 * The track action: parse inputs, register the candidate version, open the promotion PR, set outputs.
 */
import * as core from '@actions/core';
import { systemClock } from '../../../core/clock.ts';
import {
  actionLogger,
  appendSummary,
  forgeFromEnv,
  githubContext,
  runAction,
  setOutput,
} from '../../../github/action.ts';
import { parseTrackInputs } from './inputs.ts';
import { track } from './track.ts';

/** Entry point of the action. */
export async function run(): Promise<void> {
  await runAction('track', async () => {
    const log = actionLogger();
    const opts = parseTrackInputs((name) => core.getInput(name) || undefined, githubContext().workspace, {
      openPr: true,
    });
    const token = core.getInput('github-token') || undefined;
    const forge = opts.openPr ? forgeFromEnv({ token, logger: log }) : undefined;
    const result = await track(opts, {
      log,
      env: process.env,
      clock: systemClock,
      ...(forge ? { forge } : {}),
    });
    setOutput('version', result.version);
    setOutput('created', result.created);
    setOutput('branch', result.branch);
    if (result.pr) {
      setOutput('pr-number', result.pr.number);
      setOutput('pr-url', result.pr.url);
    }
    const pr = result.pr ? ` — promotion PR [#${result.pr.number}](${result.pr.url})` : '';
    await appendSummary(
      `## track: ${opts.model} v${result.version}${result.created ? '' : ' (already registered)'}${pr}\n\nBranch \`${result.branch}\`.\n`,
    );
  });
}
