/**
 * `mlops train`: the train action on a laptop or any runner. Flags have the action's input names.
 */
import { systemClock } from '../../core/clock.ts';
import { openStore } from '../../registry/stores/open.ts';
import { parseTrainInputs } from '../../actions/train/src/inputs.ts';
import { train } from '../../actions/train/src/train.ts';
import { parseFlags } from '../args.ts';
import type { Command } from '../command.ts';

const FLAGS = [
  'model',
  'command',
  'working-directory',
  'timeout-minutes',
  'require-gpu',
  'data',
  'checkpoint-dir',
  'checkpoint-interval',
  'resume-key',
  'store',
  'registry-root',
  'metrics',
  'run-record',
] as const;

/** `mlops train`. */
export const trainCommand: Command = {
  name: 'train',
  summary:
    'Run a training command with environment capture, data hashing, checkpoint resume and live metrics',
  help: `Usage: mlops train --model M --command "CMD" [options]

Runs CMD with bash in --working-directory, forwarding SIGTERM/SIGINT and propagating its exit code.

Options:
  --model M                  registry name of the model (required)
  --command CMD              the training command (required)
  --working-directory DIR    where CMD runs (default: current directory)
  --timeout-minutes T        stop CMD after T (90, 30s, 2h)
  --require-gpu true|false   fail before CMD starts when nvidia-smi lists no GPU
  --data A,B                 training data to hash: files, directories, s3:// prefixes
  --checkpoint-dir DIR       restore before, sync during and after the run
  --checkpoint-interval S    seconds between syncs (default 60)
  --resume-key K             attempts with the same key resume each other (default: GitHub run, else 'local')
  --store URI                artifact store (default: artifact_store of models/<M>/model.yaml)
  --registry-root DIR        registry folder (default models)
  --metrics PATH             JSON Lines file or DVCLive directory CMD writes
  --run-record PATH          where to write the run record (default .mlops/runs/<M>.json)
  --json                     print the run record as JSON

Exit code: CMD's own (124 on timeout); 2 for bad input.`,
  async run(ctx) {
    const { values } = parseFlags(
      'train',
      ctx.argv,
      Object.fromEntries(FLAGS.map((f) => [f, { type: 'string' as const }])),
    );
    const get = (name: string) => {
      const v = (values as Record<string, unknown>)[name];
      return typeof v === 'string' && v !== '' ? v : undefined;
    };
    const opts = parseTrainInputs(get, ctx.cwd);
    const result = await train(opts, {
      log: ctx.log,
      env: ctx.env,
      clock: systemClock,
      openStore: (uri) => openStore(uri, { log: ctx.log, cwd: opts.workingDir, env: ctx.env }),
    });
    if (values.json) ctx.out(JSON.stringify(result.record, null, 2));
    else ctx.out(result.recordPath);
    return result.exitCode;
  },
};
