/**
 * The promote action's inputs, parsed once into one typed object. Optional inputs are `undefined`, never `''`.
 */
import { UsageError } from '../../../core/errors.ts';
import { parseVersionLabel, validateAliasName, validateModelName } from '../../../registry/names.ts';

/** What the action does. `auto` picks from the event: PR events -> gate, push -> finalise, workflow_dispatch -> rollback. */
export type PromoteMode = 'gate' | 'finalise' | 'rollback';

/** Every input of the promote action. */
export interface PromoteInputs {
  mode: PromoteMode | 'auto';
  /** Models to act on; default: those the PR or push changes (required for rollback). */
  models?: string[];
  root: string;
  /** PR number to gate; default from the event. */
  pr?: number;
  merge: boolean;
  mergeMethod: 'merge' | 'squash' | 'rebase';
  reportAs: 'check' | 'status';
  alias: string;
  rollbackTo?: number;
  reason?: string;
  direct: boolean;
  /** Slug of the GitHub App whose `mlops/evaluate` check the gate trusts (default `github-actions`). */
  evaluateApp: string;
  /** Store URI for models whose model.yaml names none. */
  artifactStore?: string;
  token?: string;
}

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T))
    throw new UsageError(`input '${name}' is '${value}'; expected one of ${allowed.join(', ')}`);
  return value as T;
}

/** Reads one input by name: its value, or undefined when it is empty or not given. */
export type InputGetter = (name: string) => string | undefined;

function booleanInput(get: InputGetter, name: string, fallback: boolean): boolean {
  const value = get(name);
  if (value === undefined) return fallback;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new UsageError(`input '${name}' is '${value}'; expected true or false`);
}

/**
 * Parse and check the inputs read through `get` (in the action: `optionalInput` of `github/action.ts`,
 * so that only `main.ts` touches `@actions/core`).
 */
export function parsePromoteInputs(get: InputGetter): PromoteInputs {
  const optionalInput = (name: string) => {
    const v = get(name);
    return v === '' ? undefined : v;
  };
  const prText = optionalInput('pr');
  if (prText !== undefined && !/^[1-9]\d*$/.test(prText))
    throw new UsageError(`input 'pr' is '${prText}'; expected a PR number such as 12`);
  const models = optionalInput('model')
    ?.split(/[\s,]+/)
    .filter(Boolean)
    .map(validateModelName);
  const to = optionalInput('rollback-to');
  return {
    mode: oneOf('mode', optionalInput('mode'), ['auto', 'gate', 'finalise', 'rollback'] as const, 'auto'),
    models: models?.length ? models : undefined,
    root: (optionalInput('registry-root') ?? 'models').replace(/\/+$/, ''),
    pr: prText === undefined ? undefined : Number(prText),
    merge: booleanInput(optionalInput, 'merge', false),
    mergeMethod: oneOf(
      'merge-method',
      optionalInput('merge-method'),
      ['merge', 'squash', 'rebase'] as const,
      'merge',
    ),
    reportAs: oneOf('report-as', optionalInput('report-as'), ['check', 'status'] as const, 'check'),
    alias: validateAliasName(optionalInput('alias') ?? 'champion'),
    rollbackTo: to === undefined ? undefined : parseVersionLabel(to),
    reason: optionalInput('reason'),
    direct: booleanInput(optionalInput, 'direct', false),
    evaluateApp: appSlug(optionalInput('evaluate-app-slug') ?? 'github-actions'),
    artifactStore: optionalInput('artifact-store'),
    token: optionalInput('github-token'),
  };
}

function appSlug(value: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,99}$/.test(value))
    throw new UsageError(
      `input 'evaluate-app-slug' is '${value}'; expected a GitHub App slug such as github-actions`,
    );
  return value;
}

/** The mode for an event when `mode` is `auto`. */
export function modeForEvent(mode: PromoteInputs['mode'], eventName: string): PromoteMode {
  if (mode !== 'auto') return mode;
  if (['pull_request', 'pull_request_target', 'pull_request_review'].includes(eventName)) return 'gate';
  if (eventName === 'push') return 'finalise';
  if (eventName === 'workflow_dispatch') return 'rollback';
  throw new UsageError(`event '${eventName}' has no default mode; set 'mode' to gate, finalise or rollback`);
}
