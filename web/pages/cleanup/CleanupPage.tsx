import { useMemo, useState } from 'react';
import type { Plan, PlanItem } from '../../../shared/schemas/index.js';
import { useSummary } from '../../api/hooks.js';
import { formatBytes, formatCount } from '../../format.js';
import { BackupLink } from '../backups/BackupLink.js';
import { ApprovalQueue } from './ApprovalQueue.js';
import { BulkDeleteDialog } from './BulkDeleteDialog.js';
import type { CategoryHandlers } from './CategoryActions.js';
import { CategorySummary } from './CategorySummary.js';
import { KeptOut } from './KeptOut.js';
import { PlanGroup } from './PlanGroup.js';
import { PolicyPicker } from './PolicyPicker.js';
import { Projection } from './Projection.js';
import { RetentionControls } from './RetentionControls.js';
import { categoryLabel, groupByCategory, groupDomId, POLICIES, sumFiles, type CategoryGroup } from './plan-view.js';
import { useCleanupState } from './use-cleanup-state.js';
import { isScanning, usePlan, usePlanFollowsTree, useRetentionDefaults } from './use-plan.js';
import styles from './CleanupPage.module.css';

/** What the approval queue reviews: the whole plan or one category, as the page showed it when it opened. */
interface QueueScope {
  items: PlanItem[];
  label: string;
}

/**
 * The cleanup plan of a policy: what it would free, item by item, and what it keeps out. The plan only proposes;
 * deleting happens in the approval queue (one item at a time) or a category's confirmation dialog (its whole list).
 */
export function CleanupPage() {
  const state = useCleanupState();
  const plan = usePlan(state.policy, state.overrides);
  const defaults = useRetentionDefaults(state.policy);
  const { data: summary } = useSummary();
  usePlanFollowsTree(plan.dataUpdatedAt);
  const updating = plan.isPlaceholderData || state.pending;
  const groups = useMemo(() => groupByCategory(plan.data?.items ?? []), [plan.data?.items]);
  const [queue, setQueue] = useState<QueueScope | null>(null);
  const [bulk, setBulk] = useState<CategoryGroup | null>(null);
  const policyLabel = POLICIES.find((p) => p.value === state.policy)?.label ?? state.policy;

  // A plan for another policy or retention may still be on screen while the new one loads: nothing starts from it.
  const blocked = summary?.readOnly
    ? 'The server runs read-only: nothing can be deleted.'
    : !plan.data
      ? 'The plan is not ready yet.'
      : updating
        ? 'The plan is being updated; wait a moment.'
        : null;
  const handlers: CategoryHandlers = {
    blocked,
    onReview: (g) => setQueue({ items: g.items, label: `${categoryLabel(g.category)} of the ${policyLabel.toLowerCase()} plan` }),
    onDeleteAll: setBulk,
  };
  const all = groups.flatMap((g) => g.items);

  return (
    <div className={styles.page}>
      <div className={styles.top}>
        <h1 className={styles.title}>Cleanup</h1>
        <BackupLink />
        <button
          type="button"
          className={styles.review}
          disabled={blocked !== null || all.length === 0}
          title={blocked ?? (all.length === 0 ? 'This plan proposes nothing to delete.' : 'Approve or skip every item, one at a time (keys a, s, h)')}
          aria-describedby="cleanup-lede"
          onClick={() => setQueue({ items: all, label: `Every item of the ${policyLabel.toLowerCase()} plan` })}
        >
          Review and delete…
        </button>
      </div>
      <p id="cleanup-lede" className={styles.lede}>
        A policy only proposes: nothing is deleted until you approve it, item by item in the review, or a whole category
        after seeing its full list. Protected models (referenced by a config, tagged critical or historical, or the resume
        point of a run) never become items, and the server checks every deletion again.
      </p>
      {queue && plan.data && (
        <ApprovalQueue
          items={queue.items}
          policy={plan.data.policy}
          overrides={state.overrides}
          scope={queue.label}
          onClose={() => setQueue(null)}
        />
      )}
      {bulk && plan.data && (
        <BulkDeleteDialog category={bulk.category} items={bulk.items} policy={plan.data.policy} onClose={() => setBulk(null)} />
      )}
      <div className={styles.controls}>
        <PolicyPicker value={state.policy} onChange={state.setPolicy} />
        <RetentionControls draft={state.draft} onChange={state.setDraft} defaults={defaults.data} />
      </div>
      {plan.data ? (
        <>
          {plan.error && (
            <p role="alert" className={styles.error}>
              Could not refresh the plan ({plan.error.message}); the numbers below may be out of date.
            </p>
          )}
          <PlanView plan={plan.data} groups={groups} updating={updating} handlers={handlers} />
        </>
      ) : (
        <PlanPending error={plan.error} onRetry={() => void plan.refetch()} />
      )}
    </div>
  );
}

