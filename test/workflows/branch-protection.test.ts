import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGGREGATE_CONTEXT } from '../../actions/promote/src/aggregate.ts';
import { loadWorkflow, root } from './support.ts';

const ruleset = JSON.parse(readFileSync(join(root, 'examples/consumer/branch-protection.json'), 'utf8')) as {
  rules: { type: string; parameters?: Record<string, unknown> }[];
};
const docs = (path: string) => readFileSync(join(root, path), 'utf8');

describe('branch protection and the gate agree', () => {
  it('branch-protection.json requires exactly the status the promote action posts, with branches up to date', () => {
    const rule = ruleset.rules.find((r) => r.type === 'required_status_checks');
    expect(rule?.parameters?.required_status_checks).toEqual([{ context: AGGREGATE_CONTEXT }]);
    expect(rule?.parameters?.strict_required_status_checks_policy).toBe(true);
    expect(ruleset.rules.map((r) => r.type)).toEqual(
      expect.arrayContaining(['pull_request', 'non_fast_forward']),
    );
  });

  it('the promote workflows run on every pull request, so the required status is posted on every head', () => {
    for (const path of [
      '.github/workflows/promote.yml',
      'examples/consumer/.github/workflows/mlops-promote.yml',
    ]) {
      const on = loadWorkflow(path).on as Record<string, Record<string, unknown> | null>;
      expect(on, path).toHaveProperty('pull_request');
      expect(on.pull_request?.paths, path).toBeUndefined();
      expect(on.pull_request?.['paths-ignore'], path).toBeUndefined();
      expect(on.pull_request?.types, path).toEqual(expect.arrayContaining(['opened', 'synchronize']));
    }
  });

  it('the docs tell users to require the one status, never the per-model checks', () => {
    for (const path of ['docs/promote.md', 'docs/workflows.md', 'examples/consumer/README.md']) {
      const text = docs(path);
      expect(text, path).toContain(`\`${AGGREGATE_CONTEXT}\``);
      expect(text, path).not.toMatch(/(add|require)\w*\s+`mlops\/promotion-gate \(<model>\)`\s+for each/i);
    }
  });
});
