/**
 * Flags and helpers shared by the registry commands (init, register, promote, rollback, archive, show,
 * history, list): where the registry is, how to write to it, which artifact store to use.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { UsageError } from '../core/errors.ts';
import { openRegistry, type Registry } from '../registry/index.ts';
import { parseYaml } from '../registry/schema.ts';
import { DEFAULT_STORE, openModelStore } from '../registry/stores/open.ts';
import type { ArtifactStore } from '../registry/stores/types.ts';
import type { ModelSpec } from '../registry/types.ts';
import type { CommandContext } from './command.ts';

/** parseArgs options every registry command accepts. */
export const registryFlags = {
  root: { type: 'string' },
  remote: { type: 'string' },
  branch: { type: 'string' },
  local: { type: 'boolean' },
} as const;

/** Help lines for `registryFlags`. */
export const registryFlagsHelp = `Registry options:
  --root DIR        registry folder in the repository (default: models)
  --remote NAME     remote to allocate versions against and push to (default: origin; none: local commits)
  --branch NAME     branch that holds the registry (default: the checked-out branch)
  --local           commit locally, do not push`;

/** Values of the registry flags, as parseArgs returns them. */
export interface RegistryFlagValues {
  root?: string;
  remote?: string;
  branch?: string;
  local?: boolean;
}

/** Open the registry in the command's working directory from the flags. */
export function openFromFlags(ctx: CommandContext, v: RegistryFlagValues): Promise<Registry> {
  return openRegistry({ dir: ctx.cwd, root: v.root, remote: v.remote, branch: v.branch, log: ctx.log });
}

/** The write options the flags ask for. */
export function writeOpts(v: RegistryFlagValues): { push?: boolean } {
  return v.local ? { push: false } : {};
}

/** The default artifact store of the command (see `openModelStore`). */
export { DEFAULT_STORE };

/** Open the artifact store: `--store`, else the model's `artifact_store`, else `.mlops/artifacts` in the repository. */
export function storeFor(
  reg: Registry,
  ctx: CommandContext,
  flag: string | undefined,
  spec?: ModelSpec,
): ArtifactStore {
  return openModelStore({
    override: flag,
    artifactStore: spec?.artifact_store,
    registryDir: reg.dir,
    cwd: ctx.cwd,
    env: ctx.env,
    log: ctx.log,
  });
}

/** Read a JSON or YAML mapping file (metrics, params); UsageError naming the file and the form. */
export async function readMappingFile(
  path: string,
  cwd: string,
  what: string,
): Promise<Record<string, unknown>> {
  const full = isAbsolute(path) ? path : join(cwd, path);
  const text = await readFile(full, 'utf8').catch(() => {
    throw new UsageError(`${what} file '${path}' cannot be read: expected a JSON or YAML file.`);
  });
  const value = parseYaml(text, path);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(
      `${what} file '${path}' is not a mapping: expected JSON or YAML like {"roc_auc": 0.91}.`,
    );
  }
  return value as Record<string, unknown>;
}

/** The single positional argument a command needs, or a UsageError naming the form. */
export function positional(positionals: string[], index: number, form: string, command: string): string {
  const v = positionals[index];
  if (v === undefined)
    throw new UsageError(
      `missing argument: expected 'mlops ${command} ${form}'. See 'mlops ${command} --help'.`,
    );
  return v;
}

/** Refuse extra positionals. */
export function noExtra(positionals: string[], max: number, command: string): void {
  if (positionals.length > max) {
    throw new UsageError(`unexpected argument '${positionals[max]}'. See 'mlops ${command} --help'.`);
  }
}

/** `0.912345678` → `0.912346`; integers as they are. */
export function num(v: number | null | undefined): string {
  if (v === undefined || v === null) return '-';
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}
