/**
 * Validation of the registry's files: `model.yaml`, `version.yaml`, `aliases.yaml`. Every failure is a
 * UsageError that names the file, the field, the bad value and the expected form.
 */
import { parseDocument } from 'yaml';
import { UsageError } from '../core/errors.ts';
import { validateAliasName, validateModelName } from './names.ts';
import { parseUri } from './stores/uri.ts';
import type { AliasesFile, ModelSpec, VersionRecord } from './types.ts';

type Obj = Record<string, unknown>;

const TASKS = ['binary', 'multiclass', 'regression'] as const;

/** Parse YAML text to a plain value; malformed YAML is a UsageError naming the file and the position. */
export function parseYaml(text: string, path: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const where = e.linePos ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
    throw new UsageError(
      `${path}: malformed YAML${where}: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}. Expected a YAML mapping.`,
    );
  }
  return doc.toJS();
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function need(cond: boolean, path: string, field: string, value: unknown, form: string): void {
  if (!cond) {
    const shown =
      value === undefined
        ? 'missing'
        : `'${typeof value === 'object' ? JSON.stringify(value) : String(value)}'`;
    throw new UsageError(`${path}: ${field} ${shown} is not valid: expected ${form}.`);
  }
}

/**
 * Check a metrics object: every value a finite number (NaN, Infinity, strings and nulls are refused).
 * `what` names the source in messages (a file or flag). Returns the metrics typed.
 */
export function validateMetrics(metrics: unknown, what: string): Record<string, number> {
  if (metrics === undefined || metrics === null) return {};
  need(isObj(metrics), what, 'metrics', metrics, 'a mapping of metric name to a finite number');
  for (const [k, v] of Object.entries(metrics as Obj)) {
    need(/^[A-Za-z0-9_.:/-]{1,128}$/.test(k), what, 'metric name', k, 'letters, digits, _ . : / -');
    need(typeof v === 'number' && Number.isFinite(v), what, `metric '${k}'`, v, 'a finite number');
  }
  return metrics as Record<string, number>;
}

function isAlias(name: unknown): boolean {
  try {
    return typeof name === 'string' && validateAliasName(name) === name;
  } catch {
    return false;
  }
}

/** Check a model spec object (as read from `model.yaml` or given by a caller). */
export function validateModelSpec(value: unknown, path: string): ModelSpec {
  need(isObj(value), path, 'document', value, 'a mapping with name, task and primary_metric');
  const v = value as Obj;
  need(typeof v.name === 'string', path, 'name', v.name, 'a model name');
  validateModelName(v.name as string);
  need(TASKS.includes(v.task as never), path, 'task', v.task, `one of ${TASKS.join(', ')}`);
  const pm = v.primary_metric as Obj;
  need(
    isObj(pm) && typeof pm.name === 'string' && pm.name !== '',
    path,
    'primary_metric',
    pm,
    '{ name, direction }',
  );
  need(
    ['maximize', 'minimize'].includes(pm.direction as string),
    path,
    'primary_metric.direction',
    pm.direction,
    'maximize or minimize',
  );
  if (v.gates !== undefined) {
    need(Array.isArray(v.gates), path, 'gates', v.gates, 'a list of { metric, min?, max?, max_regression? }');
    for (const g of v.gates as unknown[]) {
      need(
        isObj(g) && typeof g.metric === 'string',
        path,
        'gate',
        g,
        '{ metric, min?, max?, max_regression? }',
      );
      for (const k of ['min', 'max', 'max_regression', 'max_slice_regression']) {
        const x = (g as Obj)[k];
        need(
          x === undefined || (typeof x === 'number' && Number.isFinite(x)),
          path,
          `gate ${k}`,
          x,
          'a finite number',
        );
      }
    }
  }
  if (v.owners !== undefined) {
    need(
      Array.isArray(v.owners) && v.owners.every((o) => typeof o === 'string'),
      path,
      'owners',
      v.owners,
      'a list of user or @org/team names',
    );
  }
  const approvals = (v.promotion as Obj | undefined)?.approvals;
  need(
    approvals === undefined || (Number.isInteger(approvals) && (approvals as number) >= 0),
    path,
    'promotion.approvals',
    approvals,
    'an integer >= 0',
  );
  const promotion = (isObj(v.promotion) ? v.promotion : {}) as Obj;
  const requires = promotion.requires;
  need(
    requires === undefined ||
      (isObj(requires) && Object.entries(requires).every(([k, r]) => isAlias(k) && isAlias(r))),
    path,
    'promotion.requires',
    requires,
    'a mapping of alias to the alias a version must hold first, e.g. { production: staging }',
  );
  need(
    promotion.emergency_rollback === undefined || typeof promotion.emergency_rollback === 'boolean',
    path,
    'promotion.emergency_rollback',
    promotion.emergency_rollback,
    'true or false',
  );
  need(
    v.artifact_store === undefined || typeof v.artifact_store === 'string',
    path,
    'artifact_store',
    v.artifact_store,
    'a path, file:// or s3://bucket/prefix URI',
  );
  if (v.artifact_store !== undefined) {
    try {
      parseUri(v.artifact_store as string);
    } catch (err) {
      throw new UsageError(`${path}: artifact_store: ${(err as Error).message}`);
    }
  }
  checkTraining(v.training, path);
  return v as unknown as ModelSpec;
}

