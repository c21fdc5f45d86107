import { beforeEach, describe, expect, it } from 'vitest';
import { evaluateGate, type GateResult } from '../../actions/promote/src/gate.ts';
import { runGate } from '../../actions/promote/src/gate-run.ts';
import { gateSummary } from '../../actions/promote/src/report.ts';
import { silentLogger } from '../../core/logger.ts';
import { MemoryForge } from './memory-forge.ts';

const HEAD = 'a'.repeat(40);
const OLD = 'b'.repeat(40);
const SHA1 = '1'.repeat(64);
const SHA2 = '2'.repeat(64);

const spec = (extra = '') => `name: churn
task: binary
primary_metric: { name: roc_auc, direction: maximize }
owners: [alice, '@acme/ml-leads']
${extra}`;
const version = (n: number, sha: string) => `model: churn
version: ${n}
created: '2026-01-0${n}T00:00:00Z'
created_by: carol
metrics: { roc_auc: 0.8 }
artifacts:
  - { path: model.onnx, uri: 's3://b/sha256/${sha.slice(0, 2)}/${sha}', sha256: '${sha}', bytes: 10 }
`;
const base = (specText = spec()) => ({
  'models/churn/model.yaml': specText,
  'models/churn/aliases.yaml': 'aliases: { champion: 1 }\narchived: []\n',
  'models/churn/versions/v1/version.yaml': version(1, SHA1),
});
const head = (specText = spec()) => ({
  ...base(specText),
  'models/churn/aliases.yaml': 'aliases: { champion: 2 }\narchived: [1]\n',
  'models/churn/versions/v2/version.yaml': version(2, SHA2),
});

let forge: MemoryForge;

function evaluated(sha: string, opts: { conclusion?: string; artifact?: string } = {}) {
  forge.checks.push({
    id: forge.checks.length + 1,
    name: 'mlops/evaluate (churn)',
    headSha: sha,
    status: 'completed',
    conclusion: opts.conclusion ?? 'success',
    title: 'ok',
    summary: '',
    text: '',
    externalId: JSON.stringify({
      model: 'churn',
      artifacts: [{ path: 'model.onnx', sha256: opts.artifact ?? SHA2 }],
    }),
  });
}
const approve = (reviewer: string, commitSha = HEAD, state: 'APPROVED' | 'CHANGES_REQUESTED' = 'APPROVED') =>
  ({ reviewer, state, commitSha, submittedAt: '2026-01-02T00:00:00Z' }) as const;

async function gate(): Promise<GateResult> {
  const pr = await forge.getPullRequest(7);
  return evaluateGate({ forge, pr, model: 'churn', root: 'models', files: forge.prFiles.get(7) ?? [] });
}
const unmet = (r: GateResult) => r.conditions.filter((c) => !c.ok).map((c) => c.id);
const text = (r: GateResult) => r.conditions.flatMap((c) => c.details).join('\n');

beforeEach(() => {
  forge = new MemoryForge();
  forge.setFiles('main', base());
  forge.setFiles(HEAD, head());
  forge.prs.set(7, {
    number: 7,
    title: 'Promote churn v2',
    body: '',
    state: 'open',
    merged: false,
    draft: false,
    author: 'carol',
    headRef: 'mlops/promote/churn-v2',
    headSha: HEAD,
    headRepo: 'acme/models',
    baseRef: 'main',
    labels: [],
    url: 'https://example.test/pull/7',
  });
  forge.prFiles.set(7, [
    'models/churn/aliases.yaml',
    'models/churn/versions/v2/version.yaml',
    'models/README.md',
  ]);
  forge.reviews.set(7, [approve('alice')]);
  evaluated(HEAD);
});

