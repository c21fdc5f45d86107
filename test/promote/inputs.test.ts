import { describe, expect, it } from 'vitest';
import { parsePromoteInputs } from '../../actions/promote/src/inputs.ts';
import { UsageError } from '../../core/errors.ts';

const from = (inputs: Record<string, string>) => (name: string) => inputs[name];

describe('parsePromoteInputs', () => {
  it('parsePromoteInputs reads every input through the getter, empty ones as undefined', () => {
    const i = parsePromoteInputs(
      from({ model: 'churn, fraud', pr: '12', merge: 'true', 'rollback-to': 'v3', reason: '', mode: 'gate' }),
    );
    expect(i).toMatchObject({
      mode: 'gate',
      models: ['churn', 'fraud'],
      pr: 12,
      merge: true,
      direct: false,
      rollbackTo: 3,
      root: 'models',
      alias: 'champion',
      reportAs: 'check',
      evaluateApp: 'github-actions',
    });
    expect(i.reason).toBeUndefined();
  });

  it('parsePromoteInputs names the bad value and the expected form', () => {
    expect(() => parsePromoteInputs(from({ pr: 'x' }))).toThrow(/input 'pr' is 'x'; expected a PR number/);
    expect(() => parsePromoteInputs(from({ merge: 'yes' }))).toThrow(UsageError);
    expect(() => parsePromoteInputs(from({ 'report-as': 'mail' }))).toThrow(/expected one of check, status/);
    expect(() => parsePromoteInputs(from({ 'evaluate-app-slug': 'My App' }))).toThrow(
      /input 'evaluate-app-slug' is 'My App'; expected a GitHub App slug/,
    );
    expect(parsePromoteInputs(from({ 'evaluate-app-slug': 'mlops-bot' })).evaluateApp).toBe('mlops-bot');
  });
});
