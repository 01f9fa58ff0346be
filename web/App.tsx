import { useEffect } from 'react';
import { useAuthState } from './api/auth-state.js';
import { useDeletionJobsFollow } from './api/deletions.js';
import { useSummary } from './api/hooks.js';
import { useServerEvents } from './api/server-events.js';
import { Header } from './components/Header.js';
import { JobsTray } from './components/JobsTray.js';
import { Notices } from './components/Notices.js';
import { ReadOnlyBanner } from './components/ReadOnlyBanner.js';
import { ConfigErrorBanner, RootErrorBanner } from './components/ConfigErrorBanner.js';
import { SignInRequired } from './components/SignInRequired.js';
import { CleanupPage } from './pages/cleanup/CleanupPage.js';
import { BackupsPage } from './pages/backups/BackupsPage.js';
import { HistoryPage } from './pages/history/HistoryPage.js';
import { ModelsPage } from './pages/models/ModelsPage.js';
import { OverviewPage } from './pages/OverviewPage.js';
import { ReportPage } from './pages/report/ReportPage.js';
import { TreePage } from './pages/tree/TreePage.js';
import { ROUTES, useRoute, type RoutePath } from './router.js';
import styles from './App.module.css';

export function App() {
  const auth = useAuthState();
  if (auth === 'required' || auth === 'rejected') return <SignInRequired rejected={auth === 'rejected'} />;
  return <Shell />;
}

function Shell() {
  const summary = useSummary();
  const events = useServerEvents();
  const route = useRoute();
  useDeletionJobsFollow();

  useEffect(() => {
    const label = ROUTES.find((r) => r.path === route)?.label;
    document.title = `${label} · ckptdash${summary.data?.demo ? ' (demo)' : ''}`;
  }, [route, summary.data?.demo]);

  return (
    <div className={styles.shell}>
      <a className={styles.skip} href="#main">
        Skip to content
      </a>
      <Header summary={summary.data} connection={events.status} />
      {summary.data?.readOnly && <ReadOnlyBanner reason={summary.data.readOnlyReason} />}
      {summary.data?.configError && <ConfigErrorBanner error={summary.data.configError} />}
      {summary.data?.scan.rootError && <RootErrorBanner error={summary.data.scan.rootError} />}
      <main id="main" className={styles.main} tabIndex={-1}>
        {summary.error && route !== '/tree' ? (
          <p role="alert" className={styles.error}>
            Could not load the summary: {summary.error.message}
          </p>
        ) : (
          <Page route={route} />
        )}
      </main>
      <aside className={styles.corner} aria-label="Background activity">
        <Notices notices={events.notices} onDismiss={events.dismiss} />
        <JobsTray />
      </aside>
    </div>
  );
}

function Page({ route }: { route: RoutePath }) {
  switch (route) {
    case '/':
      return <OverviewPage />;
    case '/tree':
      return <TreePage />;
    case '/models':
      return <ModelsPage />;
    case '/cleanup':
      return <CleanupPage />;
    case '/history':
      return <HistoryPage />;
    case '/backups':
      return <BackupsPage />;
    case '/report':
      return <ReportPage />;
  }
}
