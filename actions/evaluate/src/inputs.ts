/**
 * The evaluate action's inputs, parsed once into `EvaluateActionInputs`. Optional inputs come back as
 * undefined; a bad value is a UsageError naming the input and the expected form.
 */
import { resolve } from 'node:path';
import { UsageError } from '../../../core/errors.ts';
import { validateAliasName, validateModelName } from '../../../registry/index.ts';
import { type InputGetter, parseBoolean, parseList } from '../../train/src/inputs.ts';

/** What the candidate is: a registry version, a model file, or (default) the version the PR promotes. */
export type CandidateInput =
  | { kind: 'version'; version: number }
  | { kind: 'file'; path: string }
  | { kind: 'pr' };

/** Every input of the evaluate action. */
export interface EvaluateActionInputs {
  model: string;
  registryRoot: string;
  /** The repository checkout (the PR head); relative paths resolve against it. */
  workingDir: string;
  candidate: CandidateInput;
  /** The alias the candidate is compared with. Default `champion`. */
  alias: string;
  pullRequest?: number;
  /** Evaluation set (ONNX mode): a path or s3:// URI. */
  data?: string;
  /** Label column; defaults to the spec's `schema.label`. */
  label?: string;
  /** Predictions mode: a file with the label and score/prediction columns (no ONNX run). */
  predictions?: string;
  score?: string[];
  baselineScore?: string[];
  prediction?: string;
  baselinePrediction?: string;
  /** Slice columns; defaults to the spec's `schema.slices`. */
  slices?: string[];
  threshold?: number;
  resamples?: number;
  seed?: number;
  dropNa: boolean;
  /** Artifact store URI for a model whose model.yaml names none. */
  store?: string;
  /** Post the sticky PR comment. Default true. */
  comment: boolean;
  /** Record the evaluation summary in the candidate's version.yaml on the PR branch (a pushed commit). */
  record?: boolean;
}

function num(
  name: string,
  value: string | undefined,
  o: { min: number; max?: number; integer?: boolean },
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (
    value.trim() === '' ||
    !Number.isFinite(n) ||
    (o.integer && !Number.isInteger(n)) ||
    n < o.min ||
    (o.max !== undefined && n > o.max)
  ) {
    throw new UsageError(
      `input '${name}' is '${value}'; expected ${o.integer ? 'an integer' : 'a number'} >= ${o.min}${o.max !== undefined ? ` and <= ${o.max}` : ''}.`,
    );
  }
  return n;
}

const list = (v: string | undefined) => (v === undefined ? undefined : parseList(v));

function candidateOf(value: string | undefined, cwd: string): CandidateInput {
  if (value === undefined) return { kind: 'pr' };
  const m = /^v?(\d+)$/.exec(value.trim());
  if (m) {
    const version = Number(m[1]);
    if (version < 1)
      throw new UsageError(`input 'candidate' is '${value}'; expected v<N> with N >= 1 or a path.`);
    return { kind: 'version', version };
  }
  if (/\.onnx$/i.test(value) && !value.includes('://')) return { kind: 'file', path: resolve(cwd, value) };
  throw new UsageError(
    `input 'candidate' is '${value}'; expected a version (v7) or a local path to an .onnx file.`,
  );
}

/** Parse every input; `workspace` is what `working-directory` resolves against. */
export function parseEvaluateInputs(get: InputGetter, workspace: string): EvaluateActionInputs {
  const model = get('model');
  if (!model)
    throw new UsageError("input 'model' is required: the registry name of the model (e.g. 'churn').");
  validateModelName(model);
  const alias = get('alias') ?? 'champion';
  validateAliasName(alias);
  const workingDir = resolve(workspace, get('working-directory') ?? '.');
  const pr = get('pull-request');
  const predictions = get('predictions');
  const score = list(get('score'));
  const prediction = get('prediction');
  if (predictions && !score?.length && !prediction)
    throw new UsageError("input 'predictions' needs 'score' (column[,column…]) or 'prediction' (column).");
  if (score?.length && prediction)
    throw new UsageError("inputs 'score' and 'prediction' are alternatives; give one.");
  if (!predictions && (score || prediction || get('baseline-score') || get('baseline-prediction')))
    throw new UsageError(
      "inputs 'score', 'baseline-score', 'prediction' and 'baseline-prediction' need 'predictions' (a file).",
    );
  if (predictions && get('data'))
    throw new UsageError(
      "inputs 'data' and 'predictions' are alternatives: ONNX inference or precomputed predictions.",
    );
  const abs = (p: string | undefined) =>
    p === undefined || p.startsWith('s3://') ? p : resolve(workingDir, p);
  return {
    model,
    registryRoot: get('registry-root') ?? 'models',
    workingDir,
    candidate: candidateOf(get('candidate'), workingDir),
    alias,
    pullRequest: num('pull-request', pr, { min: 1, integer: true }),
    data: abs(get('data')),
    label: get('label'),
    predictions: abs(predictions),
    score,
    baselineScore: list(get('baseline-score')),
    prediction,
    baselinePrediction: get('baseline-prediction'),
    slices: list(get('slices')),
    threshold: num('threshold', get('threshold'), { min: 0, max: 1 }),
    resamples: num('resamples', get('resamples'), { min: 0, integer: true }),
    seed: num('seed', get('seed'), { min: 0, integer: true }),
    dropNa: parseBoolean('drop-na', get('drop-na'), false),
    store: get('artifact-store'),
    comment: parseBoolean('comment', get('comment'), true),
    record: parseBoolean('record', get('record'), false),
  };
}
