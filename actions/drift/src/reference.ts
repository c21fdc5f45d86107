/**
 * Where the reference comes from: the champion's saved reference profile (fetched from the artifact store,
 * sha256-verified) or a file given explicitly (a saved profile or any data file). The champion's ONNX model is
 * fetched the same way when prediction drift needs it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../../core/errors.ts';
import type { ArtifactStore } from '../../../registry/stores/types.ts';
import type { ArtifactRecord, VersionRecord } from '../../../registry/types.ts';
import { readTable, type SourceOptions, type Table } from '../../../tables/index.ts';
import { PROFILE_FORMAT, parseProfile, type ReferenceProfile } from './profile.ts';

/** Read an explicit reference: a saved profile (JSON with `"format": "mlops-reference-profile"`) or a data file. */
export async function readReference(
  uri: string,
  opts: SourceOptions & { columns?: string[] } = {},
): Promise<Table | ReferenceProfile> {
  if (/\.json$/i.test(uri) && !uri.startsWith('s3://')) {
    let text: string;
    try {
      text = await readFile(uri, 'utf8');
    } catch {
      throw new UsageError(`reference '${uri}' cannot be read; expected an existing file`);
    }
    if (text.trimStart().startsWith('{') && text.includes(PROFILE_FORMAT)) return parseProfile(text);
  }
  return readTable(uri, { columns: opts.columns, s3: opts.s3, env: opts.env });
}

/** Download one artifact of a version to memory, verifying its sha256 (the store checks it). */
export async function fetchArtifact(store: ArtifactStore, artifact: ArtifactRecord): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'mlops-drift-'));
  try {
    const dest = join(dir, 'artifact');
    await store.getFile(artifact.sha256, dest);
    return await readFile(dest);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The version's reference profile, fetched from the store; UsageError when the version saved none. */
export async function championProfile(
  store: ArtifactStore,
  record: VersionRecord,
): Promise<ReferenceProfile> {
  const name = record.reference_profile;
  const label = `${record.model} v${record.version}`;
  if (!name) {
    throw new UsageError(
      `${label} has no reference_profile (track saves one with 'reference-data'); pass 'reference' to compare with a file instead`,
    );
  }
  const artifact = record.artifacts.find((a) => a.path === name);
  if (!artifact) {
    throw new UsageError(
      `${label}: reference_profile '${name}' is not among its artifacts (${record.artifacts.map((a) => a.path).join(', ')})`,
    );
  }
  const bytes = await fetchArtifact(store, artifact);
  return parseProfile(bytes.toString('utf8'));
}

/** The version's ONNX model artifact (the first `*.onnx`), or undefined when it has none. */
export function onnxArtifact(record: VersionRecord): ArtifactRecord | undefined {
  return (
    record.artifacts.find((a) => a.path === 'model.onnx') ??
    record.artifacts.find((a) => a.path.endsWith('.onnx'))
  );
}
