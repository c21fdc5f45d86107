/**
 * The evaluation condition of the gate: the `mlops/evaluate (<model>)` check on the PR's head commit concluded
 * success, and the artifacts it evaluated (sha256 in the check run's `external_id`) are the candidate's.
 */
import type { ForgeCheckRun } from '../../../github/forge.ts';
import type { ArtifactRecord } from '../../../registry/types.ts';

/** The evaluate check's name for a model. */
export function evaluateCheckName(model: string): string {
  return `mlops/evaluate (${model})`;
}

/**
 * The artifact sha256s an evaluate check records, by artifact path (`undefined` when `external_id` holds none).
 * Accepted shapes: `{"artifacts":[{"path","sha256"}]}`, `{"artifacts":{"<path>":"<sha256>"}}`,
 * `{"candidate":{"artifacts":…}}`.
 */
export function evaluatedArtifacts(run: ForgeCheckRun): Map<string, string> | undefined {
  if (!run.externalId) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(run.externalId);
  } catch {
    return undefined;
  }
  const obj = parsed as { artifacts?: unknown; candidate?: { artifacts?: unknown } };
  const list = obj?.artifacts ?? obj?.candidate?.artifacts;
  const out = new Map<string, string>();
  if (Array.isArray(list)) {
    for (const a of list as { path?: unknown; sha256?: unknown }[]) {
      if (typeof a?.path === 'string' && typeof a.sha256 === 'string')
        out.set(a.path, a.sha256.toLowerCase());
    }
  } else if (list && typeof list === 'object') {
    for (const [path, sha] of Object.entries(list as Record<string, unknown>)) {
      if (typeof sha === 'string') out.set(path, sha.toLowerCase());
    }
  }
  return out.size > 0 ? out : undefined;
}

/**
 * What is wrong with the evaluation for `headSha`, one line per problem (empty when it passes):
 * missing, still running, not successful, no recorded artifacts, or an artifact whose sha256 differs.
 */
export function evaluationProblems(opts: {
  model: string;
  headSha: string;
  run: ForgeCheckRun | undefined;
  /** The candidate version's artifacts (from its `version.yaml` in the PR). */
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
  const evaluated = evaluatedArtifacts(run);
  if (!evaluated) return [`${name} on ${short} does not record which artifacts it evaluated (sha256)`];
  const problems: string[] = [];
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
