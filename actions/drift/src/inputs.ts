/**
 * The drift action's inputs, parsed once into `DriftOptions` plus what only the action needs. A getter returns
 * undefined for an absent or empty input, so the same parser serves any source of inputs.
 */
import { UsageError } from '../../../core/errors.ts';
import { validateAliasName, validateModelName } from '../../../registry/index.ts';
import { DRIFT_METHODS, type MethodChoice } from '../../../stats/drift/test-column.ts';
import { parseDuration } from '../../../tables/index.ts';
import type { DriftOptions } from './drift.ts';

/** Reads one input: undefined when absent or empty. */
export type InputGetter = (name: string) => string | undefined;

/** Everything the action was asked. */
export interface DriftInputs {
  options: DriftOptions;
  failOnDrift: boolean;
  /** Token for the GitHub API. */
  token?: string;
}

/** Split a comma- or newline-separated list. */
export function parseList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const parts = value
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
  return parts.length ? parts : undefined;
}

/** A true/false input. */
export function parseBool(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (/^(true|True|TRUE)$/.test(value)) return true;
  if (/^(false|False|FALSE)$/.test(value)) return false;
  throw new UsageError(`input '${name}' is '${value}'; expected true or false`);
}

/** A number input within bounds. */
export function parseNumber(
  name: string,
  value: string | undefined,
  o: { min?: number; integer?: boolean } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || (o.integer && !Number.isInteger(n)) || (o.min !== undefined && n < o.min)) {
    throw new UsageError(
      `input '${name}' is '${value}'; expected ${o.integer ? 'an integer' : 'a number'}${o.min !== undefined ? ` >= ${o.min}` : ''}`,
    );
  }
  return n;
}

/** Parse every input. `ref` is the branch the retrain workflow is dispatched on when `retrain-ref` is not given. */
export function parseDriftInputs(get: InputGetter, ctx: { ref?: string; tempDir: string }): DriftInputs {
  const model = get('model');
  if (model) validateModelName(model);
  const current = get('current');
  if (!current)
    throw new UsageError("input 'current' is required: a path, glob or s3:// prefix of production data");
  const reference = get('reference');
  if (!model && !reference)
    throw new UsageError(
      "give 'model' (its champion's reference profile) or 'reference' (a file to compare with)",
    );
  const alias = get('alias') ?? 'champion';
  validateAliasName(alias);
  const method = (get('method') ?? 'auto') as MethodChoice;
  if (!DRIFT_METHODS.includes(method))
    throw new UsageError(`input 'method' is '${method}'; expected one of ${DRIFT_METHODS.join(', ')}`);
  const since = get('since');
  if (since) parseDuration(since);
  const cooldownMs = parseDuration(get('cooldown') ?? '7d');
  const workflow = get('retrain-workflow');
  const slug = (model ?? 'data').replace(/\//g, '__');
  const options: DriftOptions = {
    model,
    registryRoot: get('registry-root') ?? 'models',
    alias,
    current,
    since,
    reference,
    method,
    threshold: parseNumber('threshold', get('threshold'), { min: 0 }),
    minRows: parseNumber('min-rows', get('min-rows'), { min: 1, integer: true }),
    columns: parseList(get('columns')),
    categorical: parseList(get('categorical')),
    predictionColumn: get('prediction-column'),
    targetColumn: get('target-column'),
    modelFile: get('model-file'),
    runModel: parseBool('run-model', get('run-model'), true),
    artifactStore: get('artifact-store'),
    reportHtml: get('report-path') ?? `${ctx.tempDir}/drift-report-${slug}.html`,
    openIssue: parseBool('open-issue', get('open-issue'), true),
    closeAfter: parseNumber('close-after', get('close-after'), { min: 1, integer: true }) ?? 1,
    retrain: workflow
      ? {
          workflow,
          ref: get('retrain-ref') ?? (ctx.ref?.replace(/^refs\/(heads|tags)\//, '') || 'main'),
          cooldownMs,
        }
      : undefined,
  };
  return {
    options,
    failOnDrift: parseBool('fail-on-drift', get('fail-on-drift'), false),
    token: get('github-token'),
  };
}
