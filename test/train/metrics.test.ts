import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import { memoryLogger } from '../../core/logger.ts';
import { MetricsFollower } from '../../actions/train/src/follow.ts';
import { parseDvcLiveTsv, parseJsonlMetrics, readMetrics } from '../../actions/train/src/metrics.ts';
import { metricChart, trainSummary } from '../../actions/train/src/summary.ts';

const tmp = mkdtempSync(join(tmpdir(), 'mlops-metrics-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('metrics', () => {
  it('parseJsonlMetrics reports the line number of an unparseable line', () => {
    const text = '{"step":1,"loss":0.5}\n\n{"step":2,"loss":0.4\n';
    expect(() => parseJsonlMetrics(text, 'm.jsonl')).toThrow(UsageError);
    expect(() => parseJsonlMetrics(text, 'm.jsonl')).toThrow(/^m\.jsonl:3: not valid JSON/);
  });

  it('parseJsonlMetrics flattens nested values, takes step or epoch, and reads Python NaN', () => {
    const points = parseJsonlMetrics('{"epoch":3,"train":{"loss":0.5},"note":"x"}\n{"loss":NaN}\n', 'm');
    expect(points[0]).toEqual({ step: 3, name: 'train/loss', value: 0.5 });
    expect(points[1].step).toBe(1);
    expect(points[1].value).toBeNaN();
  });

  it('parseDvcLiveTsv reports the line number of a bad row', () => {
    expect(() =>
      parseDvcLiveTsv('timestamp\tstep\tloss\n1\t0\t0.5\n2\tone\t0.4\n', 'loss.tsv', 'loss'),
    ).toThrow(/^loss\.tsv:3:/);
  });

  it('readMetrics takes the last value by step, not by line', () => {
    const f = join(tmp, 'm.jsonl');
    writeFileSync(f, '{"step":2,"loss":0.2}\n{"step":1,"loss":0.9}\n');
    expect(readMetrics(f).final).toEqual({ loss: 0.2 });
  });

  it('MetricsFollower logs complete lines only and restarts on a truncated file', () => {
    const f = join(tmp, 'follow.jsonl');
    const log = memoryLogger();
    const follower = new MetricsFollower({ path: f, log });
    writeFileSync(f, '{"step":1,"loss":0.5}\n{"step":2,"lo');
    follower.poll();
    expect(log.lines).toEqual(['step 1: loss=0.50000']);
    writeFileSync(f, '{"step":1,"loss":0.5}\n{"step":2,"loss":0.25}\nnot json\n');
    follower.poll();
    expect(log.lines.slice(1)).toEqual([
      expect.stringMatching(/follow\.jsonl:3: not valid JSON/),
      'step 2: loss=0.25000',
    ]);
    writeFileSync(f, '{"step":1,"loss":0.7}\n');
    follower.poll();
    expect(log.lines.at(-1)).toBe('step 1: loss=0.70000');
  });

  it('MetricsFollower follows a DVCLive directory', () => {
    const d = join(tmp, 'dvclive');
    mkdirSync(join(d, 'plots/metrics/train'), { recursive: true });
    const log = memoryLogger();
    const follower = new MetricsFollower({ path: d, log });
    writeFileSync(join(d, 'plots/metrics/train/loss.tsv'), 'timestamp\tstep\tloss\n1\t0\t0.5\n');
    follower.poll();
    writeFileSync(join(d, 'plots/metrics/train/loss.tsv'), 'timestamp\tstep\tloss\n1\t0\t0.5\n2\t1\t0.25\n');
    follower.poll();
    expect(log.lines).toEqual(['step 0: train/loss=0.50000', 'step 1: train/loss=0.25000']);
  });

  it('trainSummary writes the final metrics and one Mermaid chart per metric', () => {
    const history = [0, 1, 2].flatMap((s) => [
      { step: s, name: 'loss', value: 1 / (s + 1) },
      { step: s, name: 'auc', value: 0.5 + s / 10 },
    ]);
    const md = trainSummary({
      model: 'm',
      exitCode: 0,
      timedOut: false,
      durationMs: 1500,
      history,
      final: { auc: 0.7, loss: 1 / 3 },
      gpus: [],
    });
    expect(md).toContain('## Training m: succeeded');
    expect(md).toContain('| auc | 0.7 |');
    expect(md.match(/```mermaid\nxychart-beta/g)).toHaveLength(2);
    expect(
      metricChart(
        'loss',
        history.filter((p) => p.name === 'loss'),
      ),
    ).toContain('line [1, 0.5, 0.333333]');
    const long = Array.from({ length: 1000 }, (_, i) => ({ step: i, name: 'x', value: i }));
    const chart = metricChart('x', long);
    expect(chart.match(/line \[(.*)\]/)?.[1].split(', ')).toHaveLength(100);
    expect(chart).toContain('999]');
  });

  /** Good lines around one line that does not parse and one NaN value, as a trainer might write. */
  const mixed = [
    '{"step":1,"loss":0.9,"acc":0.5}',
    '{"step":2,"loss":0.6,"acc":0.6}',
    '{"step":3,"loss":0.5,',
    '{"step":4,"loss":NaN,"acc":0.7}',
    '{"step":5,"loss":0.3,"acc":Infinity}',
    '',
  ].join('\n');

  it('readMetrics with onSkip keeps every good line and value, naming file and line of each skipped one', () => {
    const f = join(tmp, 'mixed.jsonl');
    writeFileSync(f, mixed);
    const skipped: string[] = [];
    const { history, final } = readMetrics(f, { onSkip: (m) => skipped.push(m) });
    expect(final).toEqual({ loss: 0.3, acc: 0.7 });
    expect(history.map((p) => `${p.step}:${p.name}`)).toEqual([
      '1:loss',
      '1:acc',
      '2:loss',
      '2:acc',
      '4:acc',
      '5:loss',
    ]);
    expect(skipped).toEqual([
      expect.stringMatching(/^.*mixed\.jsonl:3: not valid JSON .* Line skipped\.$/),
      expect.stringMatching(/mixed\.jsonl:4: loss is NaN, not a finite number; skipped\.$/),
      expect.stringMatching(/mixed\.jsonl:5: acc is Infinity, not a finite number; skipped\.$/),
    ]);
    expect(() => readMetrics(f)).toThrow(/mixed\.jsonl:3: not valid JSON/);
  });

  it('readMetrics with onSkip skips bad DVCLive rows and NaN values in the TSVs and metrics.json', () => {
    const d = join(tmp, 'dvc-mixed');
    mkdirSync(join(d, 'plots/metrics'), { recursive: true });
    writeFileSync(
      join(d, 'plots/metrics/loss.tsv'),
      'timestamp\tstep\tloss\n1\t0\t0.9\n2\tx\t0.5\n3\t2\tnan\n4\t3\t0.4\n',
    );
    writeFileSync(join(d, 'metrics.json'), '{"step": 3, "loss": 0.4, "auc": NaN, "acc": 0.8}');
    const skipped: string[] = [];
    const { history, final } = readMetrics(d, { onSkip: (m) => skipped.push(m) });
    expect(history.map((p) => [p.step, p.value])).toEqual([
      [0, 0.9],
      [3, 0.4],
    ]);
    expect(final).toEqual({ loss: 0.4, acc: 0.8 });
    expect(skipped).toEqual([
      expect.stringMatching(/loss\.tsv:3: expected .* Line skipped\.$/),
      expect.stringMatching(/loss\.tsv:4: loss is NaN/),
      expect.stringMatching(/metrics\.json: auc is NaN/),
    ]);
  });

  it('MetricsFollower skips the same lines and values as the final read, warning once each', () => {
    const f = join(tmp, 'follow-mixed.jsonl');
    const log = memoryLogger();
    const follower = new MetricsFollower({ path: f, log });
    writeFileSync(f, mixed);
    follower.poll();
    follower.poll();
    expect(log.lines).toEqual([
      expect.stringMatching(/follow-mixed\.jsonl:3: not valid JSON/),
      expect.stringMatching(/follow-mixed\.jsonl:4: loss is NaN/),
      expect.stringMatching(/follow-mixed\.jsonl:5: acc is Infinity/),
      'step 1: loss=0.90000 acc=0.50000',
      'step 2: loss=0.60000 acc=0.60000',
      'step 4: acc=0.70000',
      'step 5: loss=0.30000',
    ]);
  });
});
