import { useMemo } from 'react';
import { renderReportHtml, reportTitle } from './report-markdown.js';
import styles from './ReportArticle.module.css';

/** The report as a readable document; `lang` so screen readers and hyphenation use the report's language. */
export function ReportArticle({ markdown, lang, stale }: { markdown: string; lang: string | undefined; stale: boolean }) {
  const html = useMemo(() => renderReportHtml(markdown), [markdown]);
  const title = useMemo(() => reportTitle(markdown), [markdown]);
  return (
    <article
      className={styles.article}
      lang={lang}
      aria-label={title ?? 'Cleanup report'}
      aria-busy={stale}
      data-stale={stale || undefined}
      // Safe: markdown-it runs with raw HTML off and images disabled (see report-markdown.ts).
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
