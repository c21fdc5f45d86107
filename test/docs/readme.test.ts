import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { actionTables, renderReadme } from '../../scripts/readme-actions.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('README', () => {
  it('README opens with the two commands a fresh machine runs', () => {
    const text = readFileSync(`${root}/README.md`, 'utf8');
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(text)?.[1] ?? '';
    expect(firstBlock.split('\n').filter(Boolean)).toEqual(['npm ci && npm run demo', 'npm test']);
  });

  it('renderReadme finds the action tables current with every action.yml', () => {
    const { current, wanted } = renderReadme(root);
    expect(current).toBe(wanted);
  });

  it('actionTables lists every input of every action', () => {
    const md = actionTables(root);
    for (const name of ['train', 'track', 'evaluate', 'promote', 'drift']) {
      expect(md).toContain(`#### \`actions/${name}\``);
    }
    expect(md).toContain('| `require-gpu` | no |');
    expect(md).toContain('| `model` | yes |');
  });
});
