import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { numericColumn, prepareColumn } from '../../../stats/drift/column.ts';
import { chooseMethod, type DriftMethod, testColumn } from '../../../stats/drift/test-column.ts';
import type { Cell } from '../../../tables/types.ts';

interface Case {
  name: string;
  method: DriftMethod;
  categorical: boolean;
  ref: (number | string | null)[];
  cur: (number | string | null)[];
  statistic: number;
  p_value: number | null;
  auto: DriftMethod;
}

const SPECIAL: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity };
const decode = (xs: Case['ref'], categorical: boolean): Cell[] =>
  xs.map((x) => (!categorical && typeof x === 'string' ? SPECIAL[x] : x));

/** Runs the committed script with Debian's scipy; every case is compared to 1e-12 relative. */
function referenceCases(): Case[] {
  const dir = mkdtempSync(join(tmpdir(), 'drift-ref-'));
  const out = join(dir, 'ref.json');
  execFileSync('/usr/bin/python3', [join(import.meta.dirname, 'reference.py'), out, '--large'], {
    stdio: 'inherit',
  });
  return JSON.parse(readFileSync(out, 'utf8'));
}

function expectClose(got: number | null, want: number | null, what: string) {
  if (want === null) {
    expect(got, what).toBeNull();
    return;
  }
  expect(got, what).not.toBeNull();
  const g = got as number;
  const tol = 1e-12 * Math.abs(want);
  expect(
    Math.abs(g - want) <= tol || (want === 0 && Math.abs(g) < 1e-300),
    `${what}: got ${g}, scipy ${want}`,
  ).toBe(true);
}

const cases = referenceCases();

describe('drift statistics against scipy', () => {
  it('reference script produced every method', () => {
    const methods = new Set(cases.map((c) => c.method));
    expect([...methods].sort()).toEqual(['chisquare', 'jensenshannon', 'ks', 'psi', 'wasserstein', 'ztest']);
    expect(cases.length).toBeGreaterThan(60);
  });

  for (const c of cases) {
    it(`testColumn ${c.method} matches scipy: ${c.name}`, () => {
      const ref = prepareColumn(decode(c.ref, c.categorical), { categorical: c.categorical });
      const cur = prepareColumn(decode(c.cur, c.categorical), { categorical: c.categorical });
      const r = testColumn('x', ref, cur, { method: c.method, minRows: 1 });
      expect(r.error).toBeUndefined();
      expectClose(r.statistic, c.statistic, 'statistic');
      expectClose(r.p_value, c.p_value, 'p_value');
      expect(chooseMethod(ref, cur)).toBe(c.auto);
    });
    if (!c.categorical && c.ref.every((x) => x !== null) && c.cur.every((x) => x !== null)) {
      it(`testColumn ${c.method} matches scipy from Float64Array columns: ${c.name}`, () => {
        const f64 = (xs: Case['ref']) => Float64Array.from(decode(xs, false) as number[]);
        const refValues = f64(c.ref);
        const before = refValues.slice();
        const r = testColumn('x', numericColumn(refValues), numericColumn(f64(c.cur)), {
          method: c.method,
          minRows: 1,
        });
        expect(r.error).toBeUndefined();
        expectClose(r.statistic, c.statistic, 'statistic');
        expectClose(r.p_value, c.p_value, 'p_value');
        expect(refValues).toEqual(before);
      });
    }
  }
});
