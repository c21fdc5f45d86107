import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import { parseModelSpec } from '../../registry/index.ts';

const spec = (promotion: string) =>
  `name: churn\ntask: binary\nprimary_metric: { name: roc_auc, direction: maximize }\npromotion: ${promotion}\n`;
const parse = (promotion: string) => parseModelSpec(spec(promotion), 'models/churn/model.yaml');

describe('promotion settings in model.yaml', () => {
  it('parseModelSpec accepts stage rules and the emergency rollback switch', () => {
    const s = parse('{ requires: { production: staging }, emergency_rollback: true }');
    expect(s.promotion).toEqual({ requires: { production: 'staging' }, emergency_rollback: true });
  });

  it('parseModelSpec refuses malformed stage rules, naming the field and the expected form', () => {
    for (const bad of [
      '{ requires: [staging] }',
      '{ requires: { production: 3 } }',
      '{ requires: { v2: staging } }',
    ]) {
      expect(() => parse(bad), bad).toThrow(UsageError);
      expect(() => parse(bad), bad).toThrow(
        /models\/churn\/model\.yaml: promotion\.requires .* expected a mapping of alias to the alias a version must hold first/,
      );
    }
  });

  it('parseModelSpec refuses an emergency_rollback that is not a boolean', () => {
    expect(() => parse("{ emergency_rollback: 'yes' }")).toThrow(
      "models/churn/model.yaml: promotion.emergency_rollback 'yes' is not valid: expected true or false.",
    );
  });
});
