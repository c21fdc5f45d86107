/**
 * Where the reference comes from: the champion's saved reference profile (fetched from the artifact store,
 * sha256-verified) or a file given explicitly (a saved profile or any data file). The champion's ONNX model is
 * fetched the same way when prediction drift needs it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../../core/errors.ts';
import { loadModel } from '../../../onnx/infer.ts';
import { openRegistry } from '../../../registry/index.ts';
import type { ArtifactStore } from '../../../registry/stores/types.ts';
import type { ArtifactRecord, ModelSpec, VersionRecord } from '../../../registry/types.ts';
import { readTable, type SourceOptions, type Table } from '../../../tables/index.ts';
import type { Cell } from '../../../tables/types.ts';
import type { DriftDeps, DriftOptions } from './drift.ts';
import type { Predictor } from './outcomes.ts';
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

/** The reference and what the registry said about the model. */
export interface Resolved {
  spec?: ModelSpec;
  record?: VersionRecord;
  store?: ArtifactStore;
  reference: Table | ReferenceProfile;
  label: string;
}

/** Open the registry (when `model` is given) and read the reference: the `reference` file or the champion's profile. */
export async function resolveReference(o: DriftOptions, deps: DriftDeps): Promise<Resolved> {
  let spec: ModelSpec | undefined;
  let record: VersionRecord | undefined;
  let store: ArtifactStore | undefined;
  if (o.model) {
    const reg = await openRegistry({
      dir: o.workingDir ?? process.cwd(),
      root: o.registryRoot,
      log: deps.log,
    });
    spec = await reg.spec(o.model);
    const storeUri = spec.artifact_store ?? o.artifactStore;
    if (storeUri) store = deps.openStore(storeUri);
    if (!o.reference || (o.runModel !== false && !o.modelFile)) {
      try {
        record = await reg.resolve({ model: o.model, alias: o.alias ?? 'champion' });
      } catch (err) {
        if (!o.reference) throw err;
      }
    }
  }
  if (o.reference) {
    return {
      spec,
      record,
      store,
      reference: await readReference(o.reference, { env: deps.env }),
      label: o.reference,
    };
  }
  if (!record || !store) {
    throw new UsageError(
      o.model
        ? `no artifact store for '${o.model}': set artifact_store in model.yaml or pass 'artifact-store'`
        : "nothing to compare with: give 'model' (its champion's reference profile) or 'reference' (a file)",
    );
  }
  const profile = await championProfile(store, record);
  return {
    spec,
    record,
    store,
    reference: profile,
    label: `${record.model} v${record.version} (${o.alias ?? 'champion'}) reference profile, ${profile.rows} row(s)`,
  };
}

/** A predictor from `modelFile` or the version's ONNX artifact; undefined when there is none or `runModel` is off. */
export async function championPredictor(o: DriftOptions, r: Resolved): Promise<Predictor | undefined> {
  if (o.runModel === false) return undefined;
  let source: string | { bytes: Uint8Array; label: string } | undefined = o.modelFile;
  if (!source && r.record && r.store) {
    const art = onnxArtifact(r.record);
    if (art)
      source = {
        bytes: await fetchArtifact(r.store, art),
        label: `${r.record.model} v${r.record.version} ${art.path}`,
      };
  }
  if (!source) return undefined;
  const model = await loadModel(source);
  const features = r.spec?.schema?.features.map((f) => f.name);
  return async (table: Table): Promise<Cell[]> => {
    const p = await model.predict(table, { task: r.spec?.task, features });
    if (p.task !== 'multiclass') return p.scores as number[];
    if (p.labels) return p.labels.map(String);
    const classes = p.classes ?? [];
    return (p.scores as number[][]).map((row) =>
      String(classes[row.indexOf(Math.max(...row))] ?? row.indexOf(Math.max(...row))),
    );
  };
}
