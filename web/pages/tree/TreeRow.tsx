import type { Entry, SortKey } from '../../../shared/schemas/index.js';
import { LockIcon } from '../../components/LockIcon.js';
import { formatAge, formatBytes, formatCount, formatDateTime, formatPercent } from '../../format.js';
import type { Row } from './tree-layout.js';
import styles from './TreeRow.module.css';

interface Props {
  row: Row;
  sort: SortKey;
  top: number;
  height: number;
  /** Why the row's page could not be loaded (it is retried when it comes into view again). */
  loadError: Error | null;
  selected: boolean;
  onSelect: (path: string) => void;
  onOpen: (path: string, open: boolean) => void;
}

/** Tags worth a glance in the row itself; the details pane lists them all. */
const ROW_TAGS = new Set(['critical', 'historical', 'resume', 'corrupt', 'truncated', 'writing', 'unsafe-pickle']);

function Icon({ kind }: { kind: Entry['kind'] }) {
  if (kind === 'dir') {
    return (
      <svg viewBox="0 0 16 16" className={styles.icon} data-kind="dir" aria-hidden="true">
        <path d="M1.5 3.5h4.2l1.5 1.5h7.3v8.5h-13z" />
      </svg>
    );
  }
  if (kind === 'symlink') {
    return (
      <svg viewBox="0 0 16 16" className={styles.icon} data-kind="symlink" aria-hidden="true">
        <path d="M3 13c0-5 3-7 8-7M8.5 3l3 3-3 3" fill="none" />
      </svg>
    );
  }
  return (
    <svg viewBox="0 0 16 16" className={styles.icon} data-kind="file" aria-hidden="true">
      <path d="M3.5 1.5h6l3 3v10h-9z" />
    </svg>
  );
}

export function TreeRow({ row, sort, top, height, loadError, selected, onSelect, onOpen }: Props) {
  const position = { transform: `translateY(${top}px)`, height };
  const level = row.folder.depth;
  if (row.kind === 'loading' || !row.entry) {
    return (
      <div role="row" aria-rowindex={row.flat + 2} aria-level={level} className={styles.row} style={position}>
        <div role="gridcell" className={styles.placeholder} data-error={loadError ? true : undefined} style={{ paddingLeft: indent(level) }}>
          {loadError ? `Could not load this part of the folder: ${loadError.message}` : 'Loading…'}
        </div>
      </div>
    );
  }

  const { entry, open } = row;
  const expandable = entry.kind === 'dir' && entry.children !== 0;
  const useDisk = sort === 'disk';
  const part = useDisk ? entry.diskBytes : entry.bytes;
  const whole = useDisk ? row.folder.diskBytes : row.folder.bytes;
  const share = whole > 0 ? Math.min(100, (part / whole) * 100) : 0;
  const folderPath = row.folder.path;
  // A filtered listing can return entries from deeper folders: show where they live.
  const parent = entry.path.slice(0, Math.max(0, entry.path.length - entry.name.length - 1));
  const where = parent !== folderPath ? parent.slice(folderPath ? folderPath.length + 1 : 0) : '';
  const chips = entry.tags.filter((t) => ROW_TAGS.has(t)).slice(0, 3);

  return (
    <div
      role="row"
      id={`tree-row-${row.flat}`}
      aria-rowindex={row.flat + 2}
      aria-level={level}
      aria-expanded={expandable ? open !== undefined : undefined}
      aria-selected={selected}
      // Rows from deeper folders (a filtered listing) are named with their place, or four would all read "final_model.pt".
      aria-label={where ? `${where}/${entry.name}` : entry.name}
      className={styles.row}
      data-selected={selected || undefined}
      style={position}
      onClick={() => onSelect(entry.path)}
      onDoubleClick={() => expandable && onOpen(entry.path, open === undefined)}
    >
      <div role="gridcell" className={styles.name} style={{ paddingLeft: indent(level) }}>
        <span
          className={styles.twisty}
          data-open={open !== undefined || undefined}
          aria-hidden="true"
          onClick={(e) => {
            if (!expandable) return;
            e.stopPropagation();
            onSelect(entry.path);
            onOpen(entry.path, open === undefined);
          }}
        >
          {expandable ? '▸' : ''}
        </span>
        <Icon kind={entry.kind} />
        <span className={styles.label} data-error={entry.error ? true : undefined} title={entry.error ?? entry.path}>
          {where && <span className={styles.where}>{where}/</span>}
          {entry.name}
        </span>
        {entry.kind === 'symlink' && entry.target !== undefined && <span className={styles.target}>→ {entry.target}</span>}
        {entry.protected && <LockIcon label="Protected" className={styles.lock} />}
        {entry.error && (
          <span className={styles.errorMark} title={entry.error}>
            !
          </span>
        )}
        {chips.map((t) => (
          <span key={t} className={styles.chip} data-tag={t}>
            {t}
          </span>
        ))}
      </div>
      <div role="gridcell" className={styles.num}>
        {formatBytes(entry.bytes)}
      </div>
      <div role="gridcell" className={styles.bar} title={`${formatPercent(part, whole)} of the folder`}>
        <span className={styles.track}>
          <span className={styles.fill} style={{ width: `${share}%` }} />
        </span>
        <span className={styles.pct}>{formatPercent(part, whole)}</span>
      </div>
      <div role="gridcell" className={styles.num}>
        {formatBytes(entry.diskBytes)}
      </div>
      <div role="gridcell" className={styles.num}>
        {entry.kind === 'dir' ? formatCount(entry.files) : ''}
      </div>
      <div role="gridcell" className={styles.num} title={formatDateTime(entry.mtimeMs)}>
        {formatAge(entry.mtimeMs)}
      </div>
    </div>
  );
}

function indent(level: number): number {
  return 8 + (level - 1) * 18;
}
