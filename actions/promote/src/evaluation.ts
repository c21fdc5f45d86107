/**
 * The evaluation condition of the gate: the `mlops/evaluate (<model>)` check on the PR's head commit concluded
 * success, and the version and artifacts it evaluated (the check run's `external_id`, written by the evaluate
 * action) are the candidate's.
 */
import type { ForgeCheckRun } from '../../../github/forge.ts';
import type { ArtifactRecord } from '../../../registry/types.ts';

/** The evaluate check's name for a model. */
export function evaluateCheckName(model: string): string {
  return `mlops/evaluate (${model})`;
}

/** What an evaluate check run records in its `external_id` (docs/evaluate.md, "Check run and promotion"). */
export interface EvaluatedRecord {
  model: string;
  version: number;
  /** Artifact path -> sha256 (lowercase hex). */
  artifacts: Map<string, string>;
}

/**
 * Parse an evaluate check's `external_id`: exactly `{"model","version","artifacts":{"<path>":"<sha256>"}}`, the
 * one format the evaluate action writes. Anything else is `undefined` (the gate then reports it unreadable).
 */
export function parseEvaluatedRecord(externalId: string | null): EvaluatedRecord | undefined {
  if (!externalId) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(externalId);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const { model, version, artifacts } = v as Record<string, unknown>;
  if (typeof model !== 'string' || !Number.isInteger(version) || (version as number) < 1) return undefined;
  if (typeof artifacts !== 'object' || artifacts === null || Array.isArray(artifacts)) return undefined;
  const out = new Map<string, string>();
  for (const [path, sha] of Object.entries(artifacts)) {
    if (typeof sha !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha)) return undefined;
    out.set(path, sha.toLowerCase());
  }
  return out.size > 0 ? { model, version: version as number, artifacts: out } : undefined;
}

/**
 * What is wrong with the evaluation for `headSha`, one line per problem (empty when it passes):
 * missing, still running, not successful, no recorded artifacts, or an artifact whose sha256 differs.
 */
export function evaluationProblems(opts: {
  model: string;
  headSha: string;
  run: ForgeCheckRun | undefined;
  /** The candidate version and its artifacts (from its `version.yaml` in the PR). */
  version: number;
  artifacts: ArtifactRecord[];
}): string[] {
  const { run, headSha } = opts;
  const name = evaluateCheckName(opts.model);
  const short = headSha.slice(0, 7);
  if (!run) return [`no ${name} check on the head commit ${short}: run evaluate on this commit`];
  if (run.status !== 'completed') return [`${name} on ${short} has not finished (${run.status})`];
  if (run.conclusion !== 'success') {
    return [`${name} on ${short} concluded ${run.conclusion ?? 'nothing'}, not success`];
  }
  const record = parseEvaluatedRecord(run.externalId);
  if (!record) {
    return [
      `${name} on ${short} does not record the artifacts it evaluated: its external_id must be {"model","version","artifacts":{"<path>":"<sha256>"}}`,
    ];
  }
  const evaluated = record.artifacts;
  const problems: string[] = [];
  if (record.model !== opts.model) problems.push(`${name} on ${short} evaluated the model ${record.model}`);
  if (record.version !== opts.version)
    problems.push(`${name} on ${short} evaluated v${record.version}, but the PR promotes v${opts.version}`);
  for (const a of opts.artifacts) {
    const sha = evaluated.get(a.path);
    if (sha === undefined) continue;
    if (sha !== a.sha256.toLowerCase()) {
      problems.push(
        `artifact ${a.path} has sha256 ${a.sha256.slice(0, 12)}… in version.yaml but ${sha.slice(0, 12)}… was evaluated`,
      );
    }
  }
  const candidate = new Set(opts.artifacts.map((a) => a.path));
  const matched = [...evaluated.keys()].filter((p) => candidate.has(p));
  if (matched.length === 0) {
    problems.push(
      `none of the evaluated artifacts (${[...evaluated.keys()].join(', ')}) is in the candidate's version.yaml`,
    );
  }
  return problems;
}
