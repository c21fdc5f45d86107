/**
 * The promotion PR's body: what a reviewer needs to decide. Metrics against the current holder of the
 * alias, lineage (commit, run, data, environment), artifacts, and links. User text is escaped.
 */
import { escapeText, table, truncate } from '../../../github/markdown.ts';
import { marker } from '../../../github/forge.ts';
import type { ModelSpec, VersionRecord } from '../../../registry/types.ts';

const num = (v: number | undefined) => (v === undefined ? undefined : Number(v.toPrecision(6)).toString());

/** Everything the body shows. */
export interface PromotionBodyInput {
  spec: ModelSpec;
  record: VersionRecord;
  alias: string;
  /** The version the alias points at now, when there is one. */
  current?: VersionRecord;
  /** Links: the version's folder on the branch, the workflow run. */
  links: { label: string; url: string }[];
}

function metricsTable(
  spec: ModelSpec,
  record: VersionRecord,
  alias: string,
  current?: VersionRecord,
): string {
  const names = [...new Set([...Object.keys(record.metrics), ...Object.keys(current?.metrics ?? {})])].sort(
    (a, b) => (a === spec.primary_metric.name ? -1 : b === spec.primary_metric.name ? 1 : a.localeCompare(b)),
  );
  if (names.length === 0) return '_No metrics were recorded._';
  const rows = names.map((n) => {
    const c = record.metrics[n];
    const o = current?.metrics[n];
    const diff = c !== undefined && o !== undefined ? c - o : undefined;
    const primary = n === spec.primary_metric.name ? ` (primary, ${spec.primary_metric.direction})` : '';
    return [
      `${escapeText(n)}${primary}`,
      num(c),
      num(o),
      diff === undefined ? undefined : `${diff >= 0 ? '+' : ''}${num(diff)}`,
    ];
  });
  return table(
    [
      'metric',
      `v${record.version}`,
      current ? `${alias} v${current.version}` : `${alias} (none)`,
      'difference',
    ],
    rows,
    { raw: true },
  );
}

function lineage(record: VersionRecord): string {
  const s = record.source;
  const env = record.environment;
  const lines = [
    `- Commit: ${s.commit ? `\`${s.commit.slice(0, 12)}\`` : 'unknown'}${s.dirty ? ' (**dirty**: uncommitted changes)' : ''}${s.ref ? ` on ${escapeText(s.ref)}` : ''}`,
  ];
  if (s.run_url) lines.push(`- Run: ${s.run_url}`);
  for (const d of record.data) {
    lines.push(
      `- Data: ${escapeText(d.uri)} sha256 \`${d.sha256.slice(0, 12)}\` (${d.bytes} bytes${d.rows !== undefined ? `, ${d.rows} rows` : ''})`,
    );
  }
  const gpus = (env.gpus ?? []).map((g) => `${g.name} (driver ${g.driver})`).join(', ');
  const envBits = [
    env.os,
    env.cpu,
    gpus,
    env.cuda ? `CUDA ${env.cuda}` : '',
    env.python ? `Python ${env.python}` : '',
    env.node ? `Node ${env.node}` : '',
  ]
    .filter(Boolean)
    .map((x) => escapeText(String(x)));
  if (envBits.length) lines.push(`- Environment: ${envBits.join('; ')}`);
  const locks = Object.entries(env.lockfiles ?? {});
  if (locks.length)
    lines.push(`- Lockfiles: ${locks.map(([f, h]) => `${escapeText(f)} \`${h.slice(0, 12)}\``).join(', ')}`);
  return lines.join('\n');
}

/** The PR body. */
export function promotionBody(input: PromotionBodyInput): string {
  const { spec, record, alias, current } = input;
  const sig = record.signature;
  const parts = [
    marker('track', record.model),
    `## ${escapeText(record.model)} v${record.version} → ${escapeText(alias)}`,
    '',
    spec.description ? `${escapeText(spec.description)}\n` : '',
    `Candidate registered by track${record.created_by ? ` as ${escapeText(record.created_by)}` : ''} on ${record.created}. Merging this PR points **${escapeText(alias)}** at v${record.version}${current ? ` (now v${current.version})` : ''}; the promote gate requires the approvals and a green evaluation of this commit first.`,
    '',
    '### Metrics',
    '',
    metricsTable(spec, record, alias, current),
    '',
    '### Lineage',
    '',
    lineage(record),
    '',
    '### Artifacts',
    '',
    table(
      ['name', 'bytes', 'sha256', 'uri'],
      record.artifacts.map((a) => [
        escapeText(a.path),
        a.bytes,
        `\`${a.sha256.slice(0, 16)}\``,
        escapeText(a.uri),
      ]),
      { raw: true },
    ),
    '',
  ];
  if (sig) {
    const t = (xs: typeof sig.inputs) =>
      xs
        .map(
          (x) =>
            `**${escapeText(x.name)}** ${escapeText(x.dtype)} [${x.shape.map((d) => escapeText(String(d ?? '?'))).join(', ')}]`,
        )
        .join(', ');
    parts.push(`ONNX signature: inputs ${t(sig.inputs)}; outputs ${t(sig.outputs)}.`, '');
  }
  if (Object.keys(record.params).length) {
    parts.push(
      '### Params',
      '',
      table(
        ['param', 'value'],
        Object.entries(record.params).map(([k, v]) => [k, JSON.stringify(v)]),
      ),
      '',
    );
  }
  if (input.links.length)
    parts.push(
      '### Links',
      '',
      ...input.links.map((l) => `- [${escapeText(l.label)}](${encodeURI(l.url)})`),
      '',
    );
  return truncate(parts.join('\n'), { what: 'PR body' }).text;
}
