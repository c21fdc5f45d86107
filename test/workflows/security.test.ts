import { describe, expect, it } from 'vitest';
import { type Job, steps, type Workflow, workflowsIn } from './support.ts';

const ours = workflowsIn('.github/workflows');
const consumer = workflowsIn('examples/consumer/.github/workflows');
const all = [...ours, ...consumer];

/** The exact permissions each job of ours holds: a new write scope must be added here on purpose. */
const expected: Record<string, Record<string, Record<string, string>>> = {
  'retrain.yml': {
    settings: { contents: 'read' },
    train: { contents: 'read' },
    track: { contents: 'write', 'pull-requests': 'write' },
    evaluate: { contents: 'read', 'pull-requests': 'write', checks: 'write' },
    gate: { contents: 'read', 'pull-requests': 'read', checks: 'write', statuses: 'write' },
  },
  'evaluate.yml': {
    models: { contents: 'read' },
    evaluate: { contents: 'read', 'pull-requests': 'write', checks: 'write' },
    gate: { contents: 'read', 'pull-requests': 'read', checks: 'write', statuses: 'write' },
  },
  'promote.yml': {
    gate: { contents: 'read', 'pull-requests': 'read', checks: 'write', statuses: 'write' },
    'fork-gate': { contents: 'read', 'pull-requests': 'read', checks: 'write', statuses: 'write' },
    'gate-and-merge': {},
    merged: { contents: 'read' },
    finalise: { contents: 'write', 'pull-requests': 'write' },
    rollback: { contents: 'write', 'pull-requests': 'write', issues: 'write' },
    'rollback-evaluate': { contents: 'read', 'pull-requests': 'write', checks: 'write' },
    'rollback-gate': { contents: 'read', 'pull-requests': 'read', checks: 'write', statuses: 'write' },
  },
  'drift.yml': {
    models: { contents: 'read' },
    drift: { contents: 'read', issues: 'write', actions: 'write' },
  },
  'ci.yml': {
    lint: { contents: 'read' },
    dist: { contents: 'read' },
    test: { contents: 'read' },
    actions: { contents: 'read' },
  },
};

/** `${{ <expr> }}` as written in a workflow. */
const e = (expr: string) => `\${{ ${expr} }}`;
const base = (wf: Workflow) => wf.path.split('/').pop()!;
const group = (c: Job['concurrency']) => (typeof c === 'string' ? c : c?.group);
const cancels = (c: Job['concurrency']) =>
  typeof c === 'string' ? false : (c?.['cancel-in-progress'] ?? false);