describe('evaluateGate', () => {
  it('evaluateGate passes with an owner approval and a green evaluation of the same artifacts', async () => {
    const r = await gate();
    expect(unmet(r)).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.approvers).toEqual(['alice']);
    expect(r.changes).toEqual([{ alias: 'champion', from: 1, to: 2 }]);
  });

  it("evaluateGate refuses the author's own approval", async () => {
    forge.reviews.set(7, [approve('carol')]);
    const r = await gate();
    expect(unmet(r)).toEqual(['approvals']);
    expect(text(r)).toContain("@carol is the author; an author's own approval never counts");
  });

  it('evaluateGate refuses an approval from a non-owner', async () => {
    forge.reviews.set(7, [approve('mallory')]);
    const r = await gate();
    expect(unmet(r)).toEqual(['approvals']);
    expect(text(r)).toContain('@mallory is not an owner of this model');
  });

  it('evaluateGate refuses an approval given on an older commit (a push after approval)', async () => {
    forge.reviews.set(7, [approve('alice', OLD)]);
    const r = await gate();
    expect(unmet(r)).toEqual(['approvals']);
    expect(text(r)).toContain(`@alice approved bbbbbbb, not the head commit aaaaaaa`);
  });

  it('evaluateGate counts a member of an owner team', async () => {
    forge.teams.set('acme/ml-leads', ['dana']);
    forge.reviews.set(7, [approve('dana')]);
    expect((await gate()).passed).toBe(true);
  });

  it('evaluateGate falls back to CODEOWNERS when model.yaml has no owners', async () => {
    const noOwners = spec().replace("owners: [alice, '@acme/ml-leads']\n", '');
    forge.setFiles('main', { ...base(noOwners), '.github/CODEOWNERS': '* @root\n/models/churn/ @erin\n' });
    forge.setFiles(HEAD, head(noOwners));
    forge.reviews.set(7, [approve('alice')]);
    expect(text(await gate())).toContain('@alice is not an owner');
    forge.reviews.set(7, [approve('erin')]);
    expect((await gate()).passed).toBe(true);
  });

  it('evaluateGate reads owners from the base branch, so a PR cannot make its author an owner', async () => {
    forge.setFiles(HEAD, head(spec().replace('owners: [alice', 'owners: [mallory, alice')));
    forge.reviews.set(7, [approve('mallory')]);
    expect(unmet(await gate())).toEqual(['approvals']);
  });

  it('evaluateGate blocks on changes requested by an owner even with another approval', async () => {
    forge.teams.set('acme/ml-leads', ['dana']);
    forge.reviews.set(7, [approve('alice'), approve('dana', OLD, 'CHANGES_REQUESTED')]);
    const r = await gate();
    expect(unmet(r)).toEqual(['approvals']);
    expect(text(r)).toContain('@dana requested changes');
  });

  it('evaluateGate requires promotion.approvals approvals', async () => {
    forge.setFiles('main', base(spec('promotion: { approvals: 2 }\n')));
    forge.teams.set('acme/ml-leads', ['dana']);
    expect(text(await gate())).toContain('1 of 2 required approvals');
    forge.reviews.set(7, [approve('alice'), approve('dana')]);
    expect((await gate()).passed).toBe(true);
  });

  it('evaluateGate refuses a missing evaluate check', async () => {
    forge.checks = [];
    const r = await gate();
    expect(unmet(r)).toEqual(['evaluation']);
    expect(text(r)).toContain('no mlops/evaluate (churn) check on the head commit aaaaaaa');
  });

  it('evaluateGate refuses an evaluate check on a different SHA', async () => {
    forge.checks = [];
    evaluated(OLD);
    expect(text(await gate())).toContain('no mlops/evaluate (churn) check on the head commit');
  });

  it('evaluateGate refuses a failed evaluate check', async () => {
    forge.checks = [];
    evaluated(HEAD, { conclusion: 'failure' });
    expect(text(await gate())).toContain('concluded failure, not success');
  });

  it('evaluateGate refuses an artifact whose sha256 changed after evaluation', async () => {
    forge.checks = [];
    evaluated(HEAD, { artifact: '3'.repeat(64) });
    const r = await gate();
    expect(unmet(r)).toEqual(['evaluation']);
    expect(text(r)).toContain(
      'artifact model.onnx has sha256 222222222222… in version.yaml but 333333333333… was evaluated',
    );
  });

  it('evaluateGate refuses a PR from a fork', async () => {
    forge.prs.set(7, { ...(await forge.getPullRequest(7)), headRepo: 'mallory/models' });
    const r = await gate();
    expect(unmet(r)).toEqual(['source']);
    expect(text(r)).toContain('the PR comes from the fork mallory/models');
  });

  it('evaluateGate refuses a PR that also edits another model or other files', async () => {
    forge.prFiles.set(7, [
      'models/churn/aliases.yaml',
      'models/fraud/aliases.yaml',
      '.github/workflows/ci.yml',
    ]);
    const r = await gate();
    expect(unmet(r)).toEqual(['files']);
    expect(text(r)).toContain('touches models/fraud/aliases.yaml');
    expect(text(r)).toContain('touches .github/workflows/ci.yml');
  });

  it('evaluateGate allows the configured extra paths', async () => {
    forge.setFiles(
      'main',
      base(spec("promotion: { extra_paths: ['docs/models/**', 'serving/churn.yaml'] }\n")),
    );
    forge.prFiles.set(7, ['models/churn/aliases.yaml', 'docs/models/churn/notes.md', 'serving/churn.yaml']);
    expect((await gate()).passed).toBe(true);
  });

  it('evaluateGate requires a version to be staging before production when model.yaml says so', async () => {
    forge.setFiles('main', base(spec('promotion: { requires: { champion: staging } }\n')));
    const r = await gate();
    expect(text(r)).toContain('champion requires v2 to be staging first (staging is unset)');
    forge.setFiles('main', {
      ...base(spec('promotion: { requires: { champion: staging } }\n')),
      'models/churn/aliases.yaml': 'aliases: { champion: 1, staging: 2 }\n',
    });
    expect((await gate()).passed).toBe(true);
  });

  it('evaluateGate lists every unmet condition at once', async () => {
    forge.checks = [];
    forge.reviews.set(7, [approve('carol')]);
    forge.prs.set(7, { ...(await forge.getPullRequest(7)), headRepo: 'mallory/models' });
    const r = await gate();
    expect(unmet(r)).toEqual(['source', 'evaluation', 'approvals']);
    const summary = gateSummary(r);
    expect(summary.startsWith('**Blocked.**')).toBe(true);
    expect(summary).toContain('Next: ask a model owner to review the head commit');
  });
});

