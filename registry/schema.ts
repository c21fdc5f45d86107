/**
 * Validation of the registry's files: `model.yaml`, `version.yaml`, `aliases.yaml`. Every failure is a
 * UsageError that names the file, the field, the bad value and the expected form.
 */
import { parseDocument } from 'yaml';
import { UsageError } from '../core/errors.ts';
import { validateAliasName, validateModelName } from './names.ts';
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
  return v as unknown as ModelSpec;
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

/** Parse and validate `version.yaml` text. */
export function parseVersionRecord(text: string, path: string): VersionRecord {
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
  need(typeof o.created === 'string', path, 'created', o.created, 'an ISO 8601 UTC time');
  validateMetrics(o.metrics, path);
  need(Array.isArray(o.artifacts), path, 'artifacts', o.artifacts, 'a list of { path, uri, sha256, bytes }');
  for (const a of o.artifacts as unknown[]) {
    need(
      isObj(a) && typeof a.path === 'string' && /^[0-9a-f]{64}$/.test(String(a.sha256)),
      path,
      'artifact',
      a,
      '{ path, uri, sha256 (64 hex), bytes }',
    );
  }
  return {
    ...(o as unknown as VersionRecord),
    params: (o.params ?? {}) as Obj,
    metrics: (o.metrics ?? {}) as Record<string, number>,
    data: (o.data ?? []) as VersionRecord['data'],
    environment: (o.environment ?? {}) as VersionRecord['environment'],
    source: (o.source ?? { dirty: false }) as VersionRecord['source'],
  };
}
