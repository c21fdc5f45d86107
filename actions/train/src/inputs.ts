/**
 * The train inputs, parsed once into `TrainOptions`. The action reads them from `INPUT_*`, `mlops train`
 * from flags of the same names; both pass a getter that returns undefined for an absent input.
 */
import { resolve } from 'node:path';
import { UsageError } from '../../../core/errors.ts';
import { validateModelName } from '../../../registry/names.ts';
import type { TrainOptions } from './train.ts';

/** Reads one input by its action.yml name; undefined when absent or empty. */
export type InputGetter = (name: string) => string | undefined;

/** `90`, `90s`, `15m`, `2h` → milliseconds; a bare number is in `unit`. */
export function parseDuration(name: string, value: string, unit: 's' | 'm'): number {
  const m = value.trim().match(/^(\d+(?:\.\d+)?)\s*(s|m|h)?$/);
  const n = m ? Number(m[1]) : Number.NaN;
  if (!m || !(n > 0)) {
    throw new UsageError(
      `${name} '${value}' is not valid: expected a positive duration such as 90, 30s, 15m or 2h (bare numbers are ${unit === 's' ? 'seconds' : 'minutes'}).`,
    );
  }
  const scale = { s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? unit) as 's' | 'm' | 'h'];
  return n * scale;
}

/** `true`/`false` (any case); `fallback` when absent. */
export function parseBoolean(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  throw new UsageError(`${name} '${value}' is not valid: expected true or false.`);
}

/** Split a list given one per line or comma-separated; blank entries dropped. */
export function parseList(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Parse every train input; `cwd` is the workspace the working directory resolves against. */
export function parseTrainInputs(get: InputGetter, cwd: string): TrainOptions {
  const model = get('model');
  if (!model)
    throw new UsageError("model is required: the registry name of the model being trained (e.g. 'churn').");
  validateModelName(model);
  const command = get('command');
  if (!command?.trim())
    throw new UsageError("command is required: the training command to run, e.g. 'python train.py'.");
  const timeout = get('timeout-minutes');
  const interval = get('checkpoint-interval');
  return {
    model,
    command,
    workingDir: resolve(cwd, get('working-directory') ?? '.'),
    ...(timeout !== undefined ? { timeoutMs: parseDuration('timeout-minutes', timeout, 'm') } : {}),
    requireGpu: parseBoolean('require-gpu', get('require-gpu'), false),
    data: parseList(get('data')),
    ...(get('checkpoint-dir') ? { checkpointDir: get('checkpoint-dir') } : {}),
    checkpointIntervalMs:
      interval !== undefined ? parseDuration('checkpoint-interval', interval, 's') : 60_000,
    ...(get('resume-key') ? { resumeKey: get('resume-key') } : {}),
    ...(get('store') ? { store: get('store') } : {}),
    registryRoot: get('registry-root') ?? 'models',
    ...(get('metrics') ? { metrics: get('metrics') } : {}),
    ...(get('run-record') ? { runRecord: get('run-record') } : {}),
  };
}