describe('runGate', () => {
  it('runGate posts a failing check listing the reasons, then a passing one and merges when asked', async () => {
    forge.reviews.set(7, []);
    const blocked = await runGate({
      forge,
      pr: 7,
      root: 'models',
      reportAs: 'check',
      merge: true,
      mergeMethod: 'merge',
      log: silentLogger,
    });
    expect(blocked.passed).toBe(false);
    const check = await forge.getCheckRun(HEAD, 'mlops/promotion-gate (churn)');
    expect(check?.conclusion).toBe('failure');
    expect(check?.summary).toContain('0 of 1 required approval');
    expect(forge.merged).toEqual([]);
    forge.reviews.set(7, [approve('alice')]);
    const ok = await runGate({
      forge,
      pr: 7,
      root: 'models',
      reportAs: 'check',
      merge: true,
      mergeMethod: 'merge',
      log: silentLogger,
    });
    expect(ok.passed).toBe(true);
    expect((await forge.getCheckRun(HEAD, 'mlops/promotion-gate (churn)'))?.conclusion).toBe('success');
    expect(forge.merged).toEqual([7]);
  });

  it('runGate posts a commit status when asked and ignores PRs that move no alias', async () => {
    await runGate({
      forge,
      pr: 7,
      root: 'models',
      reportAs: 'status',
      merge: false,
      mergeMethod: 'merge',
      log: silentLogger,
    });
    expect(forge.statuses).toMatchObject([
      { sha: HEAD, context: 'mlops/promotion-gate (churn)', state: 'success' },
    ]);
    forge.prFiles.set(7, ['README.md']);
    const r = await runGate({
      forge,
      pr: 7,
      root: 'models',
      reportAs: 'check',
      merge: false,
      mergeMethod: 'merge',
      log: silentLogger,
    });
    expect(r.results).toEqual([]);
  });
});
