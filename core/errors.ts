/**
 * The two kinds of failure the toolkit reports on purpose. Anything else that is thrown is a bug.
 */

/** Bad input or configuration that the user must fix. Exit code 2. The message names the value and the expected form. */
export class UsageError extends Error {
  readonly exitCode = 2;
  override name = 'UsageError';
}

/** A gate or check that ran and did not pass (promotion gate, evaluation gate, `--fail-on-drift`). Exit code 1. */
export class GateFailure extends Error {
  readonly exitCode = 1;
  override name = 'GateFailure';
}

/** Exit code for any thrown value: 2 for UsageError, 1 for GateFailure and for everything else. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) return 2;
  return 1;
}

/** A readable message for any thrown value, including non-Error throws. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return `non-Error thrown: ${String(err)}`;
}
