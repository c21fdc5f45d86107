import { describe, expect, it } from 'vitest';
import {
  details,
  escapeCell,
  escapeText,
  GITHUB_BODY_LIMIT,
  table,
  truncate,
} from '../../github/markdown.ts';

const HOSTILE = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '![beacon](https://evil.example/p.png)',
  '[click](javascript:alert(1))',
  'a|b||c',
  '@octocat please look',
  '@octo-org/admins',
  '`rm -rf /`',
  '```\ncode\n```',
  '**bold** _it_ ~~s~~',
  '# heading',
  '<!-- mlops:evaluate:churn -->',
  'line1\nline2\r\nline3',
  '&lt;already&gt; &amp;',
  'https://evil.example/track.gif',
  '\\|escaped pipe',
  '<details open><summary>x</summary>',
  ':+1: #123',
];

/** Markdown constructs that must not survive in escaped user text. */
function unsafe(md: string): string[] {
  const found: string[] = [];
  if (/[<>]/.test(md)) found.push('raw < or >');
  if (/(^|[^\\])(\\\\)*\|/.test(md)) found.push('unescaped |');
  if (/(^|[^\\])(\\\\)*`/.test(md)) found.push('unescaped backtick');
  if (/@\w/.test(md)) found.push('@mention');
  if (/(^|[^\\])(\\\\)*!(\\\\)*\[/.test(md) || /(^|[^\\])\]\(/.test(md)) found.push('link or image');
  if (/[\r\n]/.test(md)) found.push('line break');
  if (/https?:\/\//.test(md)) found.push('autolink');
  return found;
}

describe('escapeText', () => {
  it.each(HOSTILE)('escapeText renders %j as plain text', (text) => {
    expect(unsafe(escapeText(text))).toEqual([]);
    expect(unsafe(escapeCell(text))).toEqual([]);
  });

  it('escapeText keeps ordinary names readable', () => {
    expect(escapeText('churn_v7 roc auc')).toBe('churn\\_v7 roc auc');
    expect(escapeText('a|b')).toBe('a\\|b');
    expect(escapeText('@alice')).toBe('@&#8203;alice');
  });
});

describe('table and details', () => {
  it('table keeps one cell per column whatever the user text', () => {
    const t = table(
      ['metric', 'value'],
      [
        ['a|b\nc', 1],
        [null, '<b>x</b>'],
      ],
    );
    const rows = t.split('\n');
    expect(rows).toHaveLength(4);
    for (const r of rows) expect(r.split(/(?<!\\)\|/).length - 2).toBe(2);
    expect(t).toContain('| — |');
  });

  it('details escapes the summary and keeps the body', () => {
    expect(details('<x>', '| a |')).toBe('<details><summary>&lt;x&gt;</summary>\n\n| a |\n\n</details>');
  });
});

describe('truncate', () => {
  it('truncate leaves short bodies alone and cuts long ones to the limit with a note and link', () => {
    expect(truncate('short')).toEqual({ text: 'short', truncated: false });
    const r = truncate('z'.repeat(100_000), { fullReportUrl: 'https://example.com/run/1' });
    expect(r.truncated).toBe(true);
    expect(r.text.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(r.text).toMatch(
      /cut to fit GitHub's 65536-character limit\. See the \[full report\]\(https:\/\/example\.com\/run\/1\)\./,
    );
  });

  it('truncate never splits a surrogate pair', () => {
    const r = truncate('😀'.repeat(100), { limit: 151 });
    expect(r.text.length).toBeLessThanOrEqual(151);
    expect(r.text).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});
