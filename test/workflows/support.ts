/**
 * Reads the repository's workflow files and action metadata for the workflow tests: parsed YAML plus the
 * raw text (pin comments live only in the text).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** Repository root. */
export const root = new URL('../..', import.meta.url).pathname;

/** One step of a job. */
export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  if?: string;
}

/** One job of a workflow (a normal job or a call to a reusable workflow). */
export interface Job {
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean } | string;
  uses?: string;
  with?: Record<string, unknown>;
  secrets?: Record<string, unknown> | 'inherit';
  steps?: Step[];
  outputs?: Record<string, string>;
  needs?: string | string[];
}

/** A `workflow_call` / `workflow_dispatch` input or secret declaration. */
export interface Declared {
  description?: string;
  required?: boolean;
  type?: string;
  default?: unknown;
}

/** A workflow as parsed. */
export interface Workflow {
  /** Path relative to the repository root. */
  path: string;
  text: string;
  name?: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean } | string;
  jobs: Record<string, Job>;
}

/** Parse one workflow file (path relative to the root). */
export function loadWorkflow(path: string): Workflow {
  const text = readFileSync(join(root, path), 'utf8');
  const doc = parse(text) as Omit<Workflow, 'path' | 'text'>;
  return { ...doc, path, text };
}

/** Every workflow file in a folder (relative to the root), sorted. */
export function workflowsIn(dir: string): Workflow[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => loadWorkflow(join(dir, f)));
}

/** The `on.<event>` section of a workflow, or undefined. */
export function trigger(wf: Workflow, event: string): Record<string, unknown> | undefined {
  const on = wf.on as Record<string, unknown>;
  return event in on ? ((on[event] ?? {}) as Record<string, unknown>) : undefined;
}

/** Declared inputs of `on.<event>` (workflow_call or workflow_dispatch). */
export function declaredInputs(
  wf: Workflow,
  event: 'workflow_call' | 'workflow_dispatch',
): Record<string, Declared> {
  return (trigger(wf, event)?.inputs ?? {}) as Record<string, Declared>;
}

/** Declared secrets of `on.workflow_call`. */
export function declaredSecrets(wf: Workflow): Record<string, Declared> {
  return (trigger(wf, 'workflow_call')?.secrets ?? {}) as Record<string, Declared>;
}

/** Every step of every job with the job's name. */
export function steps(wf: Workflow): { job: string; step: Step }[] {
  return Object.entries(wf.jobs).flatMap(([job, j]) => (j.steps ?? []).map((step) => ({ job, step })));
}

/** An action's metadata (`action.yml`). */
export interface ActionMeta {
  inputs: Record<string, { required?: boolean; default?: unknown; description?: string }>;
  outputs: Record<string, { description?: string }>;
  runs: { using: string; main?: string };
}

/** Our action that a `uses:` names (`./actions/x` or `<owner>/mlops-actions/actions/x@v1`), else undefined. */
export function ownAction(uses: string): string | undefined {
  return /^(?:\.\/actions\/|[\w.-]+\/mlops-actions\/actions\/)([a-z-]+)(?:@v1)?$/.exec(uses)?.[1];
}

/** Our reusable workflow that a job-level `uses:` names, else undefined. */
export function ownWorkflow(uses: string): string | undefined {
  return /^(?:\.\/|[\w.-]+\/mlops-actions\/)\.github\/workflows\/([\w-]+\.yml)(?:@v1)?$/.exec(uses)?.[1];
}

/** Load `actions/<name>/action.yml`, or undefined when it does not exist yet. */
export function loadAction(name: string): ActionMeta | undefined {
  const p = join(root, 'actions', name, 'action.yml');
  if (!existsSync(p)) return undefined;
  const doc = parse(readFileSync(p, 'utf8')) as Partial<ActionMeta>;
  return { inputs: doc.inputs ?? {}, outputs: doc.outputs ?? {}, runs: doc.runs as ActionMeta['runs'] };
}
