/**
 * The settings inputs, parsed once into `SettingsInputs`; the getter returns undefined for an absent or empty input.
 */
import { UsageError } from '../../../core/errors.ts';
import { validateModelName } from '../../../registry/names.ts';
import { SETTING_NAMES, type SettingName, type SettingsInputs } from './settings.ts';

/** Reads one input by its action.yml name; undefined when absent or empty. */
export type InputGetter = (name: string) => string | undefined;

/** Settings that must have a value unless the `required` input says otherwise. */
export const DEFAULT_REQUIRED: SettingName[] = ['command', 'evaluation-data'];

function isSetting(name: string): name is SettingName {
  return (SETTING_NAMES as readonly string[]).includes(name);
}

/** Parse every input of the settings action. */
export function parseSettingsInputs(get: InputGetter): SettingsInputs {
  const model = get('model');
  if (!model) throw new UsageError("model is required: the registry name of the model (e.g. 'churn').");
  validateModelName(model);
  const registryRoot = get('registry-root') ?? 'models';
  if (registryRoot.startsWith('/') || registryRoot.split('/').includes('..'))
    throw new UsageError(
      `registry-root '${registryRoot}' is not valid: expected a folder inside the repository, such as models`,
    );
  const requireGpu = get('require-gpu');
  if (requireGpu !== undefined && !/^(true|false)$/i.test(requireGpu))
    throw new UsageError(`require-gpu '${requireGpu}' is not valid: expected true or false`);
  const overrides: SettingsInputs['overrides'] = {
    command: get('command'),
    data: get('data'),
    'evaluation-data': get('evaluation-data'),
    'reference-data': get('reference-data'),
    'runner-labels': get('runner-labels'),
    'require-gpu': requireGpu?.toLowerCase(),
    'checkpoint-dir': get('checkpoint-dir'),
    metrics: get('metrics'),
    artifacts: get('artifacts'),
  };
  for (const k of Object.keys(overrides) as SettingName[]) {
    if (overrides[k] === undefined || overrides[k].trim() === '') delete overrides[k];
  }
  const requiredText = get('required');
  const required =
    requiredText === undefined
      ? DEFAULT_REQUIRED
      : requiredText
          .split(/[\n,]/)
          .map((s) => s.trim())
          .filter(Boolean);
  const unknown = required.filter((k) => !isSetting(k));
  if (unknown.length)
    throw new UsageError(
      `required '${unknown.join(', ')}' is not valid: expected setting names among ${SETTING_NAMES.join(', ')}`,
    );
  return { model, registryRoot, overrides, required: required as SettingName[] };
}
