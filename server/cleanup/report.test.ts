import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { code, renderReport, type ReportInput } from './report.js';

const entry = (path: string, category = 'debug') => ({
  id: 1,
  t: Date.parse('2026-01-20T10:00:00Z'),
  session: 's',
  path,
  category,
  bytes: 10,
  diskBytes: 10,
  files: 1,
  result: 'deleted' as const,
  freedBytes: 10,
  freedDiskBytes: 10,
  deletedFiles: 1,
});

function input(paths: string[]): ReportInput {
  return {
    lang: 'en',
    session: { id: 's', startedAt: Date.parse('2026-01-20T10:00:00Z'), endedAt: Date.parse('2026-01-20T10:00:00Z'), entries: paths.map((p) => entry(p)) },
    afterBytes: 100,
    critical: [],
    historical: [],
    resume: [],
    integrity: [],
    optional: [],
    structure: paths.map((p) => ({ path: `kept/${p}`, bytes: 1, tags: [] })),
    stale: [],
  };
}

describe('the report with hostile file names', () => {
  it('a name can neither leave its code span nor its line', () => {
    expect(code('plain.pt')).toBe('`plain.pt`');
    expect(code('a`b.pt')).toBe('``a`b.pt``');
    expect(code('`x`')).toBe('`` `x` ``');
    expect(code('two\nlines.pt')).toBe('`two\\nlines.pt`');
  });

  it('renders names with backticks, fences, newlines and HTML as plain text', () => {
    const evil = ['debug_`<img src=x onerror=alert(1)>`', 'fence```\n# Heading.pt', 'a\r\n- item.pt'];
    const md = renderReport(input(evil));
    const html = new MarkdownIt({ html: false }).render(md);
    expect(html).not.toContain('<img');
    // Each hostile name is one code span; no heading or list item came out of a name.
    expect(html.match(/<h1>/g)).toHaveLength(1);
    for (const name of ['debug_`&lt;img src=x onerror=alert(1)&gt;`', 'fence```\\n# Heading.pt']) expect(html).toContain(name);
  });
});
