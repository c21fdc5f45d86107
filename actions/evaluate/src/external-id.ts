/**
 * The `external_id` of the `mlops/evaluate (<model>)` check run: which artifacts were evaluated, by sha256,
 * so that the promotion gate can verify that the green evaluation is of the candidate it promotes. One format,
 * written here and read by `actions/promote/src/evaluation.ts`:
 *
 * `{"model":"churn","version":7,"artifacts":{"model.onnx":"<sha256>"},"champion":{"version":6,"artifacts":{…}}}`
 *
 * `version` is absent when the candidate was a file outside the registry; `champion` when there was none.
 */

/** What one evaluate check records. */
export interface EvaluationRecordId {
  model: string;
  /** The candidate's registry version, when it came from the registry. */
  version?: number;
  /** Candidate artifacts evaluated: path inside the version -> lowercase sha256. */
  artifacts: Record<string, string>;
  /** The champion it was compared with. */
  champion?: { version: number; artifacts: Record<string, string> };
}

/** The evaluate check's name for a model: `mlops/evaluate (<model>)`. */
export function evaluateCheckName(model: string): string {
  return `mlops/evaluate (${model})`;
}

const lower = (a: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(a)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
      .map(([p, s]) => [p, s.toLowerCase()]),
  );

/** The check run's `external_id` (compact JSON, keys in a fixed order, sha256 lowercase). */
export function formatEvaluationExternalId(id: EvaluationRecordId): string {
  return JSON.stringify({
    model: id.model,
    ...(id.version !== undefined ? { version: id.version } : {}),
    artifacts: lower(id.artifacts),
    ...(id.champion
      ? { champion: { version: id.champion.version, artifacts: lower(id.champion.artifacts) } }
      : {}),
  });
}

const isShaMap = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  Object.values(v).every((s) => typeof s === 'string' && /^[0-9a-fA-F]{64}$/.test(s));

/** Read an `external_id` written by `formatEvaluationExternalId`; undefined when it is not one. */
export function parseEvaluationExternalId(text: string | null | undefined): EvaluationRecordId | undefined {
  if (!text) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  const o = v as Partial<EvaluationRecordId>;
  if (typeof o !== 'object' || o === null || typeof o.model !== 'string' || !isShaMap(o.artifacts))
    return undefined;
  if (o.version !== undefined && !Number.isInteger(o.version)) return undefined;
  const champion =
    o.champion && Number.isInteger(o.champion.version) && isShaMap(o.champion.artifacts)
      ? { version: o.champion.version, artifacts: lower(o.champion.artifacts) }
      : undefined;
  return {
    model: o.model,
    ...(o.version !== undefined ? { version: o.version } : {}),
    artifacts: lower(o.artifacts),
    ...(champion ? { champion } : {}),
  };
}
