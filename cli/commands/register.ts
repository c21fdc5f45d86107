/**
 * `mlops register <model> --artifact PATH…`: store the artifacts, then commit a new version record.
 */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { captureEnvironment } from '../../actions/train/src/environment.ts';
import { hashDataInputs } from '../../actions/train/src/data.ts';
import { UsageError } from '../../core/errors.ts';
import { decodeModel, readSignature } from '../../onnx/signature.ts';
import { readSource, validateMetrics } from '../../registry/index.ts';
import { openStore } from '../../registry/stores/open.ts';
import type { TensorSpec } from '../../registry/types.ts';
import { parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import {
  noExtra,
  num,
  openFromFlags,
  positional,
  readMappingFile,
  registryFlags,
  registryFlagsHelp,
  storeFor,
  writeOpts,
} from '../registry-options.ts';

/** `mlops register`. */
export const registerCommand: Command = {
  name: 'register',
  summary: 'Register a new model version: store its artifacts, commit its record and card',
  help: `Usage: mlops register <model> --artifact PATH[=NAME]... [options]

Uploads each artifact to the artifact store (sha256-addressed, verified), then commits
models/<model>/versions/v<N>/version.yaml and card.md under the next free number, allocated
atomically against the remote, and pushes. The record also holds the source (repository, commit, ref,
dirty work tree), the environment (OS, CPU, memory, Node, Python, GPUs, container, lockfile hashes,
runner), the data inputs given with --data, and the signature of each .onnx artifact.

Options:
  --artifact PATH[=NAME]  a file to store (repeatable); NAME is its name in the version (default: file name)
  --metrics FILE          JSON or YAML mapping of metric name to a finite number
  --params FILE           JSON or YAML mapping of training parameters
  --data PATH|URI         a training data input to record (sha256, bytes, rows; repeatable): a file,
                          a folder or an s3://bucket/prefix
  --description TEXT      one line about this version
  --card FILE             Markdown body of the model card (front matter is generated)
  --alias NAME            also point this alias at the new version (repeatable)
  --store URI             artifact store (default: the model's artifact_store, else .mlops/artifacts)
  --json                  print the version record as JSON
${registryFlagsHelp}

Exit codes: 0 registered, 2 bad input (nothing written, nothing uploaded).`,
  async run(ctx) {
    const { values: v, positionals } = parseFlags('register', ctx.argv, {
      ...registryFlags,
      artifact: { type: 'string', multiple: true },
      metrics: { type: 'string' },
      params: { type: 'string' },
      description: { type: 'string' },
      card: { type: 'string' },
      alias: { type: 'string', multiple: true },
      store: { type: 'string' },
      data: { type: 'string', multiple: true },
    });
    const model = positional(positionals, 0, '<model> --artifact PATH', 'register');
    noExtra(positionals, 1, 'register');
    if (!v.artifact?.length)
      throw new UsageError("no --artifact given: expected at least one '--artifact PATH'.");
    const files = v.artifact.map((a) => {
      const eq = a.lastIndexOf('=');
      const path = eq > 0 ? a.slice(0, eq) : a;
      return {
        path: isAbsolute(path) ? path : join(ctx.cwd, path),
        name: eq > 0 ? a.slice(eq + 1) : undefined,
        given: path,
      };
    });
    const metrics = validateMetrics(
      v.metrics ? await readMappingFile(v.metrics, ctx.cwd, '--metrics') : {},
      v.metrics ?? '--metrics',
    );
    const params = v.params ? await readMappingFile(v.params, ctx.cwd, '--params') : {};
    const card = v.card ? await readCard(v.card, ctx.cwd) : undefined;
    const reg = await openFromFlags(ctx, v);
    const spec = await reg.spec(model);
    for (const f of files) {
      if (!(await stat(f.path).catch(() => undefined))?.isFile()) {
        throw new UsageError(
          `artifact file '${f.given}' does not exist: expected a path to a readable file.`,
        );
      }
    }
    const signature = await onnxSignature(files);
    const data = v.data?.length ? await hashDataInputs(v.data, { cwd: ctx.cwd, openStore }) : [];
    const environment = await captureEnvironment({ workingDir: ctx.cwd, env: ctx.env });
    const source = await readSource({ dir: reg.dir, remote: reg.remote, env: ctx.env });
    const store = storeFor(reg, ctx, v.store, spec);
    ctx.log.info(`Storing ${files.length} artifact(s) in ${store.baseUri}…`);
    const res = await reg.register({
      ...writeOpts(v),
      model,
      files: files.map(({ path, name }) => ({ path, name })),
      store,
      metrics,
      params,
      description: v.description,
      card,
      aliases: v.alias,
      signature,
      data,
      environment,
      source,
    });
    if (v.json) {
      ctx.out(
        JSON.stringify({ version: res.version, commit: res.commit, pushed: res.pushed, record: res.record }),
      );
      return 0;
    }
    const pm = spec.primary_metric.name;
    ctx.out(
      `Registered ${model} v${res.version} (${pm} ${num(res.record.metrics[pm])}) in commit ${res.commit.slice(0, 8)}${res.pushed ? `, pushed to ${reg.remote}/${res.branch}` : ''}.`,
    );
    for (const a of res.record.artifacts)
      ctx.out(`  ${a.path}  ${a.bytes} bytes  sha256 ${a.sha256.slice(0, 12)}  ${a.uri}`);
    ctx.out(`Next: mlops promote ${model} v${res.version}   (or mlops show ${model}@v${res.version})`);
    return 0;
  },
};

function readCard(path: string, cwd: string): Promise<string> {
  return readFile(isAbsolute(path) ? path : join(cwd, path), 'utf8').catch(() => {
    throw new UsageError(`--card file '${path}' cannot be read: expected a Markdown file.`);
  });
}

/** The signature of the first `.onnx` artifact (a file that is not ONNX is a UsageError naming it). */
async function onnxSignature(
  files: { path: string; name?: string; given: string }[],
): Promise<{ inputs: TensorSpec[]; outputs: TensorSpec[] } | undefined> {
  const f = files.find((x) => (x.name ?? x.path).toLowerCase().endsWith('.onnx'));
  if (!f) return undefined;
  const sig = readSignature(decodeModel(await readFile(f.path), `artifact '${f.given}'`));
  return { inputs: sig.inputs, outputs: sig.outputs };
}
