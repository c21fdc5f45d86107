/**
 * The track inputs, parsed once into `TrackOptions`. The action reads `INPUT_*`, `mlops track` reads flags of
 * the same names; both pass a getter that returns undefined for an absent input.
 */
import { resolve } from 'node:path';
import { UsageError } from '../../../core/errors.ts';
import { validateAliasName, validateModelName } from '../../../registry/index.ts';
import { type InputGetter, parseBoolean, parseList } from '../../train/src/inputs.ts';
import type { TrackOptions } from './track.ts';

/** Parse every track input; `cwd` is the workspace the working directory resolves against. */
export function parseTrackInputs(get: InputGetter, cwd: string, defaults: { openPr: boolean }): TrackOptions {
  const model = get('model');
  if (!model) throw new UsageError("model is required: the registry name of the model (e.g. 'churn').");
  validateModelName(model);
  const artifacts = parseList(get('artifacts'));
  if (artifacts.length === 0) {
    throw new UsageError(
      "artifacts is required: one or more globs (one per line or comma-separated), e.g. 'out/model.onnx'.",
    );
  }
  const alias = get('alias') ?? 'champion';
  validateAliasName(alias);
  const opt = (name: string) => get(name);
  return {
    model,
    workingDir: resolve(cwd, get('working-directory') ?? '.'),
    registryRoot: get('registry-root') ?? 'models',
    artifacts,
    ...(opt('metrics') ? { metrics: opt('metrics') } : {}),
    ...(opt('params') ? { params: opt('params') } : {}),
    ...(opt('mlflow-run') ? { mlflowRun: opt('mlflow-run') } : {}),
    ...(opt('run-record') ? { runRecord: opt('run-record') } : {}),
    ...(opt('reference-data') ? { referenceData: opt('reference-data') } : {}),
    ...(opt('store') ? { store: opt('store') } : {}),
    ...(opt('description') ? { description: opt('description') } : {}),
    alias,
    openPr: parseBoolean('open-pr', get('open-pr'), defaults.openPr),
    labels: get('labels') !== undefined ? parseList(get('labels')) : ['mlops:promotion'],
  };
}
