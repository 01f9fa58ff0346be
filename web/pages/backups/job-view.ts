// Words for the backup, restore and verify jobs: what the progress and the
// results say. The result shapes are read defensively: `result` is open in
// the job schema and a server of another version may answer a little differently.
import type { Job } from '../../../shared/schemas/index.js';
import { isActive, type BackupFile, type ModelVerdict } from '../../api/backups.js';
import { formatBytes, formatCount } from '../../format.js';

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** "45 s", "3 min 10 s", "2 h 05 min". */
export function formatDuration(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** How fast and how long still, once there is enough to judge (a second of progress). */
export function etaText(job: Job, now = Date.now()): string | null {
  if (!isActive(job) || !job.startedAt || job.total <= 0 || job.done <= 0 || job.done >= job.total) return null;
  const elapsed = now - job.startedAt;
  if (elapsed < 1_000) return null;
  const perMs = job.done / elapsed;
  const left = `about ${formatDuration((job.total - job.done) / perMs)} left`;
  return job.unit === 'bytes' ? `${formatBytes(perMs * 1000)}/s · ${left}` : left;
}

/** The first 12 hex digits: enough to compare by eye with `sha256sum`, the whole hash is in the title. */
export function shortHash(sha256: string): string {
  return sha256.slice(0, 12);
}

type Loose = Record<string, unknown> | undefined;

function countOf(value: unknown): number | undefined {
  if (Array.isArray(value)) return value.length;
  return typeof value === 'number' ? value : undefined;
}

function problemsOf(result: Loose): string[] {
  const list = result?.problems ?? result?.mismatches ?? result?.errors;
  return Array.isArray(list) ? list.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))) : [];
}

/** A finished verify-backup job in one sentence, and whether it passed. */
export function verifyBackupOutcome(job: Job, expectedFiles: number): { ok: boolean; text: string; problems: string[] } {
  if (job.state === 'cancelled') return { ok: false, text: 'Verification cancelled.', problems: [] };
  if (job.state === 'failed') return { ok: false, text: `Verification failed: ${job.error?.message ?? 'unknown error'}`, problems: [] };
  const result = job.result as Loose;
  const problems = problemsOf(result);
  if (problems.length > 0 || result?.ok === false) {
    return { ok: false, text: `Verification found ${plural(problems.length || 1, 'problem')}:`, problems };
  }
  const files = countOf(result?.files) ?? countOf(result?.checked) ?? expectedFiles;
  return { ok: true, text: `Verified: ${plural(files, 'file')} read back, every sha256 matches the manifest.`, problems: [] };
}

/** How many files a finished restore wrote, when the result says. */
export function restoredCount(job: Job): number | undefined {
  const result = job.result as Loose;
  return countOf(result?.restored) ?? countOf(result?.files) ?? countOf(result?.written);
}

/**
 * How many targets already exist, from an EXISTS refusal's message ("3 files exist…", "<path> exists…"): the job error
 * carries only code and message. A single-file restore is one file. Undefined when the words do not say.
 */
export function existingCount(message: string, requested: BackupFile[]): number | undefined {
  if (requested.length === 1) return 1;
  const counted = /(\d[\d,]*)\s+(?:existing\s+)?files?\b/i.exec(message);
  if (counted) return Number(counted[1].replace(/,/g, ''));
  const named = requested.filter((f) => message.includes(f.path)).length;
  return named > 0 ? named : undefined;
}

/** A finished `verify` job over the models: passed, failed (corrupt, truncated) and not checked (being written, changed). */
export function verifySummary(verdicts: ModelVerdict[]): { ok: number; failed: ModelVerdict[]; unchecked: number } {
  const failed = verdicts.filter((v) => v.status === 'corrupt' || v.status === 'truncated');
  const ok = verdicts.filter((v) => v.status === 'ok').length;
  return { ok, failed, unchecked: verdicts.length - ok - failed.length };
}
