/**
 * GitHub's official OpenAPI description (`@octokit/openapi`, `generated/api.github.com.json`), loaded once per
 * test process and compiled with ajv only for the operations the server actually serves, so that startup stays
 * fast. Every request (path, query, body) and response (status, body) is checked against it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is untyped JSON.
type Json = any;

/** One operation of the description, found by method and path template. */
export interface SpecOperation {
  method: string;
  template: string;
  operationId: string;
  raw: Json;
}

/** The loaded description plus compiled validators (compiled on first use, then kept). */
export interface Spec {
  doc: Json;
  operation(method: string, template: string): SpecOperation;
  /** Problems with a request; empty when valid. */
  checkRequest(
    op: SpecOperation,
    req: { params: Record<string, string>; query: URLSearchParams; body: unknown; hasBody: boolean },
  ): string[];
  /** Problems with a response; empty when valid. */
  checkResponse(op: SpecOperation, status: number, body: unknown): string[];
  /** A deep copy of a named example's value (`components/examples/<name>`). */
  example(name: string): Json;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

// The parsed description is immutable once loaded; sharing it across servers of one test process saves ~0.3 s each.
const loaded: { spec?: Spec } = {};

/** The description, loaded on first call. */
export function loadSpec(): Spec {
  loaded.spec ??= createSpec();
  return loaded.spec;
}

function createSpec(): Spec {
  const require = createRequire(import.meta.url);
  const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
  const doc: Json = JSON.parse(readFileSync(file, 'utf8'));
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateSchema: false });
  addFormats(ajv);
  const validators = new Map<string, ValidateFunction>();

  const deref = (node: Json): Json => {
    let n = node;
    while (n && typeof n === 'object' && typeof n.$ref === 'string') n = pointer(doc, n.$ref);
    return n;
  };

  const compile = (key: string, schema: Json): ValidateFunction => {
    let v = validators.get(key);
    if (!v) {
      v = ajv.compile(openApiToJsonSchema({ allOf: [schema], components: componentsFor(doc, schema) }));
      validators.set(key, v);
    }
    return v;
  };

  const params = (op: SpecOperation): Json[] =>
    [...(doc.paths[op.template].parameters ?? []), ...(op.raw.parameters ?? [])].map(deref);

  return {
    doc,
    operation(method, template) {
      const raw = doc.paths[template]?.[method.toLowerCase()];
      if (!raw) throw new Error(`${method} ${template} is not in GitHub's OpenAPI description`);
      return { method: method.toUpperCase(), template, operationId: raw.operationId, raw };
    },
    checkRequest(op, req) {
      const problems: string[] = [];
      const known = new Set<string>();
      for (const p of params(op)) {
        if (p.in === 'header') continue;
        if (p.in === 'query') known.add(p.name);
        const value = p.in === 'path' ? req.params[p.name] : req.query.get(p.name);
        if (value === null || value === undefined) {
          if (p.required) problems.push(`missing required ${p.in} parameter '${p.name}'`);
          continue;
        }
        const v = compile(`${op.operationId} param ${p.name}`, p.schema ?? {});
        if (!v(coerce(value, deref(p.schema ?? {})))) {
          problems.push(
            `${p.in} parameter '${p.name}'=${JSON.stringify(value)}: ${ajv.errorsText(v.errors)}`,
          );
        }
      }
      for (const name of req.query.keys())
        if (!known.has(name)) problems.push(`unknown query parameter '${name}'`);
      const rb = deref(op.raw.requestBody);
      const schema = rb?.content?.['application/json']?.schema;
      if (!req.hasBody) {
        if (rb?.required) problems.push('missing required JSON body');
      } else if (!schema) {
        problems.push('a body was sent to an operation that takes none');
      } else {
        const v = compile(`${op.operationId} body`, schema);
        if (!v(req.body)) problems.push(`body: ${ajv.errorsText(v.errors, { dataVar: 'body' })}`);
      }
      return problems;
    },
    checkResponse(op, status, body) {
      const r = deref(op.raw.responses[String(status)] ?? op.raw.responses.default);
      if (!r) return [`status ${status} is not a documented response of ${op.operationId}`];
      const schema = r.content?.['application/json']?.schema;
      if (!schema)
        return body === undefined ? [] : [`status ${status} of ${op.operationId} has no body, got one`];
      const v = compile(`${op.operationId} response ${status}`, schema);
      return v(body) ? [] : [`response ${status}: ${ajv.errorsText(v.errors, { dataVar: 'response' })}`];
    },
    example(name) {
      const ex = doc.components.examples[name];
      if (!ex) throw new Error(`no example '${name}' in the OpenAPI description`);
      return structuredClone(ex.value);
    },
  };
}

function pointer(doc: Json, ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`external $ref ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .reduce((n, part) => n?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

/** The subset of `components` that `schema` reaches through `$ref`s, so each compiled schema stays small. */
function componentsFor(doc: Json, schema: Json): Json {
  const out: Json = {};
  const seen = new Set<string>();
  const walk = (n: Json) => {
    if (Array.isArray(n)) {
      for (const x of n) walk(x);
    } else if (n && typeof n === 'object') {
      if (typeof n.$ref === 'string' && !seen.has(n.$ref)) {
        seen.add(n.$ref);
        const [, , kind, name] = n.$ref.split('/');
        const target = pointer(doc, n.$ref);
        out[kind] ??= {};
        out[kind][name] = target;
        walk(target);
      }
      for (const [k, v] of Object.entries(n)) if (k !== 'examples' && k !== 'example') walk(v);
    }
  };
  walk(schema);
  return out;
}

/**
 * OpenAPI 3.0 → what ajv takes: `nullable: true` without a `type` becomes `anyOf [..., {type: null}]`, and a
 * nullable `enum` admits null (OpenAPI 3.0.3 semantics).
 */
function openApiToJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(openApiToJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node))
    out[k] = k === 'example' || k === 'examples' ? undefined : openApiToJsonSchema(v);
  if (out.nullable === true && Array.isArray(out.enum) && !out.enum.includes(null))
    out.enum = [...out.enum, null];
  if (out.nullable === true && out.type === undefined) {
    delete out.nullable;
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

function coerce(value: string, schema: Json): unknown {
  const type = schema.type ?? schema.anyOf?.[0]?.type ?? schema.oneOf?.[0]?.type;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  if (type === 'array') return value.split(',');
  return value;
}
