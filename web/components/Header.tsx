import type { Summary } from '../../shared/schemas/index.js';
import type { ConnectionStatus } from '../api/server-events.js';
import { formatBytes } from '../format.js';
import { navigate, ROUTES, useRoute } from '../router.js';
import styles from './Header.module.css';

interface Props {
  summary: Summary | undefined;
  connection: ConnectionStatus;
}

const CONNECTION_LABEL: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
};

export function Header({ summary, connection }: Props) {
  const route = useRoute();
  const fs = summary?.filesystem;

  return (
    <header className={styles.header}>
      <div className={styles.top}>
        <div className={styles.identity}>
          <span className={styles.brand}>ckptdash</span>
          {summary?.demo && (
            <span className={styles.demo} title="A generated demo project: sparse files, nothing real is at stake">
              demo
            </span>
          )}
          {summary && (
            // The marks keep a leading "/" in place inside the right-to-left ellipsis box.
            <span className={styles.root} title={`Root: ${summary.root}`}>
              {`\u200e${summary.root}\u200e`}
            </span>
          )}
        </div>
        <div className={styles.status}>
          {fs && fs.totalBytes > 0 && (
            <span className={styles.fs} title="The filesystem that holds the root">
              <strong>{formatBytes(fs.availBytes)}</strong> free of {formatBytes(fs.totalBytes)}
              <span className={styles.fsBar} aria-hidden="true">
                <span style={{ width: `${Math.min(100, (1 - fs.availBytes / fs.totalBytes) * 100)}%` }} />
              </span>
            </span>
          )}
          <span className={styles.connection} data-state={connection} role="status" aria-label="Server connection">
            <span className={styles.dot} aria-hidden="true" />
            {CONNECTION_LABEL[connection]}
          </span>
        </div>
      </div>
      <nav className={styles.nav} aria-label="Pages">
        {ROUTES.map((r) => (
          <a
            key={r.path}
            href={r.path}
            className={styles.link}
            aria-current={route === r.path ? 'page' : undefined}
            onClick={(e) => {
              // Let the browser handle new-tab and new-window clicks.
              if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
              e.preventDefault();
              navigate(r.path);
            }}
          >
            {r.label}
          </a>
        ))}
      </nav>
    </header>
  );
}
