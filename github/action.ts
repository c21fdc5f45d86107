/**
 * Runtime helpers every action uses: thin wrappers over @actions/core so that `actions/<name>/src/main.ts` stays
 * thin and the capabilities never import @actions/* themselves. Nothing here reads the environment at import time.
 */
import { readFileSync } from 'node:fs';
import * as core from '@actions/core';
import { GateFailure, UsageError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { OctokitForge, type OctokitForgeOptions } from './octokit-forge.ts';

/**
 * Run an action body with the last-resort catch: a UsageError or GateFailure fails the step with its message,
 * anything else (a bug) with its message and stack, and a thrown non-Error never passes as success.
 * Every failure message is prefixed with the action's name.
 */
export async function runAction(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (err instanceof UsageError || err instanceof GateFailure) {
      core.setFailed(`${name}: ${err.message}`);
    } else if (err instanceof Error) {
      core.setFailed(`${name}: ${err.message}${err.stack ? `\n${err.stack}` : ''}`);
    } else {
      core.setFailed(`${name}: non-Error thrown: ${String(err)}`);
    }
    process.exitCode = err instanceof UsageError ? 2 : 1;
  }
}

/** A required input, trimmed; a missing or empty one is a UsageError naming it. */
export function requiredInput(name: string): string {
  const value = core.getInput(name);
  if (value === '') throw new UsageError(`input '${name}' is required and was not given`);
  return value;
}

/** An optional input, trimmed; `undefined` when empty or absent (never `''`). */
export function optionalInput(name: string): string | undefined {
  const value = core.getInput(name);
  return value === '' ? undefined : value;
}

/** A boolean input (`true`/`false`, YAML 1.2 core schema spellings); `fallback` when empty. */
export function booleanInput(name: string, fallback: boolean): boolean {
  const value = core.getInput(name);
  if (value === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new UsageError(`input '${name}' is '${value}'; expected true or false`);
}

/** Set a step output (objects are written as JSON). */
export function setOutput(name: string, value: string | number | boolean | object): void {
  core.setOutput(name, typeof value === 'object' ? JSON.stringify(value) : value);
}

/** Append Markdown (ended with a newline) to the job summary (`GITHUB_STEP_SUMMARY`); a warning outside a runner. */
export async function appendSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.warning('GITHUB_STEP_SUMMARY is not set; the job summary was not written');
    return;
  }
  await core.summary.addRaw(markdown.endsWith('\n') ? markdown : `${markdown}\n`).write();
}

/** A Logger that writes through the runner's log commands (warnings and errors become annotations). */
export function actionLogger(): Logger {
  return {
    info: (m) => core.info(m),
    warn: (m) => core.warning(m),
    error: (m) => core.error(m),
    debug: (m) => core.debug(m),
  };
}

/**
 * An OctokitForge for `GITHUB_REPOSITORY` against `GITHUB_API_URL` (default https://api.github.com).
 * The token (from `opts.token`, else `GITHUB_TOKEN`) is masked in the log first.
 * `MLOPS_GITHUB_TIME_UNIT_MS` (default 1000) scales retry and throttle waits; tests set it low.
 */
export function forgeFromEnv(opts: { token?: string; logger?: Logger } = {}): OctokitForge {
  const token = opts.token ?? process.env.GITHUB_TOKEN;
  if (!token)
    throw new UsageError(
      "no GitHub token: pass the 'github-token' input (its default is the workflow's github.token)",
    );
  core.setSecret(token);
  const repository = process.env.GITHUB_REPOSITORY;
  if (!repository || !/^[^/\s]+\/[^/\s]+$/.test(repository)) {
    throw new UsageError(`GITHUB_REPOSITORY is '${repository ?? ''}'; expected owner/repo`);
  }
  const unit = process.env.MLOPS_GITHUB_TIME_UNIT_MS;
  const options: OctokitForgeOptions = {
    token,
    repository,
    apiUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
    logger: opts.logger ?? actionLogger(),
    timeUnitMs: unit !== undefined && /^\d+$/.test(unit) ? Number(unit) : undefined,
  };
  return new OctokitForge(options);
}

/** The event payload at `GITHUB_EVENT_PATH` (`{}` when there is none). */
export function readEvent(): Record<string, unknown> {
  const path = process.env.GITHUB_EVENT_PATH;
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(
      `GITHUB_EVENT_PATH '${path}' is not a readable JSON file: ${(err as Error).message}`,
    );
  }
}

/** What the runner tells a step about its run, read from the environment when called. */
export interface GitHubContext {
  repository: string;
  sha: string;
  ref: string;
  actor: string;
  eventName: string;
  serverUrl: string;
  apiUrl: string;
  runId: string;
  /** `<server>/<repo>/actions/runs/<id>`, or undefined outside a run. */
  runUrl: string | undefined;
  workspace: string;
}

/** The current run's context (see GitHubContext). */
export function githubContext(): GitHubContext {
  const env = process.env;
  const serverUrl = env.GITHUB_SERVER_URL || 'https://github.com';
  const repository = env.GITHUB_REPOSITORY ?? '';
  const runId = env.GITHUB_RUN_ID ?? '';
  return {
    repository,
    sha: env.GITHUB_SHA ?? '',
    ref: env.GITHUB_REF ?? '',
    actor: env.GITHUB_ACTOR ?? '',
    eventName: env.GITHUB_EVENT_NAME ?? '',
    serverUrl,
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    runId,
    runUrl: repository && runId ? `${serverUrl}/${repository}/actions/runs/${runId}` : undefined,
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
  };
}
