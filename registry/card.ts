/**
 * Model cards (`versions/v<N>/card.md`): Markdown with YAML front matter compatible with the Hugging Face
 * model card spec (`model-index` → results → task / dataset / metrics).
 */
import { stringify } from 'yaml';
import { UsageError } from '../core/errors.ts';
import { parseYaml, validateMetrics } from './schema.ts';
import type { ModelSpec, VersionRecord } from './types.ts';

const TASK_TYPES: Record<ModelSpec['task'], string> = {
  binary: 'tabular-classification',
  multiclass: 'tabular-classification',
  regression: 'tabular-regression',
};

/** A parsed model card. */
export interface ModelCard {
  /** The whole front matter. */
  frontMatter: Record<string, unknown>;
  /** Metrics of the first model-index result, by metric type. */
  metrics: Record<string, number>;
  body: string;
}

/** Render a version's card: front matter (library, tags, model-index with the version's metrics) and a body. */
export function renderModelCard(opts: { spec: ModelSpec; record: VersionRecord; body?: string }): string {
  const { spec, record } = opts;
  const dataset = record.data[0];
  const front = {
    library_name: 'onnx',
    tags: ['mlops-actions', spec.task],
    'model-index': [
      {
        name: `${record.model}-v${record.version}`,
        results: [
          {
            task: { type: TASK_TYPES[spec.task] },
            dataset: { type: 'custom', name: dataset?.uri ?? 'training data' },
            metrics: Object.entries(record.metrics).map(([type, value]) => ({ type, value })),
          },
        ],
      },
    ],
  };
  const body =
    opts.body?.trim() ||
    [
      `# ${record.model} v${record.version}`,
      '',
      record.description ?? spec.description ?? `A ${spec.task} model.`,
      '',
      `- Created ${record.created} by ${record.created_by}`,
      `- Primary metric: ${spec.primary_metric.name} (${spec.primary_metric.direction}) = ${record.metrics[spec.primary_metric.name] ?? 'not recorded'}`,
      `- Artifacts: ${record.artifacts.map((a) => `${a.path} (sha256 ${a.sha256.slice(0, 12)})`).join(', ') || 'none'}`,
    ].join('\n');
  return `---\n${stringify(front)}---\n\n${body}\n`;
}

/** Parse a card's front matter and body; the front matter must be YAML with a valid `model-index` if present. */
export function parseModelCard(text: string, path: string): ModelCard {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!m) throw new UsageError(`${path}: model card has no front matter: expected a '---' YAML block first.`);
  const fm = (parseYaml(m[1], path) ?? {}) as Record<string, unknown>;
  if (typeof fm !== 'object' || Array.isArray(fm)) {
    throw new UsageError(`${path}: front matter is not a mapping: expected YAML key: value pairs.`);
  }
  const metrics: Record<string, number> = {};
  const index = fm['model-index'];
  if (index !== undefined) {
    const first = Array.isArray(index) ? (index[0] as Record<string, unknown>) : undefined;
    const results = first?.results;
    if (!Array.isArray(results)) {
      throw new UsageError(`${path}: model-index is not valid: expected a list of { name, results: [...] }.`);
    }
    for (const r of results as Record<string, unknown>[]) {
      for (const mt of (r.metrics ?? []) as { type?: unknown; value?: unknown }[]) {
        metrics[String(mt.type)] = mt.value as number;
      }
    }
    validateMetrics(metrics, path);
  }
  return { frontMatter: fm, metrics, body: m[2] };
}
