// Deleting, one entry or a list as a job, and what deletions leave behind:
// the journal and the project lines that now name nothing. The server
// re-checks everything; this side only says what it answered, in words.
import { useEffect } from 'react';
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type {
  DeletionRequest,
  DeletionResult,
  Job,
  JournalSessions,
  Policy,
  StaleReference,
} from '../../shared/schemas/index.js';
import { ApiError, api } from './client.js';
import { applyJob } from './event-patches.js';
import { useSummary } from './hooks.js';
import { keys } from './keys.js';

export const deletionKeys = {
  journal: ['journal'] as const,
  stale: ['references', 'stale'] as const,
  /** Every plan query starts with this (see pages/cleanup/use-plan.ts). */
  plans: ['plan'] as const,
};

/** What a deletion changes on the server: every view that could still show the entry, or the totals it counted in. */
export function invalidateAfterDeletion(qc: QueryClient): void {
  void qc.invalidateQueries({ queryKey: deletionKeys.plans });
  void qc.invalidateQueries({ queryKey: keys.summary });
  void qc.invalidateQueries({ queryKey: keys.checkpoints });
  void qc.invalidateQueries({ queryKey: deletionKeys.journal });
  void qc.invalidateQueries({ queryKey: deletionKeys.stale });
  // The tree events patch what is shown; these only mark the rest stale for its next viewing.
  void qc.invalidateQueries({ queryKey: keys.treeAll, refetchType: 'none' });
}

/** A refusal of POST /api/deletions (or a failed request), with what the server said beyond the message. */
export interface Refusal {
  code: string;
  message: string;
  protectedBy?: string[];
  removed?: { files: number; bytes: number; diskBytes: number; paths: string[] };
}

export function refusalOf(err: unknown): Refusal {
  if (err instanceof ApiError) {
    const d = err.detail ?? {};
    const protectedBy = Array.isArray(d.protectedBy) ? d.protectedBy.filter((x): x is string => typeof x === 'string') : undefined;
    const removed = d.removed as Refusal['removed'] | undefined;
    return { code: err.code, message: err.message, protectedBy, removed: removed && typeof removed.files === 'number' ? removed : undefined };
  }
  return { code: 'UNKNOWN', message: err instanceof Error ? err.message : String(err) };
}

/** The first words of a refusal: what happened, before the server's own sentence. */
export function refusalTitle(r: Pick<Refusal, 'code'>): string {
  switch (r.code) {
    case 'PROTECTED':
      return 'Refused: it is protected';
    case 'CHANGED':
      return 'Refused: it changed since it was shown';
    case 'WRITING':
      return 'Refused: it is being written';
    case 'PARTIAL':
      return 'Stopped part-way';
    case 'NOT_FOUND':
      return 'Already gone';
    case 'READ_ONLY':
      return 'Refused: the server runs read-only';
    case 'READING_REFERENCES':
    case 'SCANNING':
      return 'Not yet: the server is still reading the project';
    default:
      return 'The deletion failed';
  }
}

/** POST /api/deletions. Send the etag the user saw: the server refuses with CHANGED if the entry is not that one any more. */
export function useDeleteEntry() {
  const qc = useQueryClient();
  return useMutation<DeletionResult, Error, DeletionRequest>({
    mutationFn: (request) => api.post<DeletionResult>('/api/deletions', request),
    // A refusal may still have changed something (PARTIAL), and a success changes everything a plan is made from.
    onSettled: () => invalidateAfterDeletion(qc),
  });
}

/** A finished bulk deletion's `result`, item by item. */
export interface BulkResult {
  deleted: { path: string; freedBytes: number; freedDiskBytes: number }[];
  refused: { path: string; code: string; message: string }[];
  skipped: string[];
  freedBytes: number;
  freedDiskBytes: number;
}

export function bulkResultOf(job: Job | undefined): BulkResult | undefined {
  const r = job?.result as BulkResult | undefined;
  return r && Array.isArray(r.deleted) && Array.isArray(r.refused) && Array.isArray(r.skipped) ? r : undefined;
}

export function isFinished(job: Job | undefined): boolean {
  return !!job && job.state !== 'queued' && job.state !== 'running';
}

/** POST /api/jobs kind `delete`: the exact list the user confirmed, each with the etag shown. */
export function useStartBulkDelete() {
  const qc = useQueryClient();
  return useMutation<Job, Error, { items: { path: string; etag: string }[]; policy?: Policy }>({
    mutationFn: ({ items, policy }) => api.post<Job>('/api/jobs', { kind: 'delete', params: { items, policy } }),
    onSuccess: (job) => applyJob(qc, job),
  });
}

/** Asks again on this beat while a job runs, in case the event stream drops its progress. */
const JOB_POLL_MS = 2_000;

/** One job, kept live by the event stream (the same cache entry as the jobs tray). */
export function useJob(id: string | undefined) {
  return useQuery({
    queryKey: keys.jobs,
    queryFn: ({ signal }) => api.get<{ items: Job[] }>('/api/jobs', undefined, signal),
    select: (data) => data.items.find((j) => j.id === id),
    enabled: id !== undefined,
    refetchInterval: (query) => {
      const job = query.state.data?.items.find((j) => j.id === id);
      return job && !isFinished(job) ? JOB_POLL_MS : false;
    },
  });
}

/**
 * Wherever the user is when a bulk deletion ends (the dialog may be closed), what it changed is refetched:
 * tree events keep the tree right, but plans, the journal and the models list are not patched by events.
 */
export function useDeletionJobsFollow(): void {
  const qc = useQueryClient();
  useEffect(() => {
    const seen = new Set<string>();
    return qc.getQueryCache().subscribe((event) => {
      if (event.type !== 'updated' || event.query.queryKey[0] !== keys.jobs[0]) return;
      const items = (event.query.state.data as { items: Job[] } | undefined)?.items ?? [];
      let ended = false;
      for (const job of items) {
        if (job.kind !== 'delete') continue;
        if (!isFinished(job)) seen.add(job.id);
        else if (seen.delete(job.id)) ended = true;
      }
      if (ended) invalidateAfterDeletion(qc);
    });
  }, [qc]);
}

/**
 * Keeps a query that no event patches (the journal, stale references) in step with deletions made elsewhere:
 * every tree change refetches the summary, and a summary newer than the data means it may be out of date.
 */
function useFollowsSummary(queryKey: readonly unknown[], updatedAt: number): void {
  const qc = useQueryClient();
  const { dataUpdatedAt: summaryAt } = useSummary();
  useEffect(() => {
    if (updatedAt === 0 || summaryAt <= updatedAt) return;
    void qc.invalidateQueries({ queryKey });
  }, [qc, queryKey, summaryAt, updatedAt]);
}

/** GET /api/journal: every deletion, by cleanup session, newest first. */
export function useJournal() {
  const query = useQuery({
    queryKey: deletionKeys.journal,
    queryFn: ({ signal }) => api.get<JournalSessions>('/api/journal', undefined, signal),
  });
  useFollowsSummary(deletionKeys.journal, query.dataUpdatedAt);
  return query;
}

/** GET /api/references/stale: project lines that name checkpoints that no longer exist. */
export function useStaleReferences() {
  const query = useQuery({
    queryKey: deletionKeys.stale,
    queryFn: ({ signal }) => api.get<{ items: StaleReference[] }>('/api/references/stale', undefined, signal),
    select: (d) => d.items,
  });
  useFollowsSummary(deletionKeys.stale, query.dataUpdatedAt);
  return query;
}
