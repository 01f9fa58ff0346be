import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { Summary } from '../../shared/schemas/index.js';
import { stillReading, useHistory, useSummary } from '../api/hooks.js';
import { DEFAULT_TREE_VIEW, keys, type HistoryRange } from '../api/keys.js';
import { useTree } from '../api/tree-pages.js';
import { formatBytes, formatCount, formatDateTime, formatPercent } from '../format.js';
import { navigate } from '../router.js';
import { ForecastPanel } from './overview/ForecastPanel.js';
import { TagBreakdown } from './overview/TagBreakdown.js';
import { TopRuns } from './overview/TopRuns.js';
import { UsagePanel } from './overview/UsagePanel.js';
import styles from './OverviewPage.module.css';

function share(part: number, whole: number): number {
  return whole > 0 ? Math.min(100, Math.max(0, (part / whole) * 100)) : 0;
}

/**
 * The server records a usage sample at most every 5 s after a change; asking this long after the
 * root's total moved finds it there.
 */
const FOLLOW_DELAY_MS = 6_000;

/**
 * Refetches the history soon after the live root total (pushed by events) differs from the
 * chart's newest sample, so the chart follows a training run instead of waiting for its slow poll.
 * A throttle, not a debounce: a run that keeps writing must not keep postponing it.
 */
function useFollowHistory(liveBytes: number | undefined, chartBytes: number | undefined, chartUpdatedAt: number) {
  const queryClient = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const behind = liveBytes !== undefined && chartBytes !== undefined && liveBytes !== chartBytes;
  // Looked at again after every fetch: a sample that landed just after one is fetched by the next.
  useEffect(() => {
    if (!behind || timer.current !== undefined) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      void queryClient.invalidateQueries({ queryKey: keys.historyAll });
    }, FOLLOW_DELAY_MS);
  }, [behind, liveBytes, chartUpdatedAt, queryClient]);
  useEffect(
    () => () => {
      clearTimeout(timer.current);
      timer.current = undefined;
    },
    [],
  );
}

export function OverviewPage() {
  const { data: summary } = useSummary();
  const [range, setRange] = useState<HistoryRange>('24h');
  // The same query as the chart's: the forecast rides along with every range.
  const { data: history, dataUpdatedAt } = useHistory(range);
  useFollowHistory(summary?.totals.bytes, history?.samples.at(-1)?.bytes, dataUpdatedAt);
  if (!summary) return <p className={styles.muted}>Loading…</p>;
  const { totals, filesystem: fs } = summary;
  const used = fs.totalBytes - fs.availBytes;

  return (
    <div className={styles.page}>
      <h1 className={styles.title}>Overview</h1>
      <ScanStatus scan={summary.scan} />
      <div className={styles.cards}>
        <Card label="Checkpoints folder" value={formatBytes(totals.bytes)}>
          {formatBytes(totals.diskBytes)} on disk
        </Card>
        <Card label="Files" value={formatCount(totals.files)}>
          in {formatCount(totals.dirs)} folders
        </Card>
        <Card label="Models" value={formatCount(summary.models.total)}>
          {summary.models.read < summary.models.total
            ? `${formatCount(summary.models.read)} read so far`
            : 'all read'}
        </Card>
        <Card label="Filesystem free" value={formatBytes(fs.availBytes)}>
          of {formatBytes(fs.totalBytes)} · {formatPercent(used, fs.totalBytes)} used
          <span className={styles.meter} aria-hidden="true">
            <span style={{ width: `${share(used, fs.totalBytes)}%` }} />
          </span>
        </Card>
      </div>
      {history && <ForecastPanel forecast={history.forecast} range={range} />}
      <UsagePanel range={range} onRangeChange={setRange} fsTotal={fs.totalBytes} />
      <div className={styles.columns}>
        <TopRuns reading={stillReading(summary)} />
        <div className={styles.stack}>
          <TagBreakdown tags={summary.tags} />
          <Largest total={totals.bytes} />
        </div>
      </div>
      <p>
        <a
          href="/tree"
          onClick={(e) => {
            e.preventDefault();
            navigate('/tree');
          }}
        >
          Browse the tree by size →
        </a>
      </p>
    </div>
  );
}

function Card({ label, value, children }: { label: string; value: string; children: ReactNode }) {
  return (
    <section className={styles.card} aria-label={label}>
      <h2 className={styles.cardLabel}>{label}</h2>
      <p className={styles.cardValue}>{value}</p>
      <p className={styles.cardDetail}>{children}</p>
    </section>
  );
}

function ScanStatus({ scan }: { scan: Summary['scan'] }) {
  if (scan.state === 'scanning') {
    return (
      <div className={styles.scan} role="status">
        <span className={styles.spinner} aria-hidden="true" />
        <span>
          Scanning… {formatCount(scan.entries)} entries
          {scan.bytes !== undefined && `, ${formatBytes(scan.bytes)}`} so far
        </span>
      </div>
    );
  }
  const took =
    scan.startedAt !== undefined && scan.finishedAt !== undefined
      ? ` in ${((scan.finishedAt - scan.startedAt) / 1000).toFixed(1)} s`
      : '';
  return (
    <p className={styles.scanDone} role="status">
      Scan complete: {formatCount(scan.entries)} entries{took}
      {scan.finishedAt !== undefined && `, ${formatDateTime(scan.finishedAt)}`}
      {scan.errors ? ` · ${formatCount(scan.errors)} could not be read` : ''}. Changes since are followed live.
    </p>
  );
}

/** How many top-level entries the overview names; the tree has the rest. */
const LARGEST_COUNT = 8;

function Largest({ total }: { total: number }) {
  const { firstPage } = useTree('', DEFAULT_TREE_VIEW);
  const rows = (firstPage ?? []).slice(0, LARGEST_COUNT);
  if (rows.length === 0) return null;
  return (
    <section className={styles.panel} aria-labelledby="largest-title">
      <h2 id="largest-title" className={styles.sectionTitle}>
        Largest at the top level
      </h2>
      <table className={styles.table}>
        <tbody>
          {rows.map((e) => (
            <tr key={e.path}>
              <th scope="row" className={styles.name}>
                {e.name}
                {e.kind === 'dir' && '/'}
              </th>
              <td className={styles.num}>{formatBytes(e.bytes)}</td>
              <td className={styles.barCol}>
                <span className={styles.meter} title={formatPercent(e.bytes, total)}>
                  <span style={{ width: `${share(e.bytes, total)}%` }} />
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
