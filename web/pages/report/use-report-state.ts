import { useEffect, useState } from 'react';

export type ReportLang = 'en' | 'es';

const PATH = '/report';

function langOf(value: string | null): ReportLang | undefined {
  return value === 'en' || value === 'es' ? value : undefined;
}

/**
 * The session and language shown, kept in the URL (`?session=…&lang=es`) so a reload or a shared link shows the same
 * report. Without `lang` the server's own default (`--lang`) decides. The URL is replaced, not pushed: Back leaves the page.
 */
export function useReportState() {
  const [initial] = useState(() => new URLSearchParams(window.location.search));
  const [session, setSession] = useState(initial.get('session') || 'latest');
  const [lang, setLang] = useState<ReportLang | undefined>(langOf(initial.get('lang')));

  useEffect(() => {
    // The page may be on its way out (navigate() already moved on): never write another page's URL.
    if (window.location.pathname.replace(/\/+$/, '') !== PATH) return;
    const params = new URLSearchParams();
    if (session !== 'latest') params.set('session', session);
    if (lang) params.set('lang', lang);
    const search = params.toString() ? `?${params}` : '';
    if (window.location.search === search) return;
    window.history.replaceState(window.history.state, '', `${PATH}${search}${window.location.hash}`);
  }, [session, lang]);

  return { session, setSession, lang, setLang };
}

/** The language a report file is in, read from the server's file name (`….es.md`): what the server chose by default. */
export function langOfFilename(filename: string | null | undefined): ReportLang | undefined {
  const match = filename && /\.(en|es)\.md$/.exec(filename);
  return match ? langOf(match[1]) : undefined;
}