/** Check the optional `training:` section (see TrainingSpec): strings, string lists, one boolean. */
function checkTraining(t: unknown, path: string): void {
  if (t === undefined) return;
  need(isObj(t), path, 'training', t, 'a mapping (command, data, evaluation_data, runner_labels, ...)');
  const o = t as Obj;
  const text = (x: unknown) => typeof x === 'string' && x.trim() !== '';
  const list = (x: unknown) => Array.isArray(x) && x.length > 0 && x.every(text);
  for (const k of ['command', 'evaluation_data', 'reference_data', 'checkpoint_dir', 'metrics'])
    need(o[k] === undefined || text(o[k]), path, `training.${k}`, o[k], 'a non-empty string');
  for (const k of ['data', 'runner_labels', 'artifacts'])
    need(o[k] === undefined || list(o[k]), path, `training.${k}`, o[k], 'a non-empty list of strings');
  need(
    o.require_gpu === undefined || typeof o.require_gpu === 'boolean',
    path,
    'training.require_gpu',
    o.require_gpu,
    'true or false',
  );
  const known = [
    'command',
    'data',
    'evaluation_data',
    'reference_data',
    'runner_labels',
    'require_gpu',
    'checkpoint_dir',
    'metrics',
    'artifacts',
  ];
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  need(unknown.length === 0, path, 'training', unknown.join(', '), `only the keys ${known.join(', ')}`);
}

/** Parse and validate `model.yaml` text. */
export function parseModelSpec(text: string, path: string): ModelSpec {
  return validateModelSpec(parseYaml(text, path), path);
}

/** Parse and validate `aliases.yaml` text (empty text is an empty file). */
export function parseAliases(text: string, path: string): AliasesFile {
  const v = text.trim() === '' ? {} : parseYaml(text, path);
  need(isObj(v), path, 'document', v, 'a mapping with aliases and archived');
  const o = v as Obj;
  const aliases = (o.aliases ?? {}) as Obj;
  need(isObj(aliases), path, 'aliases', o.aliases, 'a mapping of alias to version number');
  for (const [k, n] of Object.entries(aliases)) {
    validateAliasName(k);
    need(Number.isInteger(n) && (n as number) > 0, path, `alias '${k}'`, n, 'a positive integer version');
  }
  const archived = (o.archived ?? []) as unknown[];
  need(
    Array.isArray(archived) && archived.every((n) => Number.isInteger(n) && (n as number) > 0),
    path,
    'archived',
    o.archived,
    'a list of positive integer versions',
  );
  return { aliases: aliases as Record<string, number>, archived: archived as number[] };
}

/** The model and version a record must name: those of the folder it is in. */
export interface RecordLocation {
  model: string;
  version: number;
}

const str = (x: unknown) => typeof x === 'string';
const opt = (x: unknown, ok: (x: unknown) => boolean) => x === undefined || x === null || ok(x);
const count = (x: unknown) => Number.isInteger(x) && (x as number) >= 0;
const sha = (x: unknown) => typeof x === 'string' && /^[0-9a-f]{64}$/.test(x);

function checkSource(o: unknown, path: string): void {
  const form = '{ repository?: string, commit?: string, ref?: string, run_url?: string, dirty: boolean }';
  need(isObj(o), path, 'source', o, form);
  const s = o as Obj;
  for (const k of ['repository', 'commit', 'ref', 'run_url'])
    need(opt(s[k], str), path, `source.${k}`, s[k], 'a string');
  need(typeof s.dirty === 'boolean', path, 'source.dirty', s.dirty, 'true or false');
}

