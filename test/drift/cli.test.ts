import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProfile, serializeProfile } from '../../actions/drift/src/profile.ts';
import { main } from '../../cli/main.ts';
import { memoryLogger } from '../../core/logger.ts';
import { openRegistry } from '../../registry/index.ts';
import { openStore } from '../../registry/stores/open.ts';
import { readTable } from '../../tables/index.ts';
import { createRemote } from '../support/git.ts';

/** A seeded generator so the data is the same on every run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

function writeCsv(path: string, n: number, shift: number, seed: number) {
  const r = rng(seed);
  const lines = ['age,income,plan,flag'];
  for (let i = 0; i < n; i++) {
    const plan = ['basic', 'pro', 'team'][Math.floor(r() * 3)];
    lines.push(
      `${(40 + 10 * normal(r) + shift * 10).toFixed(3)},${(50000 + 8000 * normal(r) + shift * 8000).toFixed(2)},${plan},${r() < 0.3 + shift * 0.3 ? 1 : 0}`,
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

async function run(argv: string[], cwd?: string) {
  const out: string[] = [];
  const log = memoryLogger();
  const code = await main(argv, { out: (t) => out.push(t), log, cwd });
  return { code, out: out.join('\n'), log: log.lines };
}

describe('mlops drift', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drift-cli-'));
  const ref = join(dir, 'ref.csv');
  const same = join(dir, 'same.csv');
  const shifted = join(dir, 'shifted.csv');
  writeCsv(ref, 600, 0, 1);
  writeCsv(same, 500, 0, 2);
  writeCsv(shifted, 500, 1, 3);

  it('driftCommand --json prints the exact contract shape', async () => {
    const r = await run(['drift', '--reference', ref, '--current', shifted, '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(Object.keys(json)).toEqual(['columns', 'share_drifted', 'dataset_drift']);
    expect(json.columns.map((c: { name: string }) => c.name)).toEqual(['age', 'income', 'plan', 'flag']);
    for (const c of json.columns) {
      expect(Object.keys(c)).toEqual(['name', 'method', 'statistic', 'p_value', 'threshold', 'drifted']);
    }
    expect(json.columns.map((c: { method: string }) => c.method)).toEqual(['ks', 'ks', 'chisquare', 'ztest']);
    expect(json.dataset_drift).toBe(true);
    expect(json.columns[0].drifted).toBe(true);
  });

  it('driftCommand finds no dataset drift on data from the same distribution', async () => {
    const r = await run(['drift', '--reference', ref, '--current', same, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).dataset_drift).toBe(false);
  });

  it('driftCommand --fail-on-drift exits 1 on drift and 0 without', async () => {
    expect((await run(['drift', '--reference', ref, '--current', shifted, '--fail-on-drift'])).code).toBe(1);
    expect((await run(['drift', '--reference', ref, '--current', same, '--fail-on-drift'])).code).toBe(0);
  });

  it('driftCommand reports an errored column and leaves it out of the share', async () => {
    const cur = join(dir, 'nan.csv');
    writeFileSync(
      cur,
      `age,income\n${Array.from({ length: 40 }, (_, i) => `NaN,${50000 + i * 500}`).join('\n')}\n`,
    );
    const r = await run(['drift', '--reference', ref, '--current', cur, '--columns', 'age,income', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.columns[0].error).toMatch(/no values in current/);
    expect(json.columns[0].drifted).toBe(false);
    expect(json.columns[1].error).toBeUndefined();
    expect(json.share_drifted).toBe(json.columns[1].drifted ? 1 : 0);
  });

  it('driftCommand gives not enough data below --min-rows', async () => {
    const r = await run(['drift', '--reference', ref, '--current', shifted, '--min-rows', '1000', '--json']);
    const json = JSON.parse(r.out);
    expect(json.columns.every((c: { error?: string }) => /not enough data/.test(c.error ?? ''))).toBe(true);
    expect(json).toMatchObject({ share_drifted: 0, dataset_drift: false });
  });

  it('driftCommand reads a saved reference profile with the same verdicts as the data file', async () => {
    const profile = join(dir, 'profile.json');
    writeFileSync(profile, serializeProfile(buildProfile(await readTable(ref))));
    const a = JSON.parse((await run(['drift', '--reference', ref, '--current', shifted, '--json'])).out);
    const b = JSON.parse((await run(['drift', '--reference', profile, '--current', shifted, '--json'])).out);
    expect(b).toEqual(a);
  });

  it('driftCommand refuses bad input with exit 2', async () => {
    expect((await run(['drift', '--reference', ref, '--current', shifted, '--method', 'magic'])).code).toBe(
      2,
    );
    expect((await run(['drift', '--current', shifted])).code).toBe(2);
    expect((await run(['drift', '--reference', ref, '--current', join(dir, 'nope.csv')])).code).toBe(2);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format":"mlops-reference-profile","version":9}');
    expect((await run(['drift', '--reference', bad, '--current', shifted])).code).toBe(2);
  });

  it('driftCommand --report and --markdown write the HTML and Markdown reports', async () => {
    const html = join(dir, 'out/report.html');
    const md = join(dir, 'out/report.md');
    const r = await run([
      'drift',
      '--reference',
      ref,
      '--current',
      shifted,
      '--report',
      html,
      '--markdown',
      md,
    ]);
    expect(r.code).toBe(0);
    expect(readFileSync(html, 'utf8')).toMatch(/^<!DOCTYPE html>[\s\S]*<svg [\s\S]*<\/html>\n$/);
    expect(readFileSync(md, 'utf8')).toMatch(/^## Drift report\n\n🔴 \*\*Drift detected\*\*/);
  });

  it('driftCommand --model compares with the champion profile from the registry, with prediction and target drift', async () => {
    const remote = await createRemote();
    try {
      const withOutcomes = (src: string, dest: string, shift: number) => {
        const lines = readFileSync(src, 'utf8').trim().split('\n');
        const r = rng(shift + 5);
        const rows = lines
          .slice(1)
          .map((l) => `${l},${(r() * 0.5 + shift * 0.4).toFixed(4)},${r() < 0.2 + shift * 0.5 ? 1 : 0}`);
        writeFileSync(dest, `${lines[0]},prediction,churned\n${rows.join('\n')}\n`);
      };
      withOutcomes(ref, join(dir, 'ref-outcomes.csv'), 0);
      withOutcomes(shifted, join(dir, 'cur-outcomes.csv'), 1);
      const reg = await openRegistry({ dir: remote.clone });
      await reg.init({
        model: 'churn',
        spec: {
          name: 'churn',
          task: 'binary',
          primary_metric: { name: 'roc_auc', direction: 'maximize' },
          artifact_store: join(remote.root, 'store'),
          schema: { features: [], label: 'churned' },
        },
      });
      const profile = join(dir, 'reference-profile.json');
      writeFileSync(profile, serializeProfile(buildProfile(await readTable(join(dir, 'ref-outcomes.csv')))));
      await reg.register({
        model: 'churn',
        files: [{ path: profile }],
        store: openStore(join(remote.root, 'store')),
        referenceProfile: 'reference-profile.json',
        aliases: ['champion'],
      });
      const md = join(dir, 'model.md');
      const r = await run(
        ['drift', '--model', 'churn', '--current', join(dir, 'cur-outcomes.csv'), '--markdown', md, '--json'],
        remote.clone,
      );
      expect(r.code).toBe(0);
      const json = JSON.parse(r.out);
      expect(json.columns.map((c: { name: string }) => c.name)).toEqual(['age', 'income', 'plan', 'flag']);
      const text = readFileSync(md, 'utf8');
      expect(text).toContain('Reference: churn v1 \\(champion\\) reference profile');
      expect(text).toMatch(
        /\*\*Prediction drift\*\* \(logged column\)[\s\S]*\| prediction \| \w+ \|.*🔴 drift/,
      );
      expect(text).toMatch(/\*\*Target drift\*\* \(logged column\)[\s\S]*\| churned \| ztest \|.*🔴 drift/);
    } finally {
      await remote.cleanup();
    }
  });
});
