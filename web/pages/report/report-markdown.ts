// The report is Markdown written by our server, but it quotes file names, and
// file names are user data: raw HTML is off (escaped, never rendered), links
// are not guessed from text, and images are not rendered at all, so nothing in
// a report can load or run anything.
import MarkdownIt from 'markdown-it';

/** The class the scroll wrappers carry; ReportArticle.module.css styles it under the article. */
export const SCROLL_CLASS = 'md-scroll';

function createRenderer(): MarkdownIt {
  // breaks: the report is written line by line ("**Date**: …" then "**Session**: …"), as the seed reads in a terminal.
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: true });
  md.disable(['image']);
  const rules = md.renderer.rules;
  const fallback: NonNullable<typeof rules.fence> = (tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options);

  // The page has its own h1: the report's headings move down one level so the outline stays one tree.
  const shift: NonNullable<typeof rules.heading_open> = (tokens, idx, options, env, self) => {
    const token = tokens[idx];
    token.tag = `h${Math.min(6, Number(token.tag.slice(1)) + 1)}`;
    return fallback(tokens, idx, options, env, self);
  };
  rules.heading_open = shift;
  rules.heading_close = shift;

  // Wide tables and long trees scroll inside their own box; tabindex lets the keyboard scroll them too.
  rules.table_open = (tokens, idx, options, env, self) => `<div class="${SCROLL_CLASS}" tabindex="0">` + fallback(tokens, idx, options, env, self);
  rules.table_close = (tokens, idx, options, env, self) => fallback(tokens, idx, options, env, self) + '</div>\n';
  for (const name of ['fence', 'code_block'] as const) {
    const original = rules[name] ?? fallback;
    rules[name] = (tokens, idx, options, env, self) => original(tokens, idx, options, env, self).replace(/^<pre>/, '<pre tabindex="0">');
  }

  const linkOpen = rules.link_open ?? fallback;
  rules.link_open = (tokens, idx, options, env, self) => {
    tokens[idx].attrSet('rel', 'noopener noreferrer');
    return linkOpen(tokens, idx, options, env, self);
  };
  return md;
}

let renderer: MarkdownIt | undefined;

/** HTML for the report's Markdown; safe to insert, see the note at the top of this file. */
export function renderReportHtml(markdown: string): string {
  renderer ??= createRenderer();
  return renderer.render(markdown);
}

/** The report's first heading text (its title), for naming the article. */
export function reportTitle(markdown: string): string | undefined {
  return /^#\s+(.+)$/m.exec(markdown)?.[1]?.trim();
}
