/**
 * A deterministic synthetic data set shaped like a clinical heart-disease risk table: the example trainer's
 * input and the drift reference. Same seed, same rows, on every machine.
 */
import { mulberry32 } from '../../core/random.ts';

/** Feature columns in model input order. */
export const FEATURES = [
  'age',
  'sex',
  'resting_bp',
  'cholesterol',
  'max_heart_rate',
  'exercise_angina',
  'oldpeak',
  'fasting_blood_sugar',
] as const;

/** The label column. */
export const LABEL = 'heart_disease';

/** One patient row. */
export type PatientRow = Record<(typeof FEATURES)[number] | typeof LABEL, number>;

/** A seeded generator of floats in [0, 1) (mulberry32). */
export const seededRandom = mulberry32;

function normal(rand: () => number): number {
  const u = Math.max(rand(), Number.MIN_VALUE);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Generate `rows` patients from `seed`; the label follows a fixed logistic ground truth plus noise. */
export function generateClinicalData(rows: number, seed: number): PatientRow[] {
  const rand = seededRandom(seed);
  const out: PatientRow[] = [];
  for (let i = 0; i < rows; i++) {
    const age = Math.round(Math.min(80, Math.max(29, 54 + 9 * normal(rand))));
    const sex = rand() < 0.68 ? 1 : 0;
    const resting_bp = Math.round(Math.max(90, 131 + 17 * normal(rand)));
    const cholesterol = Math.round(Math.max(120, 246 + 50 * normal(rand)));
    const max_heart_rate = Math.round(
      Math.min(205, Math.max(70, 150 - 0.6 * (age - 54) + 22 * normal(rand))),
    );
    const exercise_angina = rand() < 0.33 ? 1 : 0;
    const oldpeak = round1(Math.max(0, 1 + 1.1 * normal(rand)));
    const fasting_blood_sugar = rand() < 0.15 ? 1 : 0;
    const z =
      -0.4 +
      0.05 * (age - 54) +
      0.8 * sex +
      0.015 * (resting_bp - 131) +
      0.004 * (cholesterol - 246) -
      0.03 * (max_heart_rate - 150) +
      1.1 * exercise_angina +
      0.6 * (oldpeak - 1) +
      0.3 * fasting_blood_sugar;
    const heart_disease = rand() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    out.push({
      age,
      sex,
      resting_bp,
      cholesterol,
      max_heart_rate,
      exercise_angina,
      oldpeak,
      fasting_blood_sugar,
      heart_disease,
    });
  }
  return out;
}

/** Rows as CSV text with a header, columns in FEATURES order then the label. */
export function toCsv(rows: PatientRow[]): string {
  const cols: (keyof PatientRow)[] = [...FEATURES, LABEL];
  return `${[cols.join(','), ...rows.map((r) => cols.map((c) => String(r[c])).join(','))].join('\n')}\n`;
}

/** Parse the CSV written by `toCsv` (numbers only). */
export function fromCsv(text: string): PatientRow[] {
  const [header, ...lines] = text.trim().split(/\r?\n/);
  const cols = header.split(',');
  for (const c of [...FEATURES, LABEL]) {
    if (!cols.includes(c))
      throw new Error(`data is missing column '${c}'; expected columns ${[...FEATURES, LABEL].join(',')}.`);
  }
  return lines.map((line, i) => {
    const cells = line.split(',');
    const row = {} as PatientRow;
    cols.forEach((c, j) => {
      const v = Number(cells[j]);
      if (!Number.isFinite(v))
        throw new Error(`data line ${i + 2}: '${cells[j]}' in column '${c}' is not a number.`);
      (row as Record<string, number>)[c] = v;
    });
    return row;
  });
}
