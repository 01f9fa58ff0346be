import { useState, type MouseEvent } from 'react';
import { getText, useReport } from '../../api/backups.js';
import { isApiError } from '../../api/client.js';
import { useJournal } from '../../api/deletions.js';
import { navigate } from '../../router.js';
import { ReportArticle } from './ReportArticle.js';
import { ReportControls } from './ReportControls.js';
import { langOfFilename, useReportState, type ReportLang } from './use-report-state.js';
import styles from './ReportPage.module.css';

/** The session id inside the server's file name `checkpoint-cleanup-report-<id>.<lang>.md`. */
function sessionOfFilename(filename: string | null | undefined): string | undefined {
  return (filename && /^checkpoint-cleanup-report-(.+)\.(?:en|es)\.md$/.exec(filename)?.[1]) || undefined;
}

/** Hands text to the browser's download machinery under `filename`; nothing leaves the machine. */
function saveText(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/markdown;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download in some browsers; a minute later nothing needs the URL.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The Markdown report of a cleanup session, rendered, in English or Spanish, with the file to keep. */
export function ReportPage() {
  const state = useReportState();
  const journal = useJournal();
  const sessions = journal.data?.sessions;
  // A new deletion changes the newest session: part of the report's key, so the report follows it.
  const stamp = sessions?.[0]?.endedAt ?? 0;
  const report = useReport(state.session, state.lang, stamp);
  const file = report.data;
  const shownLang: ReportLang = state.lang ?? langOfFilename(file?.filename) ?? 'en';
  const [download, setDownload] = useState<{ busy: boolean; error?: string }>({ busy: false });

  const onDownload = async () => {
    setDownload({ busy: true });
    try {
      // The shown session by its id, so "latest" cannot turn into a newer session between reading and saving.
      const session = sessionOfFilename(file?.filename) ?? state.session;
      const fresh = await getText('/api/report', { session, lang: shownLang });
      saveText(fresh.filename ?? `checkpoint-cleanup-report-${session}.${shownLang}.md`, fresh.text);
      setDownload({ busy: false });
    } catch (err) {
      setDownload({ busy: false, error: (err as Error).message });
    }
  };

  const noSession = isApiError(report.error, 404) && report.error.code === 'NO_SESSION';

  return (
    <div className={styles.page}>
      <div className={styles.top}>
        <h1 className={styles.title}>Report</h1>
        <ReportControls
          lang={shownLang}
          onLang={state.setLang}
          session={state.session}
          sessions={sessions}
          onSession={state.setSession}
          onDownload={file && !report.error ? () => void onDownload() : undefined}
          downloading={download.busy}
        />
      </div>
      <p className={styles.lede}>
        What one cleanup session freed and what it kept, with the seed report&rsquo;s sections: the same Markdown you can
        download and keep next to the project.
      </p>
      {download.error && (
        <p role="alert" className={styles.error}>
          Could not download the report: {download.error}
        </p>
      )}
      {noSession ? (
        <NoSession session={state.session} onLatest={() => state.setSession('latest')} />
      ) : report.error ? (
        <div role="alert" className={styles.error}>
          Could not load the report: {report.error.message}{' '}
          <button type="button" className={styles.retry} onClick={() => void report.refetch()}>
            Try again
          </button>
        </div>
      ) : file ? (
        <ReportArticle markdown={file.text} lang={shownLang} stale={report.isPlaceholderData || report.isFetching} />
      ) : (
        <p role="status" className={styles.loading}>
          Loading the report…
        </p>
      )}
    </div>
  );
}

function goTo(path: '/cleanup') {
  return (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(path);
  };
}

function NoSession({ session, onLatest }: { session: string; onLatest: () => void }) {
  if (session !== 'latest') {
    return (
      <section className={styles.empty} aria-labelledby="report-empty">
        <h2 id="report-empty">No cleanup session {session}</h2>
        <p>The journal has no session with this id; it may come from an older link.</p>
        <button type="button" className={styles.retry} onClick={onLatest}>
          Show the latest session
        </button>
      </section>
    );
  }
  return (
    <section className={styles.empty} aria-labelledby="report-empty">
      <h2 id="report-empty">No cleanup yet</h2>
      <p>
        The report covers a cleanup session: the deletions approved one after another, with no gap over an hour. Once
        something has been deleted, its report appears here, in English or Spanish.
      </p>
      <p>
        <a href="/cleanup" onClick={goTo('/cleanup')}>
          Go to Cleanup
        </a>{' '}
        to see what a policy would free.
      </p>
    </section>
  );
}
