/** The `mlops/evaluate (churn)` check run as the evaluate action posts it (its own formatter), for the gate's tests. */
import { evaluateCheckName, formatEvaluationExternalId } from '../../actions/evaluate/src/external-id.ts';
import type { CheckRunInput } from '../../github/forge.ts';

/** A completed evaluate check on `headSha` that evaluated `model.onnx` with `sha256` (model churn unless told). */
export function evaluatedCheck(o: {
  model?: string;
  headSha: string;
  sha256: string;
  conclusion?: 'success' | 'failure';
  version?: number;
  /** Replace the recorded external_id (to test other formats). */
  externalId?: string;
}): CheckRunInput {
  return {
    name: evaluateCheckName(o.model ?? 'churn'),
    headSha: o.headSha,
    status: 'completed',
    conclusion: o.conclusion ?? 'success',
    title: 'evaluated',
    summary: 'evaluated',
    externalId:
      o.externalId ??
      formatEvaluationExternalId({
        model: o.model ?? 'churn',
        version: o.version ?? 2,
        artifacts: { 'model.onnx': o.sha256 },
      }),
  };
}
