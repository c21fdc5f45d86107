/**
 * The one status branch protection requires, `mlops/promotion-gate`: per-model checks exist only on PRs that
 * promote that model, so a ruleset cannot require them; this status is posted on every PR head the gate sees.
 * Success when the PR promotes nothing or every promoted model passed; failure naming the models that did not.
 */
import { escapeText } from '../../../github/markdown.ts';
import type { GateResult } from './gate.ts';

/** The aggregate status's context: the one name a ruleset requires. */
export const AGGREGATE_CONTEXT = 'mlops/promotion-gate';

/** GitHub's limit on a commit status description. */
const LIMIT = 140;

/** The aggregate verdict for one PR head. */
export interface GateAggregate {
  state: 'success' | 'failure';
  /** One line, at most 140 characters. */
  description: string;
  /** The blocked model's check, the PR's checks page when several are blocked, else the run. */
  targetUrl?: string;
  /** Models that did not pass, with the link to their check when known. */
  blocked: { model: string; url?: string }[];
}

/** Inputs of `aggregateGate`. */
export interface AggregateInput {
  results: GateResult[];
  /** model -> its `mlops/promotion-gate (<model>)` check run's page (absent when posted as a status). */
  checkUrls?: Record<string, string | undefined>;
  /** The PR's page (`https://…/pull/N`); its `/checks` tab lists every model's check. */
  prUrl?: string;
  /** The workflow run. */
  detailsUrl?: string;
  /** Set when the gate could not run to the end: the status fails with this reason. */
  error?: string;
}

function clip(text: string): string {
  return text.length <= LIMIT ? text : `${text.slice(0, LIMIT - 1)}…`;
}

/** `Blocked: a, b and 3 more. …` within 140 characters. */
function blockedLine(models: string[]): string {
  const tail =
    models.length === 1
      ? ` See mlops/promotion-gate (${models[0]}).`
      : " See each model's mlops/promotion-gate (<model>) check.";
  for (let shown = models.length; shown >= 1; shown--) {
    const rest = models.length - shown;
    const line = `Blocked: ${models.slice(0, shown).join(', ')}${rest ? ` and ${rest} more` : ''}.${tail}`;
    if (line.length <= LIMIT) return line;
  }
  return clip(`Blocked: ${models.join(', ')}.`);
}

/** Decide the aggregate status from the per-model results (pure). */
export function aggregateGate(input: AggregateInput): GateAggregate {
  const urls = input.checkUrls ?? {};
  const blocked = input.results.filter((r) => !r.passed).map((r) => ({ model: r.model, url: urls[r.model] }));
  if (input.error !== undefined) {
    return {
      state: 'failure',
      description: clip(`The promotion gate could not run: ${input.error}`),
      targetUrl: input.detailsUrl,
      blocked,
    };
  }
  if (blocked.length === 0) {
    const models = input.results.map((r) => r.model);
    return {
      state: 'success',
      description: models.length
        ? clip(`Passed: ${models.join(', ')} may be promoted.`)
        : 'This PR promotes no model: nothing to gate.',
      targetUrl: input.detailsUrl,
      blocked,
    };
  }
  const checksPage =
    input.prUrl && /^https?:\/\//.test(input.prUrl) && blocked.some((b) => b.url)
      ? `${input.prUrl.replace(/\/+$/, '')}/checks`
      : undefined;
  return {
    state: 'failure',
    description: blockedLine(blocked.map((b) => b.model)),
    targetUrl: (blocked.length === 1 ? blocked[0].url : undefined) ?? checksPage ?? input.detailsUrl,
    blocked,
  };
}

/** The aggregate as one Markdown paragraph for the job summary, each blocked model linked to its check. */
export function aggregateSummary(a: GateAggregate): string {
  const head = `**${AGGREGATE_CONTEXT}**: ${a.state}.`;
  if (a.blocked.length === 0) return `${head} ${escapeText(a.description)}`;
  const links = a.blocked.map((b) =>
    b.url && /^https?:\/\//.test(b.url) ? `[${escapeText(b.model)}](${b.url})` : escapeText(b.model),
  );
  return `${head} Blocked: ${links.join(', ')}.`;
}
