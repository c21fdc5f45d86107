/**
 * The evaluation condition of the gate: the `mlops/evaluate (<model>)` check on the PR's head commit concluded
 * success, and the version and artifacts it evaluated are the candidate's. The check run's `external_id` is read
 * with the evaluate action's own parser (`actions/evaluate/src/external-id.ts`): one format, written and read there.
 */
import type { ForgeCheckRun } from '../../../github/forge.ts';
import type { ArtifactRecord } from '../../../registry/types.ts';
import { evaluateCheckName, parseEvaluationExternalId } from '../../evaluate/src/external-id.ts';

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
  const record = parseEvaluationExternalId(run.externalId);
  if (!record) {
    return [
      `${name} on ${short} does not record the artifacts it evaluated: its external_id must be {"model","version","artifacts":{"<path>":"<sha256>"}}`,
    ];
  }
  const evaluated = new Map(Object.entries(record.artifacts));
  const problems: string[] = [];
  if (record.model !== opts.model) problems.push(`${name} on ${short} evaluated the model ${record.model}`);
  if (record.version !== undefined && record.version !== opts.version)
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
