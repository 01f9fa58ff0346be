// Backups, restore and verification as jobs, and the cleanup report as text.
// The server does every check; this side starts jobs, follows them and reads
// their results, which are typed here because the job schema keeps `result`
// open (each kind has its own).
import { useEffect, useRef } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ErrorBody, Job } from '../../shared/schemas/index.js';
import { setAuthState } from './auth-state.js';
import { ApiError, api } from './client.js';
import { applyJob } from './event-patches.js';
import { keys } from './keys.js';

/** One file inside a backup archive, as its MANIFEST.json describes it. */
export interface BackupFile {
  name: string;
  /** Root-relative path the file was copied from (and is restored to). */
  path: string;
  size: number;
  sha256: string;
  mtimeMs: number;
}

/** One archive in `<project>/backups/`; `error` when it could not be read (corrupt, no manifest). */
export interface BackupItem {
  name: string;
  bytes: number;
  mtimeMs: number;
  files: BackupFile[];
  error?: string | { code?: string; message?: string };
}

/** Result of a `backup` job. */
export interface BackupResult {
  file: string;
  bytes: number;
  files: Omit<BackupFile, 'mtimeMs'>[];
  ms: number;
  /** Worth knowing but not failures (e.g. `backups/` could not be added to .gitignore). */
  warnings?: string[];
}

/** One model's outcome in a `verify` job. */
export interface ModelVerdict {
  path: string;
  status: string;
  detail?: string;
  failures?: unknown;
}

export type JobKindName = 'backup' | 'verify-backup' | 'restore' | 'verify' | 'duplicates';

export const backupKeys = {
  list: ['backups'] as const,
  reportAll: ['report'] as const,
  report: (session: string, lang: string, stamp: number) => ['report', session, lang, stamp] as const,
};

/** A report (or any text) with the file name the server suggests for saving it. */
export interface TextFile {
  text: string;
  filename: string | null;
}

function filenameOf(disposition: string | null): string | null {
  const match = disposition && /filename="([^"]+)"/.exec(disposition);
  return match ? match[1] : null;
}

/**
 * GET for a non-JSON answer (the Markdown report). The shared client parses JSON only; this makes the same request
 * (same-origin cookie, same 401 handling) and keeps errors as ApiError so callers can tell NO_SESSION from a failure.
 */
export async function getText(path: string, query: Record<string, string | undefined>, signal?: AbortSignal): Promise<TextFile> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
  const qs = params.toString();
  let response: Response;
  try {
    response = await fetch(qs ? `${path}?${qs}` : path, { credentials: 'same-origin', headers: { Accept: 'text/markdown, application/json' }, signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError('NETWORK', 'The ckptdash server cannot be reached. Is it still running?', 0);
  }
  const text = await response.text();
  if (!response.ok) {
    if (response.status === 401) setAuthState('required');
    let body: ErrorBody | undefined;
    try {
      body = JSON.parse(text) as ErrorBody;
    } catch {
      // Not our error shape (a proxy's page): the status line below says what little is known.
    }
    if (typeof body?.error?.code === 'string') throw new ApiError(body.error.code, body.error.message, response.status);
    throw new ApiError('HTTP_' + response.status, `HTTP ${response.status} ${response.statusText}`, response.status);
  }
  return { text, filename: filenameOf(response.headers.get('content-disposition')) };
}

/**
 * GET /api/report. `stamp` (the newest session's end) is part of the key so a new deletion fetches the report again,
 * while a tree that merely changes does not re-download it. `lang` undefined lets the server's --lang decide.
 */
export function useReport(session: string, lang: string | undefined, stamp: number) {
  return useQuery({
    queryKey: backupKeys.report(session, lang ?? '', stamp),
    queryFn: ({ signal }) => getText('/api/report', { session, lang }, signal),
    placeholderData: keepPreviousData,
  });
}

export function useBackups() {
  return useQuery({
    queryKey: backupKeys.list,
    queryFn: ({ signal }) => api.get<{ items: BackupItem[] }>('/api/backups', undefined, signal),
    select: (data) => data.items,
  });
}

/** POST /api/jobs; the answer goes into the jobs cache at once so the job is followed before its first event. */
export function useStartJob(kind: JobKindName) {
  const qc = useQueryClient();
  return useMutation<Job, Error, Record<string, unknown>>({
    mutationFn: (params) => api.post<Job>('/api/jobs', { kind, params }),
    onSuccess: (job) => applyJob(qc, job),
  });
}

export function isActive(job: Job | undefined): boolean {
  return !!job && (job.state === 'queued' || job.state === 'running');
}

/** Asks again on this beat while a followed job runs, in case the event stream drops its progress. */
const JOB_POLL_MS = 2_000;

/** The newest job of its kind; by createdAt, since jobs patched in from events are appended to the cached list. */
function newestOf(items: Job[] | undefined, kind: JobKindName): Job | undefined {
  let newest: Job | undefined;
  for (const j of items ?? []) if (j.kind === kind && (!newest || j.createdAt > newest.createdAt)) newest = j;
  return newest;
}

/** The newest job of a kind, so a backup started before a reload (or in another tab) is still shown. */
export function useLatestJob(kind: JobKindName) {
  return useQuery({
    queryKey: keys.jobs,
    queryFn: ({ signal }) => api.get<{ items: Job[] }>('/api/jobs', undefined, signal),
    select: (data) => newestOf(data.items, kind),
    refetchInterval: (query) => (isActive(newestOf(query.state.data?.items, kind)) ? JOB_POLL_MS : false),
  });
}

/** Calls `onEnd` once when `job` goes from running to finished while this component watches it. */
export function useJobEnd(job: Job | undefined, onEnd: (job: Job) => void): void {
  const running = useRef(new Set<string>());
  const callback = useRef(onEnd);
  callback.current = onEnd;
  useEffect(() => {
    if (!job) return;
    if (isActive(job)) running.current.add(job.id);
    else if (running.current.delete(job.id)) callback.current(job);
  }, [job]);
}

/** What a finished backup or restore changes that no event patches: the archive list and the report's Backup section. */
export function useInvalidateBackups() {
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: backupKeys.list });
    void qc.invalidateQueries({ queryKey: backupKeys.reportAll });
  };
}

export function backupResultOf(job: Job | undefined): BackupResult | undefined {
  const r = job?.result as BackupResult | undefined;
  return r && typeof r.file === 'string' && Array.isArray(r.files) ? r : undefined;
}

/** The per-model verdicts of a `verify` job, whether the server answers a list or wraps it in an object. */
export function verdictsOf(job: Job | undefined): ModelVerdict[] | undefined {
  const r = job?.result as unknown;
  const list = Array.isArray(r) ? r : (r as { items?: unknown; models?: unknown; results?: unknown } | undefined);
  const items = Array.isArray(list) ? list : (list?.items ?? list?.models ?? list?.results);
  if (!Array.isArray(items)) return undefined;
  return items.filter((x): x is ModelVerdict => typeof (x as ModelVerdict)?.path === 'string' && typeof (x as ModelVerdict).status === 'string');
}

export function backupErrorText(error: BackupItem['error']): string | undefined {
  if (error === undefined) return undefined;
  return typeof error === 'string' ? error : (error.message ?? error.code ?? 'unreadable');
}
