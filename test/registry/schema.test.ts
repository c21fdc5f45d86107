import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import {
  parseAliases,
  parseEventTrailers,
  parseModelCard,
  parseModelRef,
  parseModelSpec,
  renderModelCard,
  validateModelName,
} from '../../registry/index.ts';
import type { ModelSpec, VersionRecord } from '../../registry/types.ts';

const spec: ModelSpec = {
  name: 'churn',
  task: 'binary',
  primary_metric: { name: 'roc_auc', direction: 'maximize' },
};

describe('registry schema', () => {
  it('validateModelName accepts the documented form and refuses the rest', () => {
    for (const ok of ['churn', 'a', 'risk/churn-v2', 'x.y_z', '0', 'a'.repeat(63)])
      expect(validateModelName(ok)).toBe(ok);
    for (const bad of [
      '',
      'Churn',
      'a b',
      'a..b',
      '../a',
      '/a',
      'a/',
      'a/b/c',
      '-a',
      '.a',
      'a'.repeat(64),
      'a/B',
    ]) {
      expect(() => validateModelName(bad), bad).toThrow(UsageError);
    }
  });

  it('parseModelRef reads model, model@alias and model@vN', () => {
    expect(parseModelRef('churn')).toEqual({ model: 'churn' });
    expect(parseModelRef('risk/churn@champion')).toEqual({ model: 'risk/churn', alias: 'champion' });
    expect(parseModelRef('churn@v12')).toEqual({ model: 'churn', version: 12 });
    expect(() => parseModelRef('churn@')).toThrow(/expected <model>, <model>@<alias> or <model>@v<N>/);
    expect(() => parseModelRef('churn@v0')).toThrow(/version 'v0' is not valid/);
  });

  it('parseModelSpec names the file, field, value and form', () => {
    expect(
      parseModelSpec(
        'name: churn\ntask: binary\nprimary_metric: {name: roc_auc, direction: maximize}\n',
        'm.yaml',
      ),
    ).toEqual(spec);
    expect(() =>
      parseModelSpec('name: churn\ntask: ranking\nprimary_metric: {name: a, direction: maximize}', 'm.yaml'),
    ).toThrow("m.yaml: task 'ranking' is not valid: expected one of binary, multiclass, regression.");
    expect(() =>
      parseModelSpec('name: churn\ntask: binary\nprimary_metric: {name: a, direction: up}', 'm.yaml'),
    ).toThrow(/primary_metric.direction 'up'.*maximize or minimize/);
    expect(() => parseModelSpec('name: churn\nname: again', 'm.yaml')).toThrow(
      /m\.yaml: malformed YAML at line 2/,
    );
  });

  it('parseAliases refuses non-integer versions and bad alias names', () => {
    expect(parseAliases('', 'a.yaml')).toEqual({ aliases: {}, archived: [] });
    expect(parseAliases('aliases: {champion: 3}\narchived: [1]', 'a.yaml')).toEqual({
      aliases: { champion: 3 },
      archived: [1],
    });
    expect(() => parseAliases('aliases: {champion: 2.5}', 'a.yaml')).toThrow(
      /alias 'champion' '2.5' is not valid: expected a positive integer/,
    );
    expect(() => parseAliases('aliases: {v2: 2}', 'a.yaml')).toThrow(/alias 'v2' is not valid/);
  });

  it('renderModelCard writes Hugging Face model-index metrics that parseModelCard reads back', () => {
    const record = {
      model: 'churn',
      version: 3,
      created: '2026-01-01T00:00:00.000Z',
      created_by: 'a',
      source: { dirty: false },
      params: {},
      metrics: { roc_auc: 0.91, accuracy: 0.8 },
      data: [],
      environment: {},
      artifacts: [{ path: 'model.onnx', uri: 'file:///x', sha256: 'a'.repeat(64), bytes: 1 }],
    } satisfies VersionRecord;
    const card = parseModelCard(renderModelCard({ spec, record }), 'card.md');
    expect(card.metrics).toEqual({ roc_auc: 0.91, accuracy: 0.8 });
    const index = card.frontMatter['model-index'] as {
      name: string;
      results: { task: { type: string } }[];
    }[];
    expect(index[0].name).toBe('churn-v3');
    expect(index[0].results[0].task.type).toBe('tabular-classification');
    expect(card.body).toContain('# churn v3');
    expect(() => parseModelCard('no front matter', 'c.md')).toThrow(/c\.md: model card has no front matter/);
    expect(() => parseModelCard('---\nmodel-index: 3\n---\n', 'c.md')).toThrow(/model-index is not valid/);
  });

  it('parseEventTrailers reads every event form', () => {
    const msg =
      'x: y\n\nMlops-Event: registered risk/churn v3\nMlops-Event: alias_moved churn champion v2 -> v3\nMlops-Event: archived churn v2\nApproved-by: bob';
    expect(parseEventTrailers(msg)).toEqual([
      { type: 'registered', model: 'risk/churn', version: 3 },
      { type: 'alias_moved', model: 'churn', alias: 'champion', from: 2, version: 3 },
      { type: 'archived', model: 'churn', version: 2 },
    ]);
  });
});
