/**
 * The gate tests' repository: a real bare Git repository holding one branch per scenario (base branches with
 * different `model.yaml` settings, promotion branches on top), which the GitHub test server serves (contents,
 * PR files, head SHAs, merges) as `octo-org/models`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gitTestEnv } from '../support/git.ts';

/** The sha256 of v1's and v2's `model.onnx` in the fixture's version records. */
export const SHA1 = '1'.repeat(64);
export const SHA2 = '2'.repeat(64);

/** `model.yaml` of churn, owned by alice and the ml-leads team, with extra YAML appended. */
export const spec = (extra = '', owners = "owners: [alice, '@octo-org/ml-leads']\n") =>
  `name: churn\ntask: binary\nprimary_metric: { name: roc_auc, direction: maximize }\n${owners}${extra}`;

const version = (n: number, sha: string) => `model: churn
version: ${n}
created: '2026-01-0${n}T00:00:00Z'
created_by: carol
metrics: { roc_auc: 0.8 }
artifacts:
  - { path: model.onnx, uri: 's3://b/sha256/${sha.slice(0, 2)}/${sha}', sha256: '${sha}', bytes: 10 }
`;

/** The registry on a base branch: churn v1 is champion. */
export const baseFiles = (specText = spec()): Record<string, string> => ({
  'models/churn/model.yaml': specText,
  'models/churn/aliases.yaml': 'aliases: { champion: 1 }\narchived: []\n',
  'models/churn/versions/v1/version.yaml': version(1, SHA1),
});

/** What a promotion PR adds: v2 registered and champion moved to it. */
export const promotionFiles = (aliases = 'aliases: { champion: 2 }\narchived: [1]\n') => ({
  'models/churn/aliases.yaml': aliases,
  'models/churn/versions/v2/version.yaml': version(2, SHA2),
});

/** The fixture repository and the SHA of every branch. */
export interface GateFixture {
  bare: string;
  sha: Record<string, string>;
  cleanup(): void;
}

/** Build the bare repository with every scenario's branches (one work tree, a dozen commits, one push). */
export function createGateFixture(): GateFixture {
  const root = mkdtempSync(join(tmpdir(), 'mlops-gate-'));
  const bare = join(root, 'remote.git');
  const work = join(root, 'work');
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: work, env: gitTestEnv, encoding: 'utf8' }).trim();
  mkdirSync(work);
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare], { env: gitTestEnv });
  git('init', '-q', '-b', 'main');
  const sha: Record<string, string> = {};
  const branch = (name: string, from: string | undefined, files: Record<string, string>) => {
    if (from) git('checkout', '-q', '-B', name, sha[from]);
    else git('checkout', '-q', '-B', name);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      writeFileSync(join(work, path), text);
    }
    git('add', '-A');
    git('commit', '-q', '-m', name);
    sha[name] = git('rev-parse', 'HEAD');
  };
  branch('main', undefined, { 'README.md': '# models\n', ...baseFiles() });
  // A promotion in two commits: approvals given on the first are stale once the second is pushed.
  branch('promote-old', 'main', promotionFiles());
  branch('promote', 'promote-old', { 'models/churn/versions/v2/card.md': '# churn v2\n' });
  branch('also-other', 'promote', {
    'models/fraud/aliases.yaml': 'aliases: {}\n',
    '.github/workflows/ci.yml': 'on: push\n',
  });
  branch('self-owner', 'promote', {
    'models/churn/model.yaml': spec('', 'owners: [mallory, alice]\n'),
  });
  branch('main-codeowners', 'main', {
    'models/churn/model.yaml': spec('', ''),
    '.github/CODEOWNERS': '* @root\n/models/churn/ @erin\n',
  });
  branch('promote-codeowners', 'main-codeowners', promotionFiles());
  branch('main-approvals2', 'main', { 'models/churn/model.yaml': spec('promotion: { approvals: 2 }\n') });
  branch('promote-approvals2', 'main-approvals2', promotionFiles());
  branch('main-extra', 'main', {
    'models/churn/model.yaml': spec("promotion: { extra_paths: ['docs/models/**', 'serving/churn.yaml'] }\n"),
  });
  branch('promote-extra', 'main-extra', {
    ...promotionFiles(),
    'docs/models/churn/notes.md': 'notes\n',
    'serving/churn.yaml': 'replicas: 2\n',
  });
  branch('main-requires', 'main', {
    'models/churn/model.yaml': spec('promotion: { requires: { champion: staging } }\n'),
  });
  branch('promote-requires', 'main-requires', promotionFiles());
  branch('main-staged', 'main-requires', {
    ...promotionFiles('aliases: { champion: 1, staging: 2 }\narchived: []\n'),
  });
  branch(
    'promote-staged',
    'main-staged',
    promotionFiles('aliases: { champion: 2, staging: 2 }\narchived: []\n'),
  );
  // Version records are immutable: a PR must not rewrite or delete one the base holds (v1), but may edit
  // the record it adds (v2, as evaluate's `record: true` does).
  branch('rewrite-v1', 'promote', {
    'models/churn/versions/v1/version.yaml': version(1, SHA1).replace('0.8', '0.99'),
  });
  git('checkout', '-q', '-B', 'delete-v1', sha.promote);
  git('rm', '-q', 'models/churn/versions/v1/version.yaml');
  git('commit', '-q', '-m', 'delete-v1');
  sha['delete-v1'] = git('rev-parse', 'HEAD');
  branch('record-v2', 'promote', {
    'models/churn/versions/v2/version.yaml': `${version(2, SHA2)}evaluation: { passed: true, metrics: {} }\n`,
  });
  branch('main-merge', 'main', { 'models/README.md': '# index\n' });
  branch('promote-merge', 'main-merge', promotionFiles());
  git('push', '-q', bare, '--all');
  return { bare, sha, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
