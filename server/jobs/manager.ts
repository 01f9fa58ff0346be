import { randomBytes } from 'node:crypto';
import type { Job } from '../../shared/schemas/jobs.js';
import { ApiError } from '../errors.js';

/** What a running job can do: report progress and see whether it was cancelled. */
export interface JobContext {
  readonly signal: AbortSignal;
  progress(update: { done?: number; total?: number; message?: string }): void;
}

export interface JobKind<P = Record<string, unknown>> {
  kind: string;
  /** Whether the job changes files or state (refused in read-only mode). */
  mutates: boolean;
  /** Checks params (throw ApiError 400) and returns a title for the UI. */
  prepare(params: Record<string, unknown>): { title: string; unit: string; params: P };
  run(params: P, ctx: JobContext): Promise<unknown>;
}

/** Finished jobs kept for the UI and late pollers. */
const KEEP_FINISHED = 50;
/** Progress events are coalesced so a fast job does not flood the event stream. */
const PROGRESS_INTERVAL_MS = 100;

/** Long work with progress, cancel and a final result; one job at a time per kind. */
export class JobManager {
  private readonly kinds = new Map<string, JobKind<any>>();
  private readonly jobs = new Map<string, Job>();
  private readonly controllers = new Map<string, AbortController>();
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly onChange: (job: Job) => void,
    private readonly isReadOnly: () => boolean,
  ) {}

  register(kind: JobKind<any>): void {
    this.kinds.set(kind.kind, kind);
  }

  get kindNames(): string[] {
    return [...this.kinds.keys()];
  }

  list(): Job[] {
    return [...this.jobs.values()].sort((a, b) => b.createdAt - a.createdAt);
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  start(kindName: string, rawParams: Record<string, unknown> = {}): Job {
    const kind = this.kinds.get(kindName);
    if (!kind) throw new ApiError(400, 'UNKNOWN_JOB_KIND', `no job kind "${kindName}"; known: ${this.kindNames.join(', ') || 'none'}`);
    if (kind.mutates && this.isReadOnly()) throw new ApiError(403, 'READ_ONLY', 'the server runs read-only');
    const busy = this.list().find((j) => j.kind === kindName && (j.state === 'running' || j.state === 'queued'));
    if (busy) throw new ApiError(409, 'JOB_RUNNING', `a ${kindName} job is already running (${busy.id})`);
    const { title, unit, params } = kind.prepare(rawParams);
    const job: Job = {
      id: randomBytes(8).toString('hex'),
      kind: kindName,
      title,
      state: 'running',
      done: 0,
      total: 0,
      unit,
      createdAt: Date.now(),
      startedAt: Date.now(),
    };
    this.jobs.set(job.id, job);
    this.trim();
    const ac = new AbortController();
    this.controllers.set(job.id, ac);
    let lastEmit = 0;
    let pending: NodeJS.Timeout | undefined;
    const emit = () => {
      lastEmit = Date.now();
      pending = undefined;
      this.onChange({ ...job });
    };
    const ctx: JobContext = {
      signal: ac.signal,
      progress: (u) => {
        if (job.state !== 'running') return;
        if (u.done !== undefined) job.done = u.done;
        if (u.total !== undefined) job.total = u.total;
        if (u.message !== undefined) job.message = u.message;
        const wait = PROGRESS_INTERVAL_MS - (Date.now() - lastEmit);
        if (wait <= 0) emit();
        else pending ??= setTimeout(emit, wait);
      },
    };
    emit();
    const p = (async () => {
      try {
        job.result = await kind.run(params, ctx);
        job.state = ac.signal.aborted ? 'cancelled' : 'done';
      } catch (err) {
        if (ac.signal.aborted) {
          job.state = 'cancelled';
        } else {
          job.state = 'failed';
          job.error =
            err instanceof ApiError
              ? { code: err.code, message: err.message }
              : { code: 'JOB_FAILED', message: (err as Error).message ?? String(err) };
        }
      } finally {
        if (pending) clearTimeout(pending);
        job.finishedAt = Date.now();
        this.controllers.delete(job.id);
        this.running.delete(job.id);
        this.onChange({ ...job });
      }
    })();
    this.running.set(job.id, p);
    return { ...job };
  }

  cancel(id: string): Job {
    const job = this.jobs.get(id);
    if (!job) throw new ApiError(404, 'NOT_FOUND', `no job ${id}`);
    this.controllers.get(id)?.abort();
    return { ...job };
  }

  /** Waits for a job to finish (tests, shutdown). */
  async settle(id: string): Promise<Job | undefined> {
    await this.running.get(id);
    return this.jobs.get(id);
  }

  async close(): Promise<void> {
    for (const ac of this.controllers.values()) ac.abort();
    await Promise.allSettled([...this.running.values()]);
  }

  private trim(): void {
    const finished = this.list().filter((j) => j.state !== 'running' && j.state !== 'queued');
    for (const j of finished.slice(KEEP_FINISHED)) this.jobs.delete(j.id);
  }
}
