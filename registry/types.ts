/**
 * The registry's data: what `model.yaml`, `versions/v<N>/version.yaml` and the aliases file hold.
 * Validation lives in `registry/schema.ts`; these are the shapes every other module codes against.
 */

/** Direction of a metric: which way is better. */
export type Direction = 'maximize' | 'minimize';

/** One gate on an evaluation metric, e.g. `{ metric: roc_auc, min: 0.8 }` or `{ metric: roc_auc, max_regression: 0.01 }`. */
export interface MetricGate {
  metric: string;
  /** Candidate's value must be >= min. */
  min?: number;
  /** Candidate's value must be <= max. */
  max?: number;
  /** Candidate may be worse than the champion by at most this much (in the metric's direction). */
  max_regression?: number;
  /** Any slice may be worse than the champion's same slice by at most this much. */
  max_slice_regression?: number;
  /** Candidate must beat the champion by at least this much (absolute, in the metric's direction). */
  min_improvement?: number;
  /** Candidate must beat the champion by at least this fraction of the champion's value (0.02 = 2%). */
  min_relative_improvement?: number;
  /** The difference from the champion must be significant (DeLong p < 0.05, or a bootstrap CI excluding 0). */
  significant?: boolean;
}

/** A column of the model's data schema. */
export interface SchemaColumn {
  name: string;
  /** float32, float64, int64, int32, bool, string, category. */
  dtype: string;
}

/** Per-column drift overrides. */
export interface DriftColumnConfig {
  method?: 'auto' | 'ks' | 'wasserstein' | 'psi' | 'jensenshannon' | 'chisquare' | 'ztest';
  threshold?: number;
  categorical?: boolean;
  ignore?: boolean;
}

/** `models/<model>/model.yaml`: the model's spec. */
export interface ModelSpec {
  name: string;
  description?: string;
  task: 'binary' | 'multiclass' | 'regression';
  /** The metric promotion decisions rank by. */
  primary_metric: { name: string; direction: Direction };
  gates?: MetricGate[];
  /** Users (`alice`) or teams (`@org/team`) whose approvals count. Empty: CODEOWNERS for the model's path. */
  owners?: string[];
  promotion?: {
    /** Approvals required on the PR's head commit. Default 1. */
    approvals?: number;
    /** Extra paths a promotion PR may touch besides the model's registry folder. */
    extra_paths?: string[];
    /** Stage rules: alias -> the alias a version must hold first, e.g. `{ production: staging }`. */
    requires?: Record<string, string>;
    /** Allow `promote` rollbacks with `direct: true` to commit to the default branch (recorded in an issue). */
    emergency_rollback?: boolean;
  };
  schema?: {
    features: SchemaColumn[];
    label?: string;
    /** Columns to compute slice metrics on. */
    slices?: string[];
  };
  /** Artifact store URI: a local path, `file://…` or `s3://bucket/prefix`. */
  artifact_store?: string;
  drift?: {
    method?: DriftColumnConfig['method'];
    threshold?: number;
    columns?: Record<string, DriftColumnConfig>;
    /** Share of drifted columns at which the dataset counts as drifted. Default 0.5. */
    dataset_share?: number;
    /** Below this many rows a column is "not enough data". Default 30. */
    min_rows?: number;
    prediction_column?: string;
    target_column?: string;
  };
  /** How the retrain workflow trains this model; its inputs, when given, override these. */
  training?: TrainingSpec;
}

/**
 * Per-model training settings read by the retrain workflow (`training:` in model.yaml), so that a dispatch
 * needs only model, reason and issue. Paths are relative to the repository root.
 */
export interface TrainingSpec {
  /** Training command (bash), run at the repository root with MLOPS_MODEL and MLOPS_OUTPUT_DIR set. */
  command?: string;
  /** Training data hashed for lineage: paths, globs or s3:// prefixes. */
  data?: string[];
  /** Evaluation set of the candidate and the champion: a path or s3:// URI. */
  evaluation_data?: string;
  /** Data that track profiles as the drift reference: a path or s3:// URI. */
  reference_data?: string;
  /** Runner labels of the training job, e.g. `[self-hosted, gpu]`. */
  runner_labels?: string[];
  /** Fail before the command starts when no GPU is visible. Default true. */
  require_gpu?: boolean;
  /** Checkpoint folder synced to the artifact store, so a preempted run resumes. */
  checkpoint_dir?: string;
  /** Metrics the command writes (a JSON Lines file or a DVCLive folder), inside the output folder. */
  metrics?: string;
  /** Globs of the files to register, inside the output folder. */
  artifacts?: string[];
}

/** Where a version came from. */
export interface VersionSource {
  repository?: string;
  commit?: string;
  ref?: string;
  run_url?: string;
  dirty: boolean;
}

/** A data input used in training, for lineage. */
export interface DataInput {
  uri: string;
  sha256: string;
  rows?: number;
  bytes: number;
}

/** An artifact of a version. */
export interface ArtifactRecord {
  /** Name inside the version, e.g. `model.onnx`. */
  path: string;
  uri: string;
  sha256: string;
  bytes: number;
}

/** One tensor of an ONNX signature. */
export interface TensorSpec {
  name: string;
  dtype: string;
  /** Dimensions; a symbolic dimension is its name (e.g. `N`) or null. */
  shape: (number | string | null)[];
}

/** The environment a version was trained in. */
export interface EnvironmentRecord {
  runner?: string;
  os?: string;
  cpu?: string;
  memory_bytes?: number;
  node?: string;
  python?: string;
  gpus?: { name: string; driver: string; memory: string }[];
  cuda?: string;
  container?: string;
  lockfiles?: Record<string, string>;
}

/** `models/<model>/versions/v<N>/version.yaml`: immutable once written. */
export interface VersionRecord {
  model: string;
  version: number;
  /** ISO 8601 UTC. */
  created: string;
  created_by: string;
  description?: string;
  source: VersionSource;
  params: Record<string, unknown>;
  metrics: Record<string, number>;
  data: DataInput[];
  environment: EnvironmentRecord;
  artifacts: ArtifactRecord[];
  signature?: { inputs: TensorSpec[]; outputs: TensorSpec[] };
  /** Reference profile for drift, when `track` saved one (artifact path inside `artifacts`). */
  reference_profile?: string;
  evaluation?: {
    commit?: string;
    metrics: Record<string, number | null>;
    passed: boolean;
    check_url?: string;
  };
}

/** `models/<model>/aliases.yaml`: the one mutable file. */
export interface AliasesFile {
  aliases: Record<string, number>;
  archived: number[];
}
