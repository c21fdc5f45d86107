import { describe, expect, it } from 'vitest';
import {
  declaredInputs,
  declaredSecrets,
  loadAction,
  loadWorkflow,
  ownAction,
  ownWorkflow,
  steps,
  trigger,
  type Workflow,
  workflowsIn,
} from './support.ts';

const ours = workflowsIn('.github/workflows');
const consumer = workflowsIn('examples/consumer/.github/workflows');
const reusable = ours.filter((wf) => trigger(wf, 'workflow_call'));
const base = (wf: Workflow) => wf.path.split('/').pop()!;

/** Every step of ours or the consumer's that runs one of our actions. */
const actionSteps = [...ours, ...consumer].flatMap((wf) =>
  steps(wf)
    .filter(({ step }) => step.uses && ownAction(step.uses))
    .map(({ job, step }) => ({ wf, job, step, action: ownAction(step.uses!)! })),
);

describe('workflows and action metadata agree', () => {
  it('the workflows use all six actions', () => {
    expect([...new Set(actionSteps.map((s) => s.action))].sort()).toEqual([
      'drift',
      'evaluate',
      'promote',
      'settings',
      'track',
      'train',
    ]);
  });

  it.each(actionSteps.map((s) => [`${s.wf.path} ${s.job}: ${s.step.name ?? s.action}`, s] as const))(
    '%s passes only inputs the action declares, and all it requires',
    (_label, { action, step }) => {
      const meta = loadAction(action);
      expect(meta, `actions/${action}/action.yml exists`).toBeDefined();
      const given = Object.keys(step.with ?? {});
      expect(given.filter((k) => !(k in meta!.inputs))).toEqual([]);
      const required = Object.entries(meta!.inputs).filter(([, d]) => d.required && d.default === undefined);
      expect(required.map(([k]) => k).filter((k) => !given.includes(k))).toEqual([]);
    },
  );

  it.each(ours.map((wf) => [wf.path, wf] as const))('%s reads only outputs the actions declare', (_p, wf) => {
    const byId = new Map(
      steps(wf)
        .filter(({ step }) => step.id && step.uses && ownAction(step.uses))
        .map(({ job, step }) => [`${job}/${step.id}`, ownAction(step.uses!)!]),
    );
    for (const [job, j] of Object.entries(wf.jobs)) {
      const text = JSON.stringify(j);
      for (const m of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        const action = byId.get(`${job}/${m[1]}`);
        if (!action) continue; // a third-party step (e.g. the App token)
        expect(Object.keys(loadAction(action)?.outputs ?? {}), `${wf.path} ${job} ${m[0]}`).toContain(m[2]);
      }
    }
  });

  it('every action runs on node24 from dist/index.js', () => {
    for (const name of new Set(actionSteps.map((s) => s.action))) {
      expect(loadAction(name)?.runs, name).toEqual({ using: 'node24', main: 'dist/index.js' });
    }
  });
});

describe('reusable workflows document their interface', () => {
  it.each(reusable.map((wf) => [wf.path, wf] as const))('%s describes every input and secret', (_p, wf) => {
    const declared = { ...declaredInputs(wf, 'workflow_call'), ...declaredSecrets(wf) };
    for (const [name, d] of Object.entries(declared)) {
      expect(d.description, `${wf.path} ${name}`).toMatch(/\S/);
      if (!d.required) expect(d.description, `${wf.path} ${name} says it is optional`).toMatch(/^Optional\./);
    }
  });

  it.each(ours.map((wf) => [wf.path, wf] as const))(
    '%s keeps workflow_dispatch within 10 inputs',
    (_p, wf) => {
      expect(Object.keys(declaredInputs(wf, 'workflow_dispatch')).length).toBeLessThanOrEqual(10);
    },
  );

  it('retrain accepts what drift dispatches: model, reason, issue', () => {
    const wf = loadWorkflow('.github/workflows/retrain.yml');
    for (const event of ['workflow_dispatch', 'workflow_call'] as const) {
      expect(Object.keys(declaredInputs(wf, event))).toEqual(
        expect.arrayContaining(['model', 'reason', 'issue']),
      );
    }
    const caller = loadWorkflow('examples/consumer/.github/workflows/mlops-retrain.yml');
    expect(Object.keys(declaredInputs(caller, 'workflow_dispatch')).sort()).toEqual([
      'issue',
      'model',
      'reason',
    ]);
  });
});

