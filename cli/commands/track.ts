/**
 * `mlops track`: the track action on a laptop. Flags have the action's input names; the promotion PR goes
 * to the local forge (a branch plus `.mlops/outbox/`) unless `--forge github` (GITHUB_TOKEN, GITHUB_REPOSITORY).
 */
import { systemClock } from '../../core/clock.ts';
import { UsageError } from '../../core/errors.ts';
import { forgeFromEnv } from '../../github/action.ts';
import { LocalForge } from '../../github/local-forge.ts';
import { parseTrackInputs } from '../../actions/track/src/inputs.ts';
import { track } from '../../actions/track/src/track.ts';
import { parseFlags } from '../args.ts';
import type { Command } from '../command.ts';

const FLAGS = [
  'model',
  'artifacts',
  'metrics',
  'params',
  'mlflow-run',
  'run-record',
  'reference-data',
  'store',
  'alias',
  'description',
  'registry-root',
  'working-directory',
  'open-pr',
  'labels',
  'forge',
] as const;

/** `mlops track`. */
export const trackCommand: Command = {
  name: 'track',
  summary: 'Register a finished run as a candidate version and open its promotion PR',
  help: `Usage: mlops track --model M --artifacts GLOB[,GLOB] [options]

Imports params/metrics, uploads the artifacts (sha256-addressed), records the ONNX signature, lineage and a
drift reference profile, commits the version on branch mlops/<M>/v<N> and opens "Promote <M> v<N> to <alias>".
Running it again over the same artifacts finds the same version and only refreshes the PR.

Options:
  --model M                registry name of the model (required)
  --artifacts GLOBS        files to register, comma-separated globs (required)
  --metrics PATH           DVCLive dir, MLflow run dir or mlruns root, JSON Lines, JSON/YAML
  --params FILE            JSON/YAML params
  --mlflow-run ID          run id inside an mlruns root
  --run-record FILE        the run record mlops train wrote (environment, data hashes)
  --reference-data FILE    training data to profile for drift (CSV, Parquet, JSON Lines)
  --store URI              artifact store (default: the model's artifact_store, else .mlops/artifacts)
  --alias NAME             alias the PR proposes (default champion)
  --description TEXT       one line about this version
  --registry-root DIR      registry folder (default models)
  --working-directory DIR  the repository (default: current directory)
  --open-pr true|false     open the promotion PR (default true)
  --labels A,B             PR labels (default mlops:promotion)
  --forge local|github     where the PR goes (default local: a branch and .mlops/outbox)
  --json                   print {version, created, branch, pr} as JSON

Exit codes: 0 registered (or found), 2 bad input (nothing written).`,
  async run(ctx) {
    const { values } = parseFlags(
      'track',
      ctx.argv,
      Object.fromEntries(FLAGS.map((f) => [f, { type: 'string' as const }])),
    );
    const get = (name: string) => {
      const v = (values as Record<string, unknown>)[name];
      return typeof v === 'string' && v !== '' ? v : undefined;
    };
    const opts = parseTrackInputs(get, ctx.cwd, { openPr: true });
    const kind = get('forge') ?? 'local';
    if (kind !== 'local' && kind !== 'github')
      throw new UsageError(`--forge '${kind}' is not valid: expected local or github.`);
    const forge = !opts.openPr
      ? undefined
      : kind === 'github'
        ? forgeFromEnv({ logger: ctx.log })
        : new LocalForge({ root: opts.workingDir, logger: ctx.log, clock: systemClock });
    const result = await track(opts, {
      log: ctx.log,
      env: ctx.env,
      clock: systemClock,
      ...(forge ? { forge } : {}),
    });
    const pr = result.pr ? { number: result.pr.number, url: result.pr.url } : undefined;
    if (values.json) {
      ctx.out(
        JSON.stringify({ version: result.version, created: result.created, branch: result.branch, pr }),
      );
    } else {
      ctx.out(
        `${result.created ? 'Registered' : 'Found'} ${opts.model} v${result.version} on ${result.branch}${pr ? `; promotion PR #${pr.number} ${pr.url}` : ''}.`,
      );
    }
    return 0;
  },
};
