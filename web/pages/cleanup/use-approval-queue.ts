import { useMemo, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { DeletionResult, PlanItem, Policy } from '../../../shared/schemas/index.js';
import { isApiError } from '../../api/client.js';
import { refusalOf, useDeleteEntry, type Refusal } from '../../api/deletions.js';
import { useSetTags } from '../../api/hooks.js';
import type { RetentionOverrides } from './plan-view.js';
import { fetchPlan, planKeys } from './use-plan.js';

/** Where one item of the queue stands. Refused items stay where they are: the user reads why and decides again. */
export type ItemStatus =
  | { kind: 'pending' }
  | { kind: 'busy'; action: 'delete' | 'tag' | 'refresh' }
  | { kind: 'deleted'; result: DeletionResult }
  | { kind: 'skipped' }
  | { kind: 'kept' }
  | { kind: 'refused'; refusal: Refusal }
  | { kind: 'gone'; why: string };

/** The user can still act on it: approve, skip, tag. */
export function isOpen(s: ItemStatus): boolean {
  return s.kind === 'pending' || s.kind === 'skipped' || s.kind === 'refused';
}

/**
 * After CHANGED, or WRITING (it is still changing), the etag the user saw is stale: the item must be looked at
 * again (refreshed) before it can be approved.
 */
export function needsRefresh(s: ItemStatus): boolean {
  return s.kind === 'refused' && (s.refusal.code === 'CHANGED' || s.refusal.code === 'WRITING');
}

export function canApprove(s: ItemStatus): boolean {
  return isOpen(s) && !needsRefresh(s);
}

export interface QueueTotals {
  deletions: number;
  freedBytes: number;
  freedDiskBytes: number;
  skipped: number;
  kept: number;
  refused: number;
  /** Deletions that stopped part-way: their removed bytes count in the freed total. */
  partial: number;
  left: number;
}

export function totalsOf(status: readonly ItemStatus[]): QueueTotals {
  const t: QueueTotals = { deletions: 0, freedBytes: 0, freedDiskBytes: 0, skipped: 0, kept: 0, refused: 0, partial: 0, left: 0 };
  for (const s of status) {
    if (s.kind === 'deleted') {
      t.deletions++;
      t.freedBytes += s.result.freedBytes;
      t.freedDiskBytes += s.result.freedDiskBytes;
    } else if (s.kind === 'skipped') t.skipped++;
    else if (s.kind === 'kept') t.kept++;
    else if (s.kind === 'refused') {
      t.refused++;
      if (s.refusal.code === 'PARTIAL' && s.refusal.removed) {
        t.partial++;
        t.freedBytes += s.refusal.removed.bytes;
        t.freedDiskBytes += s.refusal.removed.diskBytes;
      }
    } else if (s.kind === 'pending') t.left++;
  }
  return t;
}

/** The next item nobody has decided on, after `from` and then from the start; -1 when every item is decided. */
function nextPending(status: readonly ItemStatus[], from: number): number {
  for (let k = 1; k <= status.length; k++) {
    const i = (from + k) % status.length;
    if (status[i].kind === 'pending') return i;
  }
  return -1;
}

/**
 * The approval queue's state: a snapshot of the plan's items as the user was shown them (a plan refetched behind
 * the dialog must not swap the item being read), each item's status, and the one under review. Deleting sends the
 * snapshot's etag; a CHANGED refusal is answered by `refresh`, which takes the item from a fresh plan.
 */
export function useApprovalQueue(initial: readonly PlanItem[], policy: Policy, overrides: RetentionOverrides) {
  const qc = useQueryClient();
  const del = useDeleteEntry();
  const tags = useSetTags();
  const [items, setItems] = useState<PlanItem[]>(() => [...initial]);
  const [status, setStatus] = useState<ItemStatus[]>(() => initial.map(() => ({ kind: 'pending' })));
  const [cursor, setCursor] = useState(0);
  /** Set when the last pending item was decided: the summary shows instead of an item. */
  const [finished, setFinished] = useState(initial.length === 0);
  // Read after an await: the render that marked the item busy has refreshed it by then.
  const statusRef = useRef(status);
  statusRef.current = status;

  const busy = status.some((s) => s.kind === 'busy');
  const totals = useMemo(() => totalsOf(status), [status]);

  const setAt = (i: number, s: ItemStatus) => setStatus((all) => all.map((x, j) => (j === i ? s : x)));

  /** After a decision: on to the next undecided item, or the summary when none is left. */
  const advance = (i: number, after: ItemStatus) => {
    const next = statusRef.current.map((x, j) => (j === i ? after : x));
    setStatus(next);
    const n = nextPending(next, i);
    if (n < 0) setFinished(true);
    else setCursor(n);
  };

  const approve = async () => {
    const i = cursor;
    if (busy || finished || !canApprove(status[i])) return;
    const item = items[i];
    setAt(i, { kind: 'busy', action: 'delete' });
    try {
      const result = await del.mutateAsync({ path: item.path, etag: item.etag, policy });
      advance(i, { kind: 'deleted', result });
    } catch (err) {
      setAt(i, isApiError(err, 404) ? { kind: 'gone', why: 'It is not there any more: deleted by something else.' } : { kind: 'refused', refusal: refusalOf(err) });
    }
  };

  const skip = () => {
    if (busy || finished || !isOpen(status[cursor])) return;
    advance(cursor, { kind: 'skipped' });
  };

  const keepHistorical = async () => {
    const i = cursor;
    if (busy || finished || !isOpen(status[i])) return;
    setAt(i, { kind: 'busy', action: 'tag' });
    try {
      await tags.mutateAsync({ path: items[i].path, add: ['historical'] });
      // Tagged historical it is protected: the plan drops it on its next refetch.
      void qc.invalidateQueries({ queryKey: planKeys.all });
      advance(i, { kind: 'kept' });
    } catch (err) {
      setAt(i, { kind: 'refused', refusal: refusalOf(err) });
    }
  };

  /** Takes the item again from a fresh plan: its new etag and sizes, for the user to look at before deciding. */
  const refresh = async () => {
    const i = cursor;
    if (busy || finished) return;
    const path = items[i].path;
    setAt(i, { kind: 'busy', action: 'refresh' });
    try {
      const plan = await qc.fetchQuery({
        queryKey: planKeys.plan(policy, overrides),
        queryFn: ({ signal }) => fetchPlan(policy, overrides, signal),
        staleTime: 0,
      });
      const fresh = plan.items.find((it) => it.path === path);
      const kept = plan.kept?.find((k) => k.path === path);
      if (fresh) {
        setItems((all) => all.map((x, j) => (j === i ? fresh : x)));
        setAt(i, { kind: 'pending' });
      } else if (kept?.rule.includes('being written')) {
        // Just changed, so the plan holds it back for a few seconds: worth another refresh soon.
        setAt(i, { kind: 'refused', refusal: { code: 'WRITING', message: `${path} changed in the last seconds; the plan holds it back until it settles.` } });
      } else {
        const why = kept ? `kept out now (${kept.rule})` : 'it was deleted, or became part of something else';
        setAt(i, { kind: 'gone', why: `The plan does not propose it any more: ${why}.` });
      }
    } catch (err) {
      setAt(i, { kind: 'refused', refusal: refusalOf(err) });
    }
  };

  const move = (delta: number) => {
    if (busy || items.length === 0) return;
    // From the summary, ← comes back to the item last decided rather than the one before it.
    if (finished) {
      setFinished(false);
      return;
    }
    setCursor((c) => Math.min(items.length - 1, Math.max(0, c + delta)));
  };

  return {
    items,
    status,
    cursor,
    item: items[cursor] as PlanItem | undefined,
    current: status[cursor] as ItemStatus | undefined,
    finished,
    busy,
    totals,
    approve,
    skip,
    keepHistorical,
    refresh,
    move,
  };
}

export type ApprovalQueueModel = ReturnType<typeof useApprovalQueue>;
