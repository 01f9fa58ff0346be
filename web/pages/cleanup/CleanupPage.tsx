import { useMemo, useState } from 'react';
import type { Plan } from '../../../shared/schemas/index.js';
import { useSummary } from '../../api/hooks.js';
import { formatBytes, formatCount } from '../../format.js';
import { CategorySummary } from './CategorySummary.js';
import { KeptOut } from './KeptOut.js';
import { PlanGroup } from './PlanGroup.js';
import { PolicyPicker } from './PolicyPicker.js';
import { Projection } from './Projection.js';
import { RetentionControls } from './RetentionControls.js';
import { groupByCategory, groupDomId, sumFiles } from './plan-view.js';
import { useCleanupState } from './use-cleanup-state.js';
import { isScanning, usePlan, usePlanFollowsTree, useRetentionDefaults } from './use-plan.js';
import styles from './CleanupPage.module.css';

/** The cleanup plan of a policy: what it would free, item by item, and what it keeps out. It proposes; it never deletes. */
export function CleanupPage() {
  const state = useCleanupState();
  const plan = usePlan(state.policy, state.overrides);
  const defaults = useRetentionDefaults(state.policy);
  usePlanFollowsTree(plan.dataUpdatedAt);
  const updating = plan.isPlaceholderData || state.pending;

  return (
    <div className={styles.page}>
      <div className={styles.top}>
        <h1 className={styles.title}>Cleanup</h1>
        <button
          type="button"
          className={styles.review}
          disabled
          title="Deletion arrives with the approval queue: each item approved one at a time, re-checked by the server."
          aria-describedby="cleanup-lede"
        >
          Review and delete…
        </button>
      </div>
      <p id="cleanup-lede" className={styles.lede}>
        A policy only proposes: nothing is deleted from this page. Protected models (referenced by a config, tagged critical
        or historical, or the resume point of a run) never become items; approving and deleting comes with the approval queue.
      </p>
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
          <PlanView plan={plan.data} updating={updating} />
        </>
      ) : (
        <PlanPending error={plan.error} onRetry={() => void plan.refetch()} />
      )}
    </div>
  );
}

function PlanView({ plan, updating }: { plan: Plan; updating: boolean }) {
  const groups = useMemo(() => groupByCategory(plan.items), [plan.items]);
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
      <CategorySummary groups={groups} freed={plan.totals.bytes} onOpen={openAndShow} />
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
            <PlanGroup key={g.category} group={g} open={isOpen(g.category, g.warned)} onToggle={() => toggle(g.category)} />
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
