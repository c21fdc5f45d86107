import { describe, expect, it } from 'vitest';
import {
  buildProfile,
  parseProfile,
  sampleTable,
  serializeProfile,
} from '../../actions/drift/src/profile.ts';
import { ColumnTable } from '../../tables/table.ts';
import type { Cell } from '../../tables/types.ts';

const rows = 12_000;
const table = new ColumnTable(
  ['x', 'city', 'y'],
  new Map<string, Cell[]>([
    ['x', Array.from({ length: rows }, (_, i) => (i % 1000 === 0 ? Number.NaN : i))],
    ['city', Array.from({ length: rows }, (_, i) => (i % 7 === 0 ? null : `c${i % 3}`))],
    ['y', Array.from({ length: rows }, (_, i) => i * 2)],
  ]),
  rows,
);

describe('reference profile row sample', () => {
  it('buildProfile keeps a seeded sample of whole rows, in table order, NaN stored as null', () => {
    const p = buildProfile(table, undefined, { rowSample: 500, seed: 4 });
    const s = p.sample!;
    expect(s.rows).toBe(500);
    expect(Object.keys(s.columns)).toEqual(['x', 'city', 'y']);
    const ys = s.columns.y as number[];
    const picked = ys.map((v) => v / 2);
    expect(picked).toEqual([...picked].sort((a, b) => a - b));
    expect(new Set(picked).size).toBe(500);
    for (const [k, i] of picked.entries()) {
      expect(s.columns.x[k]).toBe(i % 1000 === 0 ? null : i);
      expect(s.columns.city[k]).toBe(i % 7 === 0 ? null : `c${i % 3}`);
    }
    expect(buildProfile(table, undefined, { rowSample: 500, seed: 4 }).sample).toEqual(s);
    expect(buildProfile(table, undefined, { rowSample: 500, seed: 5 }).sample).not.toEqual(s);
  });

  it('buildProfile keeps 5000 rows by default, every row of a smaller table, none with rowSample 0', () => {
    expect(buildProfile(table).sample?.rows).toBe(5000);
    const small = new ColumnTable(['a'], new Map([['a', [1, 2, 3]]]), 3);
    expect(buildProfile(small).sample).toEqual({ rows: 3, columns: { a: [1, 2, 3] } });
    expect(buildProfile(table, undefined, { rowSample: 0 }).sample).toBeUndefined();
  });

  it('sampleTable and parseProfile read the sample back; a malformed sample is refused', () => {
    const p = parseProfile(serializeProfile(buildProfile(table, undefined, { rowSample: 50 })));
    const t = sampleTable(p)!;
    expect(t.rows).toBe(50);
    expect(t.columns).toEqual(['x', 'city', 'y']);
    expect(t.column('y')).toHaveLength(50);
    const bad = { ...p, sample: { rows: 50, columns: { x: [1, 2] } } };
    expect(() => parseProfile(JSON.stringify(bad))).toThrow(/"sample" must be/);
    expect(sampleTable({ ...p, sample: undefined })).toBeUndefined();
  });
});
