/**
 * The retrain workflow's training settings: the `training:` section of a model's `model.yaml` (read and validated
 * by the registry's own parser), each overridden by the input of the same name when given.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../../core/errors.ts';
import { parseModelSpec } from '../../../registry/schema.ts';
import type { ModelSpec } from '../../../registry/types.ts';

/** The settings, by their output names (the retrain workflow's input names). */
export const SETTING_NAMES = [
  'command',
  'data',
  'evaluation-data',
  'reference-data',
  'runner-labels',
  'require-gpu',
  'checkpoint-dir',
  'metrics',
  'artifacts',
] as const;

/** One setting's name. */
export type SettingName = (typeof SETTING_NAMES)[number];

/** The resolved settings, as the step outputs them: `''` where neither an input nor model.yaml gives one. */
export type TrainingSettings = Record<SettingName, string>;

/** The inputs of the settings step; undefined where not given. */
export interface SettingsInputs {
  /** Registry name of the model. */
  model: string;
  /** Registry folder. */
  registryRoot: string;
  /** Overrides by setting name (`require-gpu` as `true`/`false`). */
  overrides: Partial<Record<SettingName, string>>;
  /** Settings that must resolve to a value. */
  required: SettingName[];
}

/** The runner labels of the training job when neither the input nor model.yaml names any. */
export const DEFAULT_RUNNER_LABELS = ['self-hosted', 'gpu'];

/** `<registryRoot>/<model>/model.yaml`, as named in messages (relative to the workspace). */
export function specPath(inputs: Pick<SettingsInputs, 'model' | 'registryRoot'>): string {
  return `${inputs.registryRoot.replace(/\/+$/, '')}/${inputs.model}/model.yaml`;
}

/** Read and validate the model's spec from the work tree; UsageError when it is missing or invalid. */
export async function readModelSpec(workspace: string, path: string): Promise<ModelSpec> {
  let text: string;
  try {
    text = await readFile(join(workspace, path), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new UsageError(
        `${path} does not exist: expected the model's spec there (check model and registry-root)`,
      );
    throw err;
  }
  return parseModelSpec(text, path);
}

/** A runner-labels value: a JSON string or a non-empty JSON array of strings, as `fromJSON` in `runs-on` takes. */
function checkRunnerLabels(value: string): void {
  let labels: unknown;
  try {
    labels = JSON.parse(value);
  } catch {
    labels = undefined;
  }
  const ok =
    typeof labels === 'string' ||
    (Array.isArray(labels) && labels.length > 0 && labels.every((l) => typeof l === 'string'));
  if (!ok)
    throw new UsageError(
      `runner-labels '${value}' is not valid: expected a JSON array of labels such as ["self-hosted","gpu"]`,
    );
}

/**
 * The settings: each input when given, else model.yaml's `training.<key>`, else the default (runner labels
 * `["self-hosted","gpu"]`, GPU check on: `false` from the input or from model.yaml turns it off; others empty).
 * Lists are one entry per line; runner labels are JSON. UsageError naming every required setting left empty.
 */
export function trainingSettings(spec: ModelSpec, inputs: SettingsInputs): TrainingSettings {
  const t = spec.training ?? {};
  const o = inputs.overrides;
  const lines = (v: string[] | undefined) => (v ?? []).join('\n');
  const out: TrainingSettings = {
    command: o.command ?? t.command ?? '',
    data: o.data ?? lines(t.data),
    'evaluation-data': o['evaluation-data'] ?? t.evaluation_data ?? '',
    'reference-data': o['reference-data'] ?? t.reference_data ?? '',
    'runner-labels': o['runner-labels'] ?? JSON.stringify(t.runner_labels ?? DEFAULT_RUNNER_LABELS),
    'require-gpu': o['require-gpu'] === 'false' || t.require_gpu === false ? 'false' : 'true',
    'checkpoint-dir': o['checkpoint-dir'] ?? t.checkpoint_dir ?? '',
    metrics: o.metrics ?? t.metrics ?? '',
    artifacts: o.artifacts ?? lines(t.artifacts),
  };
  checkRunnerLabels(out['runner-labels']);
  if (out['evaluation-data'].includes('\n'))
    throw new UsageError(
      `evaluation-data '${out['evaluation-data']}' is not valid: expected one path or s3:// URI, on one line`,
    );
  const missing = inputs.required.filter((k) => out[k] === '');
  if (missing.length) {
    const keys = missing.map((k) => `input ${k} or training.${k.replace(/-/g, '_')}`).join(', ');
    throw new UsageError(`${specPath(inputs)}: no ${keys}; set it in model.yaml or pass the input`);
  }
  return out;
}