function checkData(o: unknown, path: string): void {
  need(Array.isArray(o), path, 'data', o, 'a list of { uri, sha256, bytes, rows? }');
  (o as unknown[]).forEach((d, i) => {
    need(isObj(d), path, `data[${i}]`, d, '{ uri, sha256, bytes, rows? }');
    const x = d as Obj;
    need(str(x.uri), path, `data[${i}].uri`, x.uri, 'a string URI');
    need(sha(x.sha256), path, `data[${i}].sha256`, x.sha256, '64 lowercase hex digits');
    need(count(x.bytes), path, `data[${i}].bytes`, x.bytes, 'an integer >= 0');
    need(opt(x.rows, count), path, `data[${i}].rows`, x.rows, 'an integer >= 0');
  });
}

function checkEnvironment(o: unknown, path: string): void {
  need(isObj(o), path, 'environment', o, 'a mapping (runner, os, cpu, memory_bytes, node, python, gpus…)');
  const e = o as Obj;
  for (const k of ['runner', 'os', 'cpu', 'node', 'python', 'cuda', 'container'])
    need(opt(e[k], str), path, `environment.${k}`, e[k], 'a string');
  need(opt(e.memory_bytes, count), path, 'environment.memory_bytes', e.memory_bytes, 'an integer >= 0');
  need(
    opt(e.gpus, (g) => Array.isArray(g) && g.every(isObj)),
    path,
    'environment.gpus',
    e.gpus,
    'a list of { name, driver, memory }',
  );
  need(
    opt(e.lockfiles, (l) => isObj(l) && Object.values(l).every(str)),
    path,
    'environment.lockfiles',
    e.lockfiles,
    'a mapping of lockfile path to sha256',
  );
}

function checkArtifacts(o: unknown, path: string): void {
  const form = '{ path, uri, sha256 (64 hex), bytes }';
  need(Array.isArray(o), path, 'artifacts', o, `a list of ${form}`);
  (o as unknown[]).forEach((a, i) => {
    need(isObj(a), path, `artifacts[${i}]`, a, form);
    const x = a as Obj;
    need(str(x.path) && x.path !== '', path, `artifacts[${i}].path`, x.path, 'a file name');
    need(str(x.uri) && x.uri !== '', path, `artifacts[${i}].uri`, x.uri, 'a string URI');
    need(sha(x.sha256), path, `artifacts[${i}].sha256`, x.sha256, '64 lowercase hex digits');
    need(count(x.bytes), path, `artifacts[${i}].bytes`, x.bytes, 'an integer >= 0');
  });
}

/**
 * Parse and validate `version.yaml` text: field types, and `model`/`version` equal to the folder the
 * record is in (`expected`, else read from `path` when it is `<root>/<model>/versions/v<N>/version.yaml`).
 */
export function parseVersionRecord(text: string, path: string, expected?: RecordLocation): VersionRecord {
  const v = parseYaml(text, path);
  need(isObj(v), path, 'document', v, 'a mapping (a version record)');
  const o = v as Obj;
  need(typeof o.model === 'string', path, 'model', o.model, 'a model name');
  need(
    Number.isInteger(o.version) && (o.version as number) > 0,
    path,
    'version',
    o.version,
    'a positive integer',
  );
  if (expected) {
    need(
      o.model === expected.model,
      path,
      'model',
      o.model,
      `'${expected.model}' (the folder the record is in)`,
    );
    need(
      o.version === expected.version,
      path,
      'version',
      o.version,
      `${expected.version} (the folder v${expected.version})`,
    );
  } else {
    // Without the caller's word, the path `<root>/<model>/versions/v<N>/version.yaml` tells the folder.
    const m = /(^|\/)versions\/v([1-9]\d*)\/version\.yaml$/.exec(path);
    if (m) {
      const folder = path.slice(0, m.index);
      const ok = folder === o.model || folder.endsWith(`/${o.model}`);
      need(ok, path, 'model', o.model, `'${folder.split('/').at(-1)}' (the folder the record is in)`);
      need(o.version === Number(m[2]), path, 'version', o.version, `${m[2]} (the folder v${m[2]})`);
    }
  }
  need(typeof o.created === 'string', path, 'created', o.created, 'an ISO 8601 UTC time');
  validateMetrics(o.metrics, path);
  need(opt(o.params, isObj), path, 'params', o.params, 'a mapping of parameter name to value');
  if (o.source !== undefined) checkSource(o.source, path);
  if (o.data !== undefined) checkData(o.data, path);
  if (o.environment !== undefined) checkEnvironment(o.environment, path);
  checkArtifacts(o.artifacts, path);
  return {
    ...(o as unknown as VersionRecord),
    params: (o.params ?? {}) as Obj,
    metrics: (o.metrics ?? {}) as Record<string, number>,
    data: (o.data ?? []) as VersionRecord['data'],
    environment: (o.environment ?? {}) as VersionRecord['environment'],
    source: (o.source ?? { dirty: false }) as VersionRecord['source'],
  };
}
