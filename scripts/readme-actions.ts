/**
 * Generates the README's per-action tables from each `actions/<name>/action.yml` (between the
 * `<!-- actions:start -->` and `<!-- actions:end -->` markers). `--check` fails when the README is out of date.
 * Run: `node --import tsx scripts/readme-actions.ts [--check]`.
 */
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const START = '<!-- actions:start (generated from actions/*/action.yml by scripts/readme-actions.ts) -->';
const END = '<!-- actions:end -->';

interface ActionYml {
  name: string;
  description: string;
  inputs?: Record<string, { description?: string; required?: boolean; default?: string }>;
  outputs?: Record<string, { description?: string }>;
}

const cell = (s: string | undefined) => (s ?? '').replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');

/** The Markdown for every action, in lifecycle order. */
export function actionTables(root: string): string {
  const order = ['settings', 'train', 'track', 'evaluate', 'promote', 'drift'];
  const names = readdirSync(join(root, 'actions'))
    .filter((n) => existsSync(join(root, 'actions', n, 'action.yml')))
    .sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b));
  const parts: string[] = [];
  for (const n of names) {
    const y = parse(readFileSync(join(root, 'actions', n, 'action.yml'), 'utf8')) as ActionYml;
    parts.push(`#### \`actions/${n}\`: ${cell(y.description)}`, '');
    parts.push('| input | required | description |', '| --- | --- | --- |');
    for (const [k, v] of Object.entries(y.inputs ?? {})) {
      parts.push(`| \`${k}\` | ${v.required ? 'yes' : 'no'} | ${cell(v.description)} |`);
    }
    const outs = Object.entries(y.outputs ?? {});
    if (outs.length) {
      parts.push('', '| output | description |', '| --- | --- |');
      for (const [k, v] of outs) parts.push(`| \`${k}\` | ${cell(v.description)} |`);
    }
    parts.push('');
  }
  return parts.join('\n');
}

/** The README with its generated section replaced. */
export function renderReadme(root: string): { current: string; wanted: string } {
  const current = readFileSync(join(root, 'README.md'), 'utf8');
  const a = current.indexOf(START);
  const b = current.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md lacks the markers ${START} … ${END}`);
  const wanted = `${current.slice(0, a + START.length)}\n\n${actionTables(root)}\n${current.slice(b)}`;
  return { current, wanted };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const { current, wanted } = renderReadme(root);
  if (process.argv.includes('--check')) {
    if (current !== wanted) {
      console.error(
        'README.md action tables are out of date: run `node --import tsx scripts/readme-actions.ts`.',
      );
      process.exit(1);
    }
    console.log('README.md action tables are up to date');
  } else if (current !== wanted) {
    writeFileSync(join(root, 'README.md'), wanted);
    console.log('README.md action tables updated');
  }
}
