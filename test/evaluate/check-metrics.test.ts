import { describe, expect, it } from 'vitest';
import { formatCheckMetrics, parseCheckMetrics } from '../../actions/evaluate/src/check-metrics.ts';

describe('check metrics block', () => {
  it('formatCheckMetrics writes a block parseCheckMetrics reads back, non-finite values as null', () => {
    const text = formatCheckMetrics({ roc_auc: 0.9123, log_loss: Number.NaN, r2: null, mae: undefined });
    expect(text).toContain('```json mlops-metrics\n');
    expect(parseCheckMetrics(`# report\n\n${text}\nmore`)).toEqual({
      roc_auc: 0.9123,
      log_loss: null,
      r2: null,
      mae: null,
    });
  });

  it('parseCheckMetrics returns undefined for text without the block or with a malformed one', () => {
    expect(parseCheckMetrics('')).toBeUndefined();
    expect(parseCheckMetrics(null)).toBeUndefined();
    expect(parseCheckMetrics('```json\n{"metrics":{"a":1}}\n```')).toBeUndefined();
    expect(parseCheckMetrics('```json mlops-metrics\n{"metrics":[1]}\n```')).toBeUndefined();
    expect(parseCheckMetrics('```json mlops-metrics\nnot json\n```')).toBeUndefined();
    expect(parseCheckMetrics('```json mlops-metrics\n{"metrics":{"a":"1","b":2}}\n```')).toEqual({ b: 2 });
  });
});
