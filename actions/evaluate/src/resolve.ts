/**
 * Which versions an evaluation compares: the candidate (a version, or the one the PR points the alias at, or
 * the latest), and the champion as the alias stands on the PR's base branch (the PR head already moves it).
 * Artifacts are fetched from the store and sha256-verified; a mismatch fails, the registry is not trusted blindly.
 */
import { join } from 'node:path';
import { GateFailure, UsageError } from '../../../core/errors.ts';
import type { Forge, ForgePullRequest } from '../../../github/forge.ts';
import type { Registry } from '../../../registry/index.ts';
import { parseAliases } from '../../../registry/index.ts';
import type { ArtifactStore } from '../../../registry/stores/types.ts';
import type { AliasesFile, ArtifactRecord, ModelSpec, VersionRecord } from '../../../registry/types.ts';
import type { CandidateInput } from './inputs.ts';

/** A registry version taking part in the evaluation. */
export interface ResolvedVersion {
  version: number;
  record: VersionRecord;
}

/** The two sides of the comparison. */
export interface ResolvedPair {
  spec: ModelSpec;
  /** Undefined when the candidate is a file outside the registry. */
  candidate?: ResolvedVersion;
  champion?: ResolvedVersion;
  /** Why there is no champion to compare with, when there is none. */
  noChampion?: string;
}

const HEAD = { at: 'HEAD' };

function aliasesPath(root: string, model: string): string {
  const r = root.replace(/^\.?\//, '').replace(/\/+$/, '');
  return `${r ? `${r}/` : ''}${model}/aliases.yaml`;
}

/** The aliases on the PR's base branch (through the forge), or at HEAD when there is no PR. */
async function baseAliases(o: {
  registry: Registry;
  model: string;
  forge?: Forge;
  pr?: ForgePullRequest;
}): Promise<AliasesFile> {
  if (o.forge && o.pr) {
    const path = aliasesPath(o.registry.root, o.model);
    const text = await o.forge.readFile(path, o.pr.baseRef);
    return text === undefined ? { aliases: {}, archived: [] } : parseAliases(text, `${path}@${o.pr.baseRef}`);
  }
  return o.registry.aliases(o.model, HEAD);
}

/** Resolve candidate and champion from the registry checked out at HEAD (the PR head). */
export async function resolvePair(o: {
  registry: Registry;
  model: string;
  alias: string;
  candidate: CandidateInput;
  forge?: Forge;
  pr?: ForgePullRequest;
}): Promise<ResolvedPair> {
  const { registry, model, alias } = o;
  const spec = await registry.spec(model, HEAD);
  const head = await registry.aliases(model, HEAD);
  const base = await baseAliases(o);
  let candidateVersion: number | undefined;
  if (o.candidate.kind === 'version') candidateVersion = o.candidate.version;
  else if (o.candidate.kind === 'pr') {
    const moved = head.aliases[alias];
    if (moved !== undefined && moved !== base.aliases[alias]) candidateVersion = moved;
    else {
      const versions = await registry.versions(model, HEAD);
      candidateVersion = versions.at(-1);
      if (candidateVersion === undefined)
        throw new UsageError(`model '${model}' has no registered version to evaluate; run track first.`);
    }
  }
  const candidate =
    candidateVersion === undefined
      ? undefined
      : {
          version: candidateVersion,
          record: await registry.resolve({ model, version: candidateVersion }, HEAD),
        };
  const championVersion = base.aliases[alias];
  if (championVersion === undefined)
    return { spec, candidate, noChampion: `No ${alias} yet (first version)` };
  if (championVersion === candidateVersion)
    return { spec, candidate, noChampion: `The candidate v${championVersion} is already ${alias}` };
  const champion = {
    version: championVersion,
    record: await registry.resolve({ model, version: championVersion }, HEAD),
  };
  return { spec, candidate, champion };
}

/** The ONNX artifact of a version: `model.onnx`, else the only `.onnx` file. */
export function onnxArtifact(record: VersionRecord): ArtifactRecord {
  const onnx = record.artifacts.filter((a) => /\.onnx$/i.test(a.path));
  const pick = onnx.find((a) => a.path === 'model.onnx') ?? (onnx.length === 1 ? onnx[0] : undefined);
  if (!pick) {
    throw new UsageError(
      `${record.model} v${record.version} has ${onnx.length === 0 ? 'no .onnx artifact' : `several .onnx artifacts (${onnx.map((a) => a.path).join(', ')}) and none named model.onnx`}; expected one model.onnx (or use predictions mode).`,
    );
  }
  return pick;
}

/** The store a record's blobs live in: the spec's, the input's, else the base of the artifact's own URI. */
export function storeUriFor(spec: ModelSpec, fallback: string | undefined, artifact: ArtifactRecord): string {
  const own = artifact.uri.replace(/\/sha256\/[0-9a-f]{2}\/[0-9a-f]{64}$/, '');
  const uri = spec.artifact_store ?? fallback ?? (own !== artifact.uri ? own : undefined);
  if (!uri)
    throw new UsageError(
      `model '${spec.name}' names no artifact_store in model.yaml: pass the 'artifact-store' input (a path or s3:// URI).`,
    );
  return uri;
}

/** Download a version's ONNX artifact into `dir`, verified against its recorded sha256; returns the local path. */
export async function fetchArtifact(o: {
  role: 'candidate' | 'champion';
  version: ResolvedVersion;
  artifact: ArtifactRecord;
  store: ArtifactStore;
  dir: string;
}): Promise<string> {
  const { artifact: a, version: v } = o;
  const dest = join(o.dir, `${o.role}-v${v.version}-${a.path.replace(/[^A-Za-z0-9._-]/g, '_')}`);
  try {
    await o.store.getFile(a.sha256, dest);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const what = `${o.role} ${v.record.model} v${v.version} artifact ${a.path} (sha256 ${a.sha256.slice(0, 12)}… in version.yaml)`;
    if (e.code === 'integrity')
      throw new GateFailure(
        `${what}: the stored bytes do not match the recorded sha256 (${e.message}); refusing to evaluate it.`,
      );
    if (e.code === 'missing')
      throw new GateFailure(`${what} is missing from the store ${o.store.baseUri}: ${e.message}`);
    throw new Error(`${what} could not be fetched from ${o.store.baseUri}: ${e.message ?? String(err)}`);
  }
  return dest;
}
