/**
 * Lint of the actions' metadata (issue 8, item 5): every `action.yml` documents every input and output, and the
 * input names it declares are exactly the names its code reads, both ways.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDriftInputs } from '../../actions/drift/src/inputs.ts';
import { parseEvaluateInputs } from '../../actions/evaluate/src/inputs.ts';
import { parsePromoteInputs } from '../../actions/promote/src/inputs.ts';
import { parseSettingsInputs } from '../../actions/settings/src/inputs.ts';
import { parseTrackInputs } from '../../actions/track/src/inputs.ts';
import { parseTrainInputs } from '../../actions/train/src/inputs.ts';
import { loadAction, root } from './support.ts';

const actions = readdirSync(join(root, 'actions'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
  .map((d) => d.name)
  .sort();

/**
 * Input names read in TypeScript source: the string literal first argument of the input readers the actions use
 * (`get('x')` through the getter their parse function receives, `core.getInput('x')`, `optionalInput('x')`,
 * `num('x', ...)`, `oneOf('x', ...)`, `booleanInput(get, 'x', ...)`).
 */
function inputNamesRead(source: string): string[] {
  const re =
    /\b(?:get|opt|optionalInput|requiredInput|getInput|num|oneOf|booleanInput)\((?:\s*(?:get|optionalInput|opt),)?\s*'([a-z][a-z0-9-]*)'/g;
  return [...new Set([...source.matchAll(re)].map((m) => m[1]))].sort();
}

function sourceOf(action: string): string {
  const dir = join(root, 'actions', action, 'src');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

/** Each action's parse function, called with a getter; the values make the parse succeed. */
const parsers: Record<string, (get: (n: string) => string | undefined) => unknown> = {
  drift: (get) => parseDriftInputs(get, { ref: 'main', tempDir: '/tmp' }),
  evaluate: (get) => parseEvaluateInputs(get, '/tmp'),
  promote: (get) => parsePromoteInputs(get),
  settings: (get) => parseSettingsInputs(get),
  track: (get) => parseTrackInputs(get, '/tmp', { openPr: true }),
  train: (get) => parseTrainInputs(get, '/tmp'),
};
const values: Record<string, string> = {
  model: 'churn',
  current: 'current.csv',
  data: 'eval.csv',
  command: 'true',
  artifacts: 'out/model.onnx',
};

describe('action.yml documents its interface', () => {
  it('finds the six actions', () => {
    expect(actions).toEqual(['drift', 'evaluate', 'promote', 'settings', 'track', 'train']);
  });

  it.each(actions)('%s describes every input and output', (name) => {
    const meta = loadAction(name)!;
    expect(Object.keys(meta.inputs).length).toBeGreaterThan(0);
    for (const [k, d] of Object.entries({ ...meta.inputs, ...meta.outputs })) {
      expect(typeof d?.description === 'string' && d.description.trim(), `${name} ${k}`).toBeTruthy();
    }
    for (const [k, d] of Object.entries(meta.inputs)) {
      const form = d.required ? /^Required\./ : /^Optional\./;
      expect(String(d.description).trim(), `${name} input ${k} says whether it is required`).toMatch(form);
    }
  });
});

describe("action.yml inputs match the names the action's code reads", () => {
  it('inputNamesRead finds the readers the actions use, and nothing else (the check can fail)', () => {
    const src = `const a = get('model'); core.getInput('github-token'); num('seed', get('seed'));
      booleanInput(optionalInput, 'merge', false); oneOf('mode', x); map.get(key); other('nope');`;
    expect(inputNamesRead(src)).toEqual(['github-token', 'merge', 'mode', 'model', 'seed']);
  });

  it.each(actions)('%s: every input read is declared and every declared input is read', (name) => {
    const declared = Object.keys(loadAction(name)!.inputs).sort();
    const read = inputNamesRead(sourceOf(name));
    expect(
      read.filter((n) => !declared.includes(n)),
      'read but not declared',
    ).toEqual([]);
    expect(
      declared.filter((n) => !read.includes(n)),
      'declared but never read',
    ).toEqual([]);
  });

  it.each(actions)('%s: its parse function reads only declared inputs', (name) => {
    const meta = loadAction(name)!;
    const asked = new Set<string>();
    parsers[name]((n) => {
      asked.add(n);
      const d = meta.inputs[n]?.default;
      return values[n] ?? (typeof d === 'string' && !d.includes('${{') ? d : undefined);
    });
    expect(asked.size).toBeGreaterThan(3);
    expect([...asked].filter((n) => !(n in meta.inputs))).toEqual([]);
  });
});
