import { Marked } from 'marked';
import { describe, expect, it } from 'vitest';
import { escapeText, table } from '../../github/markdown.ts';

/** User text an attacker controls: model, metric and column names, commit messages, notes. */
const HOSTILE = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<a href="https://evil.example">x</a>',
  '![beacon](https://evil.example/p.png)',
  '[click](javascript:alert(1))',
  'x](javascript:alert(1))',
  '[ref]: https://evil.example',
  'a|b||c',
  '@octocat please look',
  '@octo-org/admins',
  '`rm -rf /`',
  '```\ncode\n```',
  '**bold** _it_ ~~s~~',
  '# heading',
  '> quote',
  '- item',
  '1. first',
  '<!-- mlops:evaluate:churn -->',
  'line1\nline2\r\nline3',
  '&lt;already&gt; &amp; &#60;b&#62;',
  'https://evil.example/track.gif',
  'www.evil.example',
  'mail@evil.example',
  '<https://evil.example>',
  '\\|escaped pipe',
  '<details open><summary>x</summary>',
  ':+1: #123',
];

const marked = new Marked({ gfm: true, async: false });
const render = (md: string) => marked.parse(md) as string;

/** The tags that escaped user text may produce: the paragraph and table structure around it. */
const STRUCTURE = new Set(['p', 'table', 'thead', 'tbody', 'tr', 'th', 'td']);

function tagsOf(html: string): string[] {
  return [...html.matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map((m) => m[1].toLowerCase());
}

/** The text a reader sees: tags dropped, entities decoded, zero-width spaces removed. */
function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&#(\d+);/g, (_m, n) => String.fromCodePoint(Number(n)))
    .replace(/&(lt|gt|quot|amp);/g, (_m, e) => ({ lt: '<', gt: '>', quot: '"', amp: '&' })[e as 'lt'])
    .replace(/\u200b/g, '')
    .trim();
}

const flat = (text: string) => text.replace(/\r\n?|\n/g, ' ').trim();

describe('escaped Markdown rendered with marked (GFM)', () => {
  it.each(HOSTILE)('escapeText %j renders as plain text: no live tag, link or mention', (text) => {
    const html = render(`Model ${escapeText(text)} is ready.`);
    expect(tagsOf(html).filter((t) => !STRUCTURE.has(t))).toEqual([]);
    expect(visibleText(html)).toBe(`Model ${flat(text)} is ready.`);
    // GitHub links `@login` when a word character follows the `@` directly; the zero-width space prevents it.
    expect(html).not.toMatch(/@[\w-]/);
  });

  it('table keeps two intact cells per row whatever the user text', () => {
    const html = render(
      table(
        ['name', 'value'],
        HOSTILE.map((h) => [h, 'ok']),
      ),
    );
    expect(tagsOf(html).filter((t) => !STRUCTURE.has(t))).toEqual([]);
    const rows = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]);
    expect(rows).toHaveLength(HOSTILE.length + 1);
    rows.slice(1).forEach((row, k) => {
      const cells = [...row.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => visibleText(m[1]));
      expect(cells).toEqual([flat(HOSTILE[k]), 'ok']);
    });
  });

  it('the check can fail: unescaped hostile text renders live tags and links', () => {
    expect(tagsOf(render('x <img src=x onerror=alert(1)> [a](javascript:alert(1)) `c`'))).toEqual(
      expect.arrayContaining(['img', 'code']),
    );
    expect(render('| a | b |\n|---|---|\n| x|y | z |')).toMatch(/<td>x<\/td>\s*<td>y<\/td>/);
  });
});
