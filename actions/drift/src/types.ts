/** The result of one drift run, as the reports, the retraining issue and the outputs see it. */
import type { DriftReport } from './compare.ts';
import type { OutcomeDrift, OutcomeSkipped } from './outcomes.ts';

/** Everything one run found. */
export interface DriftRun {
  /** The model, when the reference came from the registry (or was named). */
  model?: string;
  /** What the reference was: `churn v3 (champion) reference profile` or a path. */
  referenceLabel: string;
  /** What the current data was: location, window, files and rows. */
  current: { uri: string; since?: string; from?: string; files: number; rows: number };
  /** ISO 8601 time of the run. */
  time: string;
  /** Feature drift and data quality. */
  features: DriftReport;
  prediction?: OutcomeDrift | OutcomeSkipped;
  target?: OutcomeDrift | OutcomeSkipped;
  /** The overall verdict: dataset drift, or prediction drift, or target drift. */
  drift: boolean;
  /** Why (one line per reason), empty when no drift. */
  reasons: string[];
  /** Link to the run that produced it, when known. */
  runUrl?: string;
}
