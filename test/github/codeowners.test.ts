import { describe, expect, it } from 'vitest';
import { isOwner, matchingRule, ownersOf, parseCodeowners, readCodeowners } from '../../github/codeowners.ts';

// [pattern, path, matches] — GitHub's documented examples plus gitignore corner cases.
const TABLE: [string, string, boolean][] = [
  ['*', 'README.md', true],
  ['*', 'models/churn/model.yaml', true],
  ['*.js', 'src/app.js', true],
  ['*.js', 'src/app.ts', false],
  ['*.go', 'main.go', true],
  ['/build/logs/', 'build/logs/a.log', true],
  ['/build/logs/', 'build/logs/deep/a.log', true],
  ['/build/logs/', 'x/build/logs/a.log', false],
  ['docs/*', 'docs/getting-started.md', true],
  ['docs/*', 'docs/build-app/troubleshooting.md', false],
  ['apps/', 'apps/a.txt', true],
  ['apps/', 'x/y/apps/a.txt', true],
  ['apps/', 'apps', false],
  ['/docs/', 'docs/a/b.md', true],
  ['/docs/', 'x/docs/a.md', false],
  ['**/logs', 'build/logs/a', true],
  ['**/logs', 'deeply/nested/logs/x', true],
  ['**/logs', 'logs/x', true],
  ['/apps/github', 'apps/github/a.rb', true],
  ['/apps/github', 'apps/githubber/a.rb', false],
  ['models/**/model.yaml', 'models/churn/model.yaml', true],
  ['models/**/model.yaml', 'models/g/churn/model.yaml', true],
  ['models/**/model.yaml', 'models/model.yaml', true],
  ['models/*/card.md', 'models/churn/card.md', true],
  ['models/*/card.md', 'models/churn/v1/card.md', false],
  ['file?.txt', 'file1.txt', true],
  ['file?.txt', 'file10.txt', false],
  ['\\#notes', '#notes', true],
  ['a.b', 'axb', false],
];

describe('patterns', () => {
  it.each(TABLE)('matchingRule %s on %s → %s', (pattern, path, expected) => {
    const co = parseCodeowners(`${pattern} @owner\n`);
    expect(co.rules).toHaveLength(1);
    expect(matchingRule(co, path) !== undefined).toBe(expected);
  });
});

describe('parseCodeowners', () => {
  it('parseCodeowners ignores negations and character ranges, comments and blank lines', () => {
    const co = parseCodeowners(
      '# top\n\n*.yaml @a # trailing\n!models/x.yaml @b\n[Mm]odels/ @c\nmodels/ @d @org/team x@example.com\n',
    );
    expect(co.rules.map((r) => [r.pattern, r.owners, r.line])).toEqual([
      ['*.yaml', ['@a'], 3],
      ['models/', ['@d', '@org/team', 'x@example.com'], 6],
    ]);
    expect(co.ignored.map((i) => i.line)).toEqual([4, 5]);
    expect(ownersOf(co, 'models/x.yaml')).toEqual(['@d', '@org/team', 'x@example.com']);
  });

  it('ownersOf applies the last matching line, and an owner-less last match leaves the path unowned', () => {
    const co = parseCodeowners(
      '* @everyone\nmodels/ @ml\nmodels/churn/ @churn-team\nmodels/churn/README.md\n',
    );
    expect(ownersOf(co, 'src/a.ts')).toEqual(['@everyone']);
    expect(ownersOf(co, 'models/fraud/model.yaml')).toEqual(['@ml']);
    expect(ownersOf(co, 'models/churn/model.yaml')).toEqual(['@churn-team']);
    expect(ownersOf(co, 'models/churn/README.md')).toEqual([]);
  });
});

describe('readCodeowners and isOwner', () => {
  it('readCodeowners takes .github/ first, then the root, then docs/', async () => {
    const files: Record<string, string> = { CODEOWNERS: '* @root\n', 'docs/CODEOWNERS': '* @docs\n' };
    const forge = { readFile: async (p: string) => files[p] };
    expect(await readCodeowners(forge, 'main')).toMatchObject({ path: 'CODEOWNERS' });
    files['.github/CODEOWNERS'] = '* @gh\n';
    expect(ownersOf((await readCodeowners(forge, 'main'))!, 'x')).toEqual(['@gh']);
    expect(await readCodeowners({ readFile: async () => undefined }, 'main')).toBeUndefined();
  });

  it('isOwner matches users case-insensitively and teams through membership', async () => {
    const forge = {
      isTeamMember: async (org: string, team: string, user: string) =>
        `${org}/${team}/${user}` === 'o/ml/carol',
    };
    expect(await isOwner(forge, ['@Alice', '@o/ml'], 'alice')).toBe(true);
    expect(await isOwner(forge, ['@Alice', '@o/ml'], 'carol')).toBe(true);
    expect(await isOwner(forge, ['@Alice', '@o/ml'], 'mallory')).toBe(false);
  });
});