function PlanView({ plan, groups, updating, handlers }: { plan: Plan; groups: CategoryGroup[]; updating: boolean; handlers: CategoryHandlers }) {
  const files = useMemo(() => sumFiles(plan), [plan]);
  // Groups start folded, except those with warnings: those are what must be read before approving anything.
  const [toggled, setToggled] = useState<ReadonlySet<string>>(new Set());
  const isOpen = (category: string, warned: number) => toggled.has(category) !== warned > 0;
  const toggle = (category: string) =>
    setToggled((s) => {
      const next = new Set(s);
      if (!next.delete(category)) next.add(category);
      return next;
    });
  const openAndShow = (category: string) => {
    const g = groups.find((x) => x.category === category);
    if (g && !isOpen(category, g.warned)) toggle(category);
    // After the render that opens it, so the scroll lands on the expanded group.
    requestAnimationFrame(() => {
      const heading = document.getElementById(`${groupDomId(category)}-heading`);
      heading?.querySelector('button')?.focus({ preventScroll: true });
      heading?.scrollIntoView({ block: 'start', behavior: 'smooth' });
    });
  };

  return (
    <>
      <Projection plan={plan} groups={groups} files={files} updating={updating} />
      <CategorySummary groups={groups} freed={plan.totals.bytes} onOpen={openAndShow} handlers={handlers} />
      <section className={styles.items} aria-labelledby="items-title">
        <div className={styles.itemsHead}>
          <h2 id="items-title" className={styles.sectionTitle}>
            Items
          </h2>
          <span className={styles.muted}>
            {formatCount(plan.totals.count)} {plan.totals.count === 1 ? 'item' : 'items'} · {formatBytes(plan.totals.bytes)} ·{' '}
            {formatBytes(plan.totals.diskBytes)} on disk
          </span>
        </div>
        {groups.length === 0 ? (
          <p className={styles.muted}>This policy proposes nothing to delete.</p>
        ) : (
          groups.map((g) => (
            <PlanGroup key={g.category} group={g} open={isOpen(g.category, g.warned)} onToggle={() => toggle(g.category)} handlers={handlers} />
          ))
        )}
      </section>
      <KeptOut kept={plan.kept ?? []} />
    </>
  );
}

function PlanPending({ error, onRetry }: { error: Error | null; onRetry: () => void }) {
  const { data: summary } = useSummary();
  if (isScanning(error)) {
    const scan = summary?.scan;
    return (
      <p className={styles.notice} role="status">
        <span className={styles.spinner} aria-hidden="true" />
        {scan?.state === 'scanning'
          ? `The first scan is still running; the plan is ready when it ends (${formatCount(scan.entries)} entries so far).`
          : 'Reading the project’s configs and scripts for references to checkpoints; the plan follows in a moment.'}
      </p>
    );
  }
  if (error) {
    return (
      <div role="alert" className={styles.error}>
        Could not compute the plan: {error.message}{' '}
        <button type="button" className={styles.retry} onClick={onRetry}>
          Try again
        </button>
      </div>
    );
  }
  return (
    <p className={styles.notice} role="status">
      <span className={styles.spinner} aria-hidden="true" />
      Loading the plan…
    </p>
  );
}