describe('PRs opened with GITHUB_TOKEN are evaluated and gated in the run that opened them', () => {
  const expr = (x: string) => `$\{{ ${x} }}`;
  const uses = (j: Workflow['jobs'][string], action: string) =>
    (j.steps ?? []).find((s) => s.uses && ownAction(s.uses) === action);

  it('promote.yml evaluates the rollback PR, then gates it, with the PR number the rollback step output', () => {
    const { jobs } = loadWorkflow('.github/workflows/promote.yml');
    expect(jobs.rollback.outputs?.pr).toBe(expr('steps.rollback.outputs.pr'));
    expect(uses(jobs.rollback, 'promote')?.id).toBe('rollback');
    expect(jobs['rollback-evaluate'].needs).toBe('rollback');
    expect(uses(jobs['rollback-evaluate'], 'evaluate')?.with?.['pull-request']).toBe(
      expr('needs.rollback.outputs.pr'),
    );
    expect(jobs['rollback-gate'].needs).toEqual(['rollback', 'rollback-evaluate']);
    expect(uses(jobs['rollback-gate'], 'promote')?.with).toMatchObject({
      mode: 'gate',
      pr: expr('needs.rollback.outputs.pr'),
    });
    // The gate runs even when the evaluation failed (it then reports why), but not after a direct rollback.
    expect((jobs['rollback-gate'] as { if?: string }).if).toContain('!cancelled()');
    expect((jobs['rollback-gate'] as { if?: string }).if).toContain("needs.rollback.outputs.pr != ''");
  });

  it('retrain.yml evaluates and gates the PR track opened, with settings from model.yaml', () => {
    const { jobs } = loadWorkflow('.github/workflows/retrain.yml');
    expect(uses(jobs.evaluate, 'evaluate')?.with?.['pull-request']).toBe(
      expr('needs.track.outputs.pr-number'),
    );
    expect(uses(jobs.evaluate, 'evaluate')?.with?.data).toBe(expr('needs.settings.outputs.evaluation-data'));
    expect(uses(jobs.gate, 'promote')?.with?.pr).toBe(expr('needs.track.outputs.pr-number'));
    expect(uses(jobs.train, 'train')?.with?.command).toBe(expr('needs.settings.outputs.command'));
  });
});

describe('consumer template calls our workflows correctly', () => {
  const calls = consumer.flatMap((wf) =>
    Object.entries(wf.jobs)
      .filter(([, j]) => j.uses && ownWorkflow(j.uses))
      .map(([job, j]) => ({ wf, job, j, target: loadWorkflow(`.github/workflows/${ownWorkflow(j.uses!)}`) })),
  );

  it('calls each of the four reusable workflows', () => {
    expect(calls.map((c) => base(c.target)).sort()).toEqual([
      'drift.yml',
      'evaluate.yml',
      'promote.yml',
      'retrain.yml',
    ]);
  });

  it.each(calls.map((c) => [`${c.wf.path} ${c.job}`, c] as const))(
    '%s passes declared inputs and secrets, and every required one',
    (_l, { j, target }) => {
      const inputs = declaredInputs(target, 'workflow_call');
      const secrets = declaredSecrets(target);
      const given = Object.keys(j.with ?? {});
      expect(given.filter((k) => !(k in inputs))).toEqual([]);
      const required = Object.entries(inputs).filter(([, d]) => d.required);
      expect(required.map(([k]) => k).filter((k) => !given.includes(k))).toEqual([]);
      expect(j.secrets, 'secrets are passed by name, not inherited').not.toBe('inherit');
      expect(Object.keys(j.secrets ?? {}).filter((k) => !(k in secrets))).toEqual([]);
    },
  );

  it.each(calls.map((c) => [`${c.wf.path} ${c.job}`, c] as const))(
    '%s grants what the called jobs need, and no more',
    (_l, { j, target }) => {
      const need: Record<string, string> = {};
      for (const job of Object.values(target.jobs)) {
        for (const [scope, level] of Object.entries((job.permissions ?? {}) as Record<string, string>)) {
          if (need[scope] !== 'write') need[scope] = level;
        }
      }
      expect(j.permissions).toEqual(need);
    },
  );
});
