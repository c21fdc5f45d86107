import { UsageError } from '../core/errors.ts';
import type { ModelRef } from './index.ts';

const SEGMENT = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const ALIAS = /^[a-z][a-z0-9_-]{0,62}$/;

/** The expected form of a model name, for messages. */
export const MODEL_NAME_FORM =
  "lowercase letters, digits, '.', '_' or '-', starting with a letter or digit, at most 63 characters, with an optional 'group/' prefix of the same form";

/**
 * Check a model name: `[a-z0-9][a-z0-9._-]{0,62}` with an optional `group/` prefix of the same form;
 * no `..`. Throws a UsageError naming the value and the form; returns the name.
 */
export function validateModelName(name: string): string {
  const parts = typeof name === 'string' ? name.split('/') : [];
  const ok =
    parts.length >= 1 &&
    parts.length <= 2 &&
    parts.every((p) => SEGMENT.test(p)) &&
    !name.includes('..') &&
    !parts.some((p) => p === '.' || p.endsWith('.lock'));
  if (!ok) {
    throw new UsageError(`model name '${String(name)}' is not valid: expected ${MODEL_NAME_FORM}.`);
  }
  return name;
}

/** Check an alias name (`champion`, `challenger`, `staging`…): `[a-z][a-z0-9_-]{0,62}`, not of the form `v<N>`. */
export function validateAliasName(alias: string): string {
  if (!ALIAS.test(alias) || /^v\d+$/.test(alias)) {
    throw new UsageError(
      `alias '${alias}' is not valid: expected lowercase letters, digits, '_' or '-', starting with a letter, at most 63 characters, and not of the form v<N>.`,
    );
  }
  return alias;
}

/** Parse a version label `v3` (or `3`) to 3; UsageError naming the value otherwise. */
export function parseVersionLabel(label: string): number {
  const m = /^v?([1-9]\d{0,8})$/.exec(label.trim());
  if (!m)
    throw new UsageError(
      `version '${label}' is not valid: expected v<N> with N a positive integer, e.g. v3.`,
    );
  return Number(m[1]);
}

/** Parse `churn`, `churn@champion`, `churn@v3` (also `group/churn@v3`). */
export function parseModelRef(ref: string): ModelRef {
  const at = ref.lastIndexOf('@');
  if (at < 0) return { model: validateModelName(ref) };
  const model = validateModelName(ref.slice(0, at));
  const rest = ref.slice(at + 1);
  if (/^v\d+$/.test(rest)) return { model, version: parseVersionLabel(rest) };
  if (rest === '' || !ALIAS.test(rest)) {
    throw new UsageError(
      `'${ref}' is not a valid model reference: expected <model>, <model>@<alias> or <model>@v<N>.`,
    );
  }
  return { model, alias: rest };
}

/** Format a reference back: `churn@v3`, `churn@champion`, `churn`. */
export function formatModelRef(ref: ModelRef): string {
  if (ref.version !== undefined) return `${ref.model}@v${ref.version}`;
  if (ref.alias !== undefined) return `${ref.model}@${ref.alias}`;
  return ref.model;
}
