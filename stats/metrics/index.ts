/**
 * Evaluation metrics with sklearn's semantics, DeLong's paired AUC test and a seeded paired bootstrap.
 * Every value is checked against sklearn/scipy (test/stats/metrics) to 1e-12 relative.
 */
export { BINARY_METRICS, binaryMetrics, type BinaryInput } from './binary.ts';
export { MULTICLASS_METRICS, multiclassMetrics } from './multiclass.ts';
export { REGRESSION_METRICS, regressionMetrics } from './regression.ts';
export { delongTest, type DeLongResult } from './delong.ts';
export {
  pairedBootstrap,
  percentileSorted,
  type BootstrapOptions,
  type BootstrapResult,
} from './bootstrap.ts';
export { xoshiro128, type Prng } from './prng.ts';
export { erf, erfc } from '../erfc.ts';
export { npMean, npSum } from '../numpy.ts';
export { EPS, metricSet, type MetricSet, type Task } from './types.ts';
