/**
 * The settings action: read the model's `training:` settings from model.yaml, apply the inputs over them and set
 * one output per setting (the names of the retrain workflow's inputs).
 */
import * as core from '@actions/core';
import { actionLogger, githubContext, runAction, setOutput } from '../../../github/action.ts';
import { parseSettingsInputs } from './inputs.ts';
import { readModelSpec, SETTING_NAMES, specPath, trainingSettings } from './settings.ts';

/** Entry point of the action. */
export async function run(): Promise<void> {
  await runAction('settings', async () => {
    const log = actionLogger();
    const inputs = parseSettingsInputs((name) => core.getInput(name) || undefined);
    const path = specPath(inputs);
    const spec = await readModelSpec(githubContext().workspace, path);
    const settings = trainingSettings(spec, inputs);
    for (const k of SETTING_NAMES) {
      log.info(`${k}: ${settings[k].replace(/\n/g, ', ') || '(none)'}`);
      setOutput(k, settings[k]);
    }
  });
}
