/**
 * Read-only view of registry files at any ref through the Forge (no checkout needed), parsed with the
 * registry's own schema functions. Used by the gate, which runs on PR events.
 */
import type { Forge } from '../../../github/forge.ts';
import { parseAliases, parseModelSpec, parseVersionRecord } from '../../../registry/index.ts';
import type { AliasesFile, ModelSpec, VersionRecord } from '../../../registry/types.ts';

function dir(root: string, model: string): string {
  const r = root.replace(/^\.?\//, '').replace(/\/+$/, '');
  return r ? `${r}/${model}` : model;
}

/** Path of a model's aliases file. */
export function aliasesPath(root: string, model: string): string {
  return `${dir(root, model)}/aliases.yaml`;
}

/** A model's spec at `ref`, or undefined when `model.yaml` is absent there. */
export async function readSpec(
  forge: Forge,
  root: string,
  model: string,
  ref: string,
): Promise<ModelSpec | undefined> {
  const path = `${dir(root, model)}/model.yaml`;
  const text = await forge.readFile(path, ref);
  return text === undefined ? undefined : parseModelSpec(text, path);
}

/** A model's aliases file at `ref`, or undefined when absent there. */
export async function readAliases(
  forge: Forge,
  root: string,
  model: string,
  ref: string,
): Promise<AliasesFile | undefined> {
  const path = aliasesPath(root, model);
  const text = await forge.readFile(path, ref);
  return text === undefined ? undefined : parseAliases(text, path);
}

/** A version record at `ref`, or undefined when absent there. */
export async function readVersion(
  forge: Forge,
  root: string,
  model: string,
  version: number,
  ref: string,
): Promise<VersionRecord | undefined> {
  const path = `${dir(root, model)}/versions/v${version}/version.yaml`;
  const text = await forge.readFile(path, ref);
  return text === undefined ? undefined : parseVersionRecord(text, path);
}
