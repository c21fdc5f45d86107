/**
 * `mlops init [<model>]`: create the registry folder (index README, `.mlops/` in .gitignore) and, with a
 * model name, the model's `model.yaml`.
 */
import { UsageError } from '../../core/errors.ts';
import type { ModelSpec } from '../../registry/types.ts';
import { listFlag, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { noExtra, openFromFlags, registryFlags, registryFlagsHelp, writeOpts } from '../registry-options.ts';

const MINIMIZE = ['log_loss', 'brier_score_loss', 'mse', 'rmse', 'mae', 'mape', 'median_absolute_error'];
const DEFAULT_METRIC: Record<ModelSpec['task'], string> = {
  binary: 'roc_auc',
  multiclass: 'f1_macro',
  regression: 'rmse',
};

/** `mlops init`. */
export const initCommand: Command = {
  name: 'init',
  summary: 'Create the model registry folder, or a model in it (model.yaml)',
  help: `Usage: mlops init [<model>] [options]

Without a model: creates models/README.md and adds .mlops/ (the local artifact store) to .gitignore.
With a model: also creates models/<model>/model.yaml and aliases.yaml. Commits and pushes.

Options:
  --task T            binary, multiclass or regression (default: binary)
  --metric NAME       primary metric (default: roc_auc, f1_macro or rmse by task)
  --direction D       maximize or minimize (default: minimize for losses and errors, else maximize)
  --store URI         artifact store for the model: a path, file:// or s3://bucket/prefix (default: .mlops/artifacts)
  --description TEXT  one line about the model
  --owners A,B        users or @org/teams whose approvals count for promotion
  --json              print the result as JSON
${registryFlagsHelp}

Model names: lowercase letters, digits, '.', '_' or '-', at most 63 characters, optional 'group/' prefix.
Exit codes: 0 ok, 2 bad input (nothing written).`,
  async run(ctx) {
    const { values: v, positionals } = parseFlags('init', ctx.argv, {
      ...registryFlags,
      task: { type: 'string' },
      metric: { type: 'string' },
      direction: { type: 'string' },
      store: { type: 'string' },
      description: { type: 'string' },
      owners: { type: 'string' },
    });
    noExtra(positionals, 1, 'init');
    const model = positionals[0];
    const task = (v.task ?? 'binary') as ModelSpec['task'];
    if (!['binary', 'multiclass', 'regression'].includes(task)) {
      throw new UsageError(`--task '${v.task}' is not valid: expected binary, multiclass or regression.`);
    }
    const metric = v.metric ?? DEFAULT_METRIC[task];
    const direction = v.direction ?? (MINIMIZE.includes(metric) ? 'minimize' : 'maximize');
    if (direction !== 'maximize' && direction !== 'minimize') {
      throw new UsageError(`--direction '${direction}' is not valid: expected maximize or minimize.`);
    }
    const reg = await openFromFlags(ctx, v);
    const spec: ModelSpec | undefined = model
      ? {
          name: model,
          ...(v.description ? { description: v.description } : {}),
          task,
          primary_metric: { name: metric, direction },
          ...(v.owners ? { owners: listFlag(v.owners) } : {}),
          ...(v.store ? { artifact_store: v.store } : {}),
        }
      : undefined;
    const res = await reg.init({ ...writeOpts(v), model, spec });
    if (v.json) {
      ctx.out(
        JSON.stringify({
          model: model ?? null,
          created: res.created,
          commit: res.commit || null,
          pushed: res.pushed,
        }),
      );
      return 0;
    }
    if (res.created.length === 0) ctx.out(`The registry in ${reg.root}/ already exists; nothing to do.`);
    else
      ctx.out(
        `Created ${res.created.join(', ')}${res.pushed ? ` and pushed to ${reg.remote}/${res.branch}` : ` (committed on ${res.branch})`}.`,
      );
    ctx.out(
      model
        ? `Next: mlops register ${model} --artifact model.onnx --metrics metrics.json`
        : 'Next: mlops init <model> --task binary --metric roc_auc',
    );
    return 0;
  },
};
