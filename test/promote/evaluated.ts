/** The `mlops/evaluate (churn)` check run as the evaluate action posts it, for the gate's tests. */
import type { CheckRunInput } from '../../github/forge.ts';

/** A completed evaluate check on `headSha` that evaluated `model.onnx` with `sha256`. */
export function evaluatedCheck(o: {
  headSha: string;
  sha256: string;
  conclusion?: 'success' | 'failure';
  version?: number;
  /** Replace the recorded external_id (to test other formats). */
  externalId?: string;
}): CheckRunInput {
  return {
    name: 'mlops/evaluate (churn)',
    headSha: o.headSha,
    status: 'completed',
    conclusion: o.conclusion ?? 'success',
    title: 'evaluated',
    summary: 'evaluated',
    externalId:
      o.externalId ??
      JSON.stringify({ model: 'churn', version: o.version ?? 2, artifacts: { 'model.onnx': o.sha256 } }),
  };
}
