import { useEffect } from 'react';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Checkpoint, Plan, Policy } from '../../../shared/schemas/index.js';
import { ApiError, api } from '../../api/client.js';
import { useSummary } from '../../api/hooks.js';
import { keys } from '../../api/keys.js';
import { metricNames } from '../models/models-view.js';
import type { RetentionOverrides } from './plan-view.js';

/** Plan query keys: every plan starts with 'plan', so one invalidation reaches them all. */
export const planKeys = {
  all: ['plan'] as const,
  plan: (policy: Policy, overrides: RetentionOverrides) => ['plan', policy, overrides] as const,
};

const NO_OVERRIDES: RetentionOverrides = {};

/** While the first scan runs the server answers 503 SCANNING; ask again on this beat until it is ready. */
const SCANNING_POLL_MS = 2_000;
/**
 * A training run can change the tree every second; a plan is a whole-tree computation, so it follows
 * changes at most this often.
 */
const FOLLOW_MIN_MS = 3_000;

/** The server is not ready to plan yet: the first scan, or the first read of the project's references. */
export function isScanning(err: unknown): boolean {
  return err instanceof ApiError && (err.code === 'SCANNING' || err.code === 'READING_REFERENCES');
}

// SCANNING is answered by polling, not retries: a retry's backoff would hide the plan for longer.
function planRetry(failures: number, err: Error): boolean {
  return !isScanning(err) && !(err instanceof ApiError && err.status >= 400 && err.status < 500) && failures < 2;
}

export function fetchPlan(policy: Policy, overrides: RetentionOverrides, signal: AbortSignal): Promise<Plan> {
  return api.get<Plan>('/api/plan', { policy, ...overrides }, signal);
}

/** The plan of a policy with the user's retention; the previous plan stays shown while another loads. */
export function usePlan(policy: Policy, overrides: RetentionOverrides) {
  return useQuery({
    queryKey: planKeys.plan(policy, overrides),
    queryFn: ({ signal }) => fetchPlan(policy, overrides, signal),
    placeholderData: keepPreviousData,
    retry: planRetry,
    refetchInterval: (query) => (isScanning(query.state.error) ? SCANNING_POLL_MS : false),
  });
}

/**
 * The project config's retention: what the plan applies with no overrides. With no overrides this is the
 * page's own query, so it costs nothing extra; the server caches default plans per index snapshot.
 */
export function useRetentionDefaults(policy: Policy) {
  return useQuery({
    queryKey: planKeys.plan(policy, NO_OVERRIDES),
    queryFn: ({ signal }) => fetchPlan(policy, NO_OVERRIDES, signal),
    select: (plan) => plan.retention,
    retry: planRetry,
    refetchInterval: (query) => (isScanning(query.state.error) ? SCANNING_POLL_MS : false),
  });
}

/**
 * Keeps the shown plan in step with the tree. The event stream has no hook for plans, but every `tree`
 * event (and every tag change) makes the app refetch the summary: a summary newer than the plan means
 * the plan may be out of date. `reset` and a reconnect already invalidate every query.
 */
export function usePlanFollowsTree(planUpdatedAt: number) {
  const qc = useQueryClient();
  const { dataUpdatedAt: summaryUpdatedAt } = useSummary();
  useEffect(() => {
    if (planUpdatedAt === 0 || summaryUpdatedAt <= planUpdatedAt) return;
    const wait = Math.max(0, planUpdatedAt + FOLLOW_MIN_MS - Date.now());
    const timer = setTimeout(() => void qc.invalidateQueries({ queryKey: planKeys.all }), wait);
    return () => clearTimeout(timer);
  }, [qc, summaryUpdatedAt, planUpdatedAt]);
}

/** Metric names the checkpoints carry, for the retention's metric field; fetched only when ranking is asked for. */
export function useMetricNames(enabled: boolean): string[] {
  const { data } = useQuery({
    // The Models page's query: the same request, so the two share one cache entry.
    queryKey: keys.checkpoints,
    queryFn: ({ signal }) => api.get<{ items: Checkpoint[] }>('/api/checkpoints', undefined, signal),
    select: (d) => metricNames(d.items),
    enabled,
  });
  return data ?? [];
}
