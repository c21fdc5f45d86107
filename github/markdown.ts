/**
 * Markdown helpers for everything the toolkit posts (comments, issues, check runs, job summaries).
 * User-controlled text (model, metric and column names, commit messages, notes) goes through `escapeText` or
 * `escapeCell` so that it renders as plain text: no raw HTML, no table breakage, no `@mention` pings, no links or
 * image beacons.
 */

/** GitHub's limit on a comment or issue body, in characters. */
export const GITHUB_BODY_LIMIT = 65_536;

/** GitHub's limit on a check run's summary or text, in characters. */
export const CHECK_TEXT_LIMIT = 65_535;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * Escape user text for inline Markdown: HTML special characters become entities, Markdown punctuation is
 * backslash-escaped (so no emphasis, code, link, image or heading), and `@`/`#` get a zero-width space after them
 * so that they neither mention anyone nor link an issue. Line breaks become spaces.
 */
export function escapeText(text: string): string {
  return String(text)
    .replace(/\r\n?|\n/g, ' ')
    .replace(/[&<>"]/g, (c) => ENTITIES[c] ?? c)
    .replace(/[\\`*_{}[\]()#+\-.!|~=:]/g, (c) => `\\${c}`)
    .replace(/@/g, '@&#8203;')
    .replace(/\\#/g, '\\#&#8203;');
}

/** Escape user text for one cell of a GFM table (pipes escaped, line breaks removed, never empty). */
export function escapeCell(text: string): string {
  const escaped = escapeText(text);
  return escaped === '' ? ' ' : escaped;
}

/** A GFM table from a header row and body rows; every cell is escaped unless `raw` is set (cells you built). */
export function table(
  header: string[],
  rows: (string | number | null | undefined)[][],
  opts: { raw?: boolean } = {},
) {
  const cell = (v: string | number | null | undefined) =>
    v === null || v === undefined ? '—' : opts.raw ? String(v) : escapeCell(String(v));
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header.map(cell)), line(header.map(() => '---')), ...rows.map((r) => line(r.map(cell)))].join(
    '\n',
  );
}

/** A collapsible `<details>` block; `summary` is user text and is escaped, `body` is Markdown you built. */
export function details(summary: string, body: string, opts: { open?: boolean } = {}): string {
  return `<details${opts.open ? ' open' : ''}><summary>${escapeText(summary)}</summary>\n\n${body}\n\n</details>`;
}

/**
 * Cut `body` so that it fits in `limit` characters, ending with a note (and a link to the full report when
 * `fullReportUrl` is given). Bodies that fit are returned unchanged. The cut never splits a surrogate pair.
 */
export function truncate(
  body: string,
  opts: { limit?: number; fullReportUrl?: string; what?: string } = {},
): { text: string; truncated: boolean } {
  const limit = opts.limit ?? GITHUB_BODY_LIMIT;
  if (body.length <= limit) return { text: body, truncated: false };
  const link = opts.fullReportUrl ? ` See the [full report](${encodeURI(opts.fullReportUrl)}).` : '';
  const note = `\n\n---\n> [!NOTE]\n> This ${opts.what ?? 'report'} was cut to fit GitHub's ${limit}-character limit.${link}\n`;
  let cut = Math.max(0, limit - note.length);
  const code = body.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return { text: body.slice(0, cut) + note, truncated: true };
}
