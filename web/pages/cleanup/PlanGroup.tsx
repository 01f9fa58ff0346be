import { Fragment, useMemo, useState } from 'react';
import type { PlanItem } from '../../../shared/schemas/index.js';
import { formatBytes, formatCount } from '../../format.js';
import { CategoryActions, type CategoryHandlers } from './CategoryActions.js';
import { ShowMore } from './ShowMore.js';
import { byFolder, categoryLabel, categorySlot, groupDomId, splitPath, type CategoryGroup } from './plan-view.js';
import styles from './PlanGroup.module.css';

/** Rows rendered per step: a conservative plan lists a thousand checkpoints, and nobody reads them all at once. */
const PAGE = 100;

interface Props {
  group: CategoryGroup;
  open: boolean;
  onToggle: () => void;
  handlers: CategoryHandlers;
}

/** A category's items under a collapsible heading; items of one folder are listed under that folder. */
export function PlanGroup({ group, open, onToggle, handlers }: Props) {
  const [shown, setShown] = useState(PAGE);
  const label = categoryLabel(group.category);
  const bodyId = groupDomId(group.category);
  const { ordered, folders } = useMemo(() => byFolder(group.items), [group.items]);
  // Folder rows only help when folders hold several items (intermediates of a run); otherwise full paths read better.
  const foldered = folders.size < group.items.length;
  const rows = (foldered ? ordered : group.items).slice(0, shown);

  return (
    <section className={styles.group} aria-labelledby={`${bodyId}-heading`}>
      <div className={styles.head}>
        <h3 id={`${bodyId}-heading`} className={styles.heading}>
          <button type="button" className={styles.toggle} aria-expanded={open} aria-controls={open ? bodyId : undefined} onClick={onToggle}>
            <span className={styles.chevron} aria-hidden="true" />
            <span className={styles.swatch} style={{ background: `var(--cat-${categorySlot(group.category)})` }} aria-hidden="true" />
            {label}
          </button>
        </h3>
        <span className={styles.meta}>
          {formatCount(group.items.length)} {group.items.length === 1 ? 'item' : 'items'} · {formatBytes(group.bytes)} ·{' '}
          {formatBytes(group.diskBytes)} on disk · {formatCount(group.files)} {group.files === 1 ? 'file' : 'files'}
          {group.warned > 0 && <span className={styles.warnedCount}> · ⚠ {formatCount(group.warned)} with warnings</span>}
        </span>
        <CategoryActions group={group} handlers={handlers} />
      </div>
      {open && (
        <div id={bodyId} className={styles.body}>
          {group.rule && (
            <p className={styles.groupRule}>
              <span className={styles.ruleLabel}>Rule</span> {group.rule}
            </p>
          )}
          <table className={styles.table} data-foldered={foldered || undefined} aria-label={`${label}: items`}>
            <thead>
              <tr>
                <th scope="col">Path</th>
                <th scope="col">Reason</th>
                <th scope="col" className={styles.num}>
                  Files
                </th>
                <th scope="col" className={styles.num}>
                  Size
                </th>
                <th scope="col" className={styles.num}>
                  On disk
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((it, i) => {
                const { dir } = splitPath(it.path);
                const folderRow = foldered && (i === 0 || splitPath(rows[i - 1].path).dir !== dir);
                const folder = folders.get(dir);
                return (
                  <Fragment key={it.path}>
                    {folderRow && folder && (
                      <tr className={styles.folder}>
                        <th scope="colgroup" colSpan={5}>
                          <span className={dir ? styles.folderPath : styles.folderTop}>{dir || 'Top level of the checkpoints folder'}</span>
                          <span className={styles.folderMeta}>
                            {formatCount(folder.count)} {folder.count === 1 ? 'item' : 'items'} · {formatBytes(folder.bytes)}
                          </span>
                        </th>
                      </tr>
                    )}
                    <ItemRow item={it} groupRule={group.rule} nameOnly={foldered} />
                  </Fragment>
                );
              })}
            </tbody>
          </table>
          <ShowMore shown={rows.length} total={group.items.length} page={PAGE} onShow={setShown} what={label.toLowerCase()} />
        </div>
      )}
    </section>
  );
}

function ItemRow({ item, groupRule, nameOnly }: { item: PlanItem; groupRule?: string; nameOnly: boolean }) {
  const { dir, name } = splitPath(item.path);
  const suffix = item.kind === 'dir' ? '/' : item.kind === 'symlink' ? ' (link)' : '';
  return (
    <tr aria-label={item.path} className={item.warnings.length > 0 ? styles.warnedRow : undefined}>
      <td className={styles.path} title={item.path}>
        {!nameOnly && dir && <span className={styles.dir}>{dir}</span>}
        <span className={styles.name}>
          {name}
          {suffix}
        </span>
      </td>
      <td className={styles.why}>
        <div className={styles.reason}>{item.reason}</div>
        {item.rule && item.rule !== groupRule && (
          <div className={styles.rule}>
            <span className={styles.ruleLabel}>Rule</span> {item.rule}
          </div>
        )}
        {item.warnings.length > 0 && (
          <ul className={styles.warnings} aria-label="Warnings">
            {item.warnings.map((w) => (
              <li key={w}>
                <span className={styles.icon} aria-hidden="true">
                  ⚠
                </span>
                {w}
              </li>
            ))}
          </ul>
        )}
      </td>
      <td className={styles.num}>{formatCount(item.files)}</td>
      <td className={styles.num}>{formatBytes(item.bytes)}</td>
      <td className={styles.num}>{formatBytes(item.diskBytes)}</td>
    </tr>
  );
}
