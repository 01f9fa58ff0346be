import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { EntryDetails, Job, Summary } from '../../shared/schemas/index.js';
import { api } from './client.js';
import { keys } from './keys.js';

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
