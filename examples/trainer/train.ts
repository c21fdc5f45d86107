/**
 * The example trainer: `node --import tsx examples/trainer/train.ts [--out out] [--checkpoint-dir checkpoints]
 * [--epochs 60] [--seed 7] [--rows 2000] [--data FILE] [--epoch-delay-ms 0]`.
 *
 * Trains logistic regression on the synthetic clinical data set (generated from the seed unless `--data` is
 * given), writes metrics per epoch as JSON Lines (`<out>/metrics.jsonl`) and in the DVCLive layout
 * (`<out>/dvclive/`), checkpoints every epoch to `--checkpoint-dir` and resumes from it, then exports
 * `<out>/model.onnx` and the training split as `<out>/reference.csv` (the drift reference).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeLinearModel } from '../../onnx/write.ts';
import { FEATURES, fromCsv, generateClinicalData, LABEL, type PatientRow, toCsv } from './data.ts';
import {
  accuracy,
  initState,
  logLoss,
  type ModelState,
  predict,
  rawCoefficients,
  rocAuc,
  step,
} from './model.ts';

/** Training configuration; a checkpoint only resumes a run with the same configuration. */
export interface TrainerConfig {
  epochs: number;
  seed: number;
  rows: number;
  lr: number;
  l2: number;
  data?: string;
}

/** One epoch's metrics. */
export type EpochMetrics = { step: number } & Record<string, number>;

interface Checkpoint {
  config: TrainerConfig;
  state: ModelState;
  history: EpochMetrics[];
}

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string', default: 'out' },
      'checkpoint-dir': { type: 'string', default: 'checkpoints' },
      epochs: { type: 'string', default: '60' },
      seed: { type: 'string', default: '7' },
      rows: { type: 'string', default: '2000' },
      lr: { type: 'string', default: '0.5' },
      l2: { type: 'string', default: '0.001' },
      data: { type: 'string' },
      'epoch-delay-ms': { type: 'string', default: '0' },
    },
  });
  const num = (name: keyof typeof values) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < 0)
      throw new Error(`--${name} '${values[name]}' is not valid: expected a number >= 0.`);
    return n;
  };
  const config: TrainerConfig = {
    epochs: num('epochs'),
    seed: num('seed'),
    rows: num('rows'),
    lr: num('lr'),
    l2: num('l2'),
    ...(values.data ? { data: values.data } : {}),
  };
  return { config, out: values.out, checkpointDir: values['checkpoint-dir'], delayMs: num('epoch-delay-ms') };
}

function loadCheckpoint(dir: string, config: TrainerConfig): Checkpoint | undefined {
  const file = join(dir, 'state.json');
  if (!existsSync(file)) return undefined;
  try {
    const ck = JSON.parse(readFileSync(file, 'utf8')) as Checkpoint;
    if (JSON.stringify(ck.config) !== JSON.stringify(config)) {
      console.error(`checkpoint ${file} is for another configuration; starting clean`);
      return undefined;
    }
    return ck;
  } catch (err) {
    console.error(`checkpoint ${file} is unreadable (${(err as Error).message}); starting clean`);
    return undefined;
  }
}

function saveCheckpoint(dir: string, ck: Checkpoint): void {
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, 'state.json.tmp');
  writeFileSync(tmp, JSON.stringify(ck));
  renameSync(tmp, join(dir, 'state.json'));
}

function writeDvcLive(dir: string, config: TrainerConfig, history: EpochMetrics[]): void {
  const plots = join(dir, 'plots', 'metrics');
  mkdirSync(plots, { recursive: true });
  const names = Object.keys(history[0] ?? {}).filter((k) => k !== 'step');
  for (const name of names) {
    const rows = history.map((h, i) => `${1_700_000_000_000 + i * 1000}\t${h.step}\t${h[name]}`);
    writeFileSync(
      join(plots, `${name}.tsv`),
      `timestamp\tstep\t${name}\n${rows.map((r) => `${r}\n`).join('')}`,
    );
  }
  const last = history.at(-1);
  if (last) writeFileSync(join(dir, 'metrics.json'), `${JSON.stringify(last, null, 2)}\n`);
  const params = Object.entries(config).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  writeFileSync(join(dir, 'params.yaml'), `${params.join('\n')}\n`);
}

const toXy = (rows: PatientRow[]) => ({
  x: rows.map((r) => FEATURES.map((f) => r[f])),
  y: rows.map((r) => r[LABEL]),
});

/** Train (resuming from the checkpoint when there is one) and write every output. Returns the final state. */
export async function trainExample(argv: string[]): Promise<ModelState> {
  const { config, out, checkpointDir, delayMs } = parse(argv);
  const rows = config.data
    ? fromCsv(readFileSync(config.data, 'utf8'))
    : generateClinicalData(config.rows, config.seed);
  const cut = Math.floor(rows.length * 0.8);
  const train = toXy(rows.slice(0, cut));
  const valid = toXy(rows.slice(cut));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'reference.csv'), toCsv(rows.slice(0, cut)));
  writeFileSync(join(out, 'params.json'), `${JSON.stringify(config, null, 2)}\n`);

  const ck = loadCheckpoint(checkpointDir, config);
  let state = ck?.state ?? initState(train.x);
  const history = ck?.history ?? [];
  if (ck) console.error(`resuming from checkpoint at epoch ${state.epoch}`);
  const metricsFile = join(out, 'metrics.jsonl');
  writeFileSync(metricsFile, history.map((h) => `${JSON.stringify(h)}\n`).join(''));

  while (state.epoch < config.epochs) {
    state = step(state, train.x, train.y, config.lr, config.l2);
    const pv = predict(state, valid.x);
    const m: EpochMetrics = {
      step: state.epoch,
      train_loss: logLoss(train.y, predict(state, train.x)),
      log_loss: logLoss(valid.y, pv),
      accuracy: accuracy(valid.y, pv),
      roc_auc: rocAuc(valid.y, pv),
    };
    history.push(m);
    saveCheckpoint(checkpointDir, { config, state, history });
    appendFileSync(metricsFile, `${JSON.stringify(m)}\n`);
    writeDvcLive(join(out, 'dvclive'), config, history);
    console.error(
      `epoch ${m.step}/${config.epochs} validation log_loss=${m.log_loss.toFixed(4)} roc_auc=${m.roc_auc.toFixed(4)}`,
    );
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
  }
  const { w, b } = rawCoefficients(state);
  writeFileSync(
    join(out, 'model.onnx'),
    writeLinearModel({
      weights: w,
      bias: b,
      kind: 'logistic',
      featureNames: [...FEATURES],
      outputs: 'probabilities',
    }),
  );
  writeDvcLive(join(out, 'dvclive'), config, history);
  return state;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  trainExample(process.argv.slice(2)).catch((err) => {
    console.error(`error: ${(err as Error).message}`);
    process.exitCode = 2;
  });
}
