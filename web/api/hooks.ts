import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Checkpoint, Entry, EntryDetails, History, Job, RunTotals, Summary, TagsRequest } from '../../shared/schemas/index.js';
import { api } from './client.js';
import { applyTagged } from './event-patches.js';
import { keys, type HistoryRange } from './keys.js';

export function useSummary() {
  return useQuery({
    queryKey: keys.summary,
    queryFn: ({ signal }) => api.get<Summary>('/api/summary', undefined, signal),
  });
}

export function useEntry(path: string | null) {
  return useQuery({
    queryKey: keys.entry(path ?? ''),
    queryFn: ({ signal }) => api.get<EntryDetails>('/api/entry', { path: path ?? '' }, signal),
    enabled: path !== null,
  });
}

export function useJobs() {
  return useQuery({
    queryKey: keys.jobs,
    queryFn: ({ signal }) => api.get<{ items: Job[] }>('/api/jobs', undefined, signal),
    select: (data) => data.items,
  });
}

export function useCancelJob() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<unknown>(`/api/jobs/${encodeURIComponent(id)}/cancel`),
    // The job event usually lands first; this covers a dropped event stream.
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.jobs }),
  });
}

/** How often the Models page asks again while the server is still reading models. */
export const MODELS_POLL_MS = 2_000;

export function stillReading(summary: Summary | undefined): boolean {
  return !!summary && (summary.scan.state === 'scanning' || summary.models.read < summary.models.total);
}

/**
 * The summary, polled while models are being read: reading progress is not
 * pushed as events, and the Models page shows it.
 */
export function useModelsProgress() {
  return useQuery({
    queryKey: keys.summary,
    queryFn: ({ signal }) => api.get<Summary>('/api/summary', undefined, signal),
    refetchInterval: (query) => (stillReading(query.state.data) ? MODELS_POLL_MS : false),
  });
}

/** Every checkpoint; refetched on the same beat as the progress while models are being read. */
export function useCheckpoints(reading: boolean) {
  return useQuery({
    queryKey: keys.checkpoints,
    queryFn: ({ signal }) => api.get<{ items: Checkpoint[] }>('/api/checkpoints', undefined, signal),
    select: (data) => data.items,
    refetchInterval: reading ? MODELS_POLL_MS : false,
  });
}

/**
 * The `limit` heaviest runs with their checkpoints summed on the server (a few hundred bytes where
 * the whole list is megabytes); polled like the list while models are being read.
 */
export function useRunTotals(limit: number, reading: boolean) {
  return useQuery({
    queryKey: keys.checkpointRuns(limit),
    queryFn: ({ signal }) => api.get<RunTotals>('/api/checkpoints/runs', { limit }, signal),
    refetchInterval: reading ? MODELS_POLL_MS : false,
  });
}

/** The server samples usage on its own clock, not on tree events; polling keeps the chart moving. */
export const HISTORY_POLL_MS = 30_000;

/** Usage samples and the forecast; the previous range stays shown while another one loads. */
export function useHistory(range: HistoryRange) {
  return useQuery({
    queryKey: keys.history(range),
    queryFn: ({ signal }) => api.get<History>('/api/history', { range }, signal),
    refetchInterval: HISTORY_POLL_MS,
    placeholderData: keepPreviousData,
  });
}

/**
 * POST /api/tags: adds or removes user tags, or sets the note ("" clears it). The server's tree event follows, but
 * the caches are updated from the answer at once so the pane, the rows and the Models list never lag behind a click.
 */
export function useSetTags() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (request: TagsRequest) => api.post<Entry>('/api/tags', request),
    onSuccess: (entry, request) => applyTagged(queryClient, entry, request.remove ?? []),
  });
}