describe('workflow permissions', () => {
  it('ours expected table covers every workflow file', () => {
    expect(ours.map(base).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(all.map((wf) => [wf.path, wf] as const))('%s grants nothing at the top level', (_p, wf) => {
    expect(wf.permissions).toEqual({});
  });

  it.each(ours.map((wf) => [wf.path, wf] as const))('%s declares least privilege per job', (_p, wf) => {
    const actual = Object.fromEntries(Object.entries(wf.jobs).map(([name, job]) => [name, job.permissions]));
    expect(actual).toEqual(expected[base(wf)]);
  });

  it.each(consumer.map((wf) => [wf.path, wf] as const))('%s declares permissions on every job', (_p, wf) => {
    for (const [name, job] of Object.entries(wf.jobs)) {
      expect(typeof job.permissions, `${wf.path} job ${name}`).toBe('object');
      expect(JSON.stringify(job.permissions)).not.toMatch(/write-all|read-all/);
    }
  });
});

describe('workflow run steps', () => {
  it.each(all.map((wf) => [wf.path, wf] as const))('%s has no expression inside run:', (_p, wf) => {
    const offenders = steps(wf)
      .filter(({ step }) => step.run?.includes('${{'))
      .map(({ job, step }) => `${job}: ${step.name ?? step.run}`);
    expect(offenders).toEqual([]);
  });

  it('a run: with an expression is reported (the check can fail)', () => {
    const wf = {
      path: 'x.yml',
      text: '',
      on: {},
      jobs: { a: { steps: [{ run: `echo "${e('github.event.pull_request.title')}"` }] } },
    };
    expect(steps(wf).filter(({ step }) => step.run?.includes('${{'))).toHaveLength(1);
  });
});

describe('workflow action pins', () => {
  const sha = /^[\w.-]+\/[\w.-]+(?:\/[\w./-]+)?@[0-9a-f]{40}$/;

  it.each(all.map((wf) => [wf.path, wf] as const))(
    '%s pins every third-party action to a full SHA',
    (_p, wf) => {
      const lines = wf.text.split('\n');
      for (const { step } of steps(wf)) {
        const uses = step.uses;
        if (!uses) continue;
        if (/^[\w.-]+\/mlops-actions\/actions\/[a-z-]+@v1$/.test(uses)) continue; // ours: the release tag
        if (/^\.\/actions\/[a-z-]+$/.test(uses)) {
          expect(wf.path, 'local actions only in this repository').toMatch(/^\.github\/workflows\//);
          continue;
        }
        expect(uses).toMatch(sha);
        const line = lines.find((l) => l.includes(`uses: ${uses}`));
        expect(line, `${uses} carries its version as a comment`).toMatch(/# v\d+\.\d+\.\d+$/);
      }
    },
  );

  it.each(all.map((wf) => [wf.path, wf] as const))('%s calls reusable workflows at @v1 only', (_p, wf) => {
    for (const job of Object.values(wf.jobs)) {
      if (job.uses) expect(job.uses).toMatch(/^[\w.-]+\/mlops-actions\/\.github\/workflows\/[\w-]+\.yml@v1$/);
    }
  });

  it('every pin of one action names the same commit', () => {
    const seen = new Map<string, Set<string>>();
    for (const wf of all) {
      for (const { step } of steps(wf)) {
        const m = step.uses && /^(.+)@([0-9a-f]{40})$/.exec(step.uses);
        if (m) seen.set(m[1], (seen.get(m[1]) ?? new Set()).add(m[2]));
      }
    }
    expect([...seen].filter(([, s]) => s.size > 1).map(([a]) => a)).toEqual([]);
  });
});

describe('workflow concurrency', () => {
  const wf = (name: string) => ours.find((w) => base(w) === name)!;

  it('retrain serialises per model and never cancels a training run', () => {
    expect(group(wf('retrain.yml').concurrency)).toContain(`${e('inputs.model')}`);
    expect(cancels(wf('retrain.yml').concurrency)).toBe(false);
  });

  it('promote finalise and rollback share one group per model and never cancel', () => {
    const { finalise, rollback } = wf('promote.yml').jobs;
    expect(group(finalise.concurrency)).toBe(`mlops-promote-${e('matrix.model')}`);
    expect(group(rollback.concurrency)).toBe(`mlops-promote-${e('inputs.model')}`);
    expect(cancels(finalise.concurrency)).toBe(false);
    expect(cancels(rollback.concurrency)).toBe(false);
  });

  it('drift runs one job per model at a time', () => {
    const { drift } = wf('drift.yml').jobs;
    expect(group(drift.concurrency)).toBe(`mlops-drift-${e('matrix.model')}`);
    expect(cancels(drift.concurrency)).toBe(false);
  });

  it('evaluate and gate supersede older runs of the same PR', () => {
    const ev = wf('evaluate.yml').jobs;
    expect(group(ev.evaluate.concurrency)).toContain(`${e('matrix.model')}`);
    expect(cancels(ev.evaluate.concurrency)).toBe(true);
    const pr = wf('promote.yml').jobs;
    for (const g of [ev.gate, pr.gate, pr['gate-and-merge'], pr['fork-gate']]) {
      expect(group(g.concurrency)).toBe(`mlops-gate-${e('github.event.pull_request.number')}`);
    }
  });

  it('jobs that act on pull requests skip forks', () => {
    for (const [file, job] of [
      ['evaluate.yml', 'models'],
      ['promote.yml', 'gate'],
      ['promote.yml', 'gate-and-merge'],
    ]) {
      expect(JSON.stringify(wf(file).jobs[job]), `${file} ${job}`).toContain(
        'github.event.pull_request.head.repo.full_name == github.repository',
      );
    }
  });

  it('every gate job posts mlops/promotion-gate through the promote action alone, with a token that may', () => {
    const gates = [
      wf('retrain.yml').jobs.gate,
      wf('evaluate.yml').jobs.gate,
      wf('promote.yml').jobs.gate,
      wf('promote.yml').jobs['gate-and-merge'],
      wf('promote.yml').jobs['fork-gate'],
      wf('promote.yml').jobs['rollback-gate'],
    ];
    for (const g of gates) {
      const promote = (g.steps ?? []).filter((s) => s.uses?.endsWith('/actions/promote@v1'));
      expect(promote).toHaveLength(1);
      expect(promote[0].with?.mode).toBe('gate');
      expect((g.steps ?? []).filter((s) => s.run !== undefined)).toEqual([]);
      // One poster for the per-model checks (a check run can only be updated by the app that created it):
      // the App when configured, in every gate job; GITHUB_TOKEN otherwise.
      const token = String(promote[0].with?.['github-token'] ?? e('github.token'));
      expect(token).toMatch(/^\$\{\{ steps\.app\.outputs\.token( \|\| github\.token)? \}\}$/);
      const app = (g.steps ?? []).find((s) => s.id === 'app');
      expect(app?.uses).toMatch(/^actions\/create-github-app-token@/);
      expect(app?.with).toMatchObject({
        'permission-checks': 'write',
        'permission-statuses': 'write',
        'permission-members': 'read',
      });
      if (token.includes('github.token')) {
        expect(g.permissions).toMatchObject({ checks: 'write', statuses: 'write' });
      }
    }
  });

  it('no workflow calls the GitHub API from a shell step (gh, curl): the actions do, through the Forge', () => {
    const offenders = all.flatMap((w) =>
      steps(w)
        .filter(({ step }) => /(^|[\s;&|(])(gh|curl)\s/m.test(step.run ?? ''))
        .map(({ job, step }) => `${w.path} ${job}: ${step.name ?? step.run}`),
    );
    expect(offenders).toEqual([]);
  });
});

describe('pull_request_target (fork PRs)', () => {
  const withTarget = all.filter((w) => 'pull_request_target' in (w.on as Record<string, unknown>));
  const promote = ours.find((w) => base(w) === 'promote.yml')!;
  /** Jobs of a workflow whose `if` lets them run on pull_request_target. */
  const targetJobs = (w: Workflow) =>
    Object.entries(w.jobs).filter(([, j]) => {
      const cond = String((j as { if?: string }).if ?? '');
      return (
        j.uses !== undefined || !cond.includes('github.event_name') || cond.includes('pull_request_target')
      );
    });

  it('only promote.yml and the consumer template calling it listen to pull_request_target', () => {
    expect(withTarget.map((w) => w.path).sort()).toEqual([
      '.github/workflows/promote.yml',
      'examples/consumer/.github/workflows/mlops-promote.yml',
    ]);
  });

  it('every job of ours that may run on pull_request_target is the fork gate, and it runs no PR code', () => {
    for (const w of withTarget.filter((x) => ours.includes(x))) {
      expect(targetJobs(w).map(([name]) => name)).toEqual(['fork-gate']);
    }
    const job = promote.jobs['fork-gate'] as Job & { if?: string };
    expect(job.if).toContain("github.event_name == 'pull_request_target'");
    expect(job.if).toContain('github.event.pull_request.head.repo.full_name != github.repository');
    const used = (job.steps ?? []).map((s) => s.uses?.replace(/@.*/, '') ?? 'run');
    expect(used).toEqual(['actions/create-github-app-token', 'mlops-actions/mlops-actions/actions/promote']);
    expect(job.steps?.[1].with).toMatchObject({ mode: 'gate', pr: e('github.event.pull_request.number') });
  });

  it('no job that may run on pull_request_target checks out the PR head (the check can fail)', () => {
    const headRef = /github\.event\.pull_request\.head|github\.head_ref|refs\/pull\//;
    const checksOutHead = (j: Job) =>
      (j.steps ?? []).some(
        (st) => st.uses?.startsWith('actions/checkout@') && headRef.test(JSON.stringify(st.with ?? {})),
      );
    for (const w of withTarget.filter((x) => ours.includes(x))) {
      for (const [name, j] of targetJobs(w)) expect(checksOutHead(j), `${w.path} ${name}`).toBe(false);
    }
    const bad: Job = {
      steps: [{ uses: 'actions/checkout@x', with: { ref: e('github.event.pull_request.head.sha') } }],
    };
    expect(checksOutHead(bad)).toBe(true);
  });
});
