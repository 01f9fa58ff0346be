// The deletion journal: an intent row before anything is removed, a result
// row after; an intent left without a result (the server died mid-way) is
// reconciled against the disk at start. Cleanup sessions are runs of
// deletions with no gap over an hour.
import { ApiError } from '../errors.js';
import type { Store } from '../store/store.js';

/** Deletions closer than this belong to one cleanup session (PRODUCT.md vocabulary). */
export const SESSION_GAP_MS = 3_600_000;

/** What happened to one deletion. */
export type JournalResult = 'deleted' | 'partial' | 'failed' | 'interrupted';

export interface JournalIntent {
  path: string;
  etag?: string;
  bytes: number;
  diskBytes: number;
  files: number;
  policy?: string;
  category: string;
}

/** One deletion as History shows it. */
export interface JournalEntry {
  id: number;
  t: number;
  session: string;
  path: string;
  policy?: string;
  category: string;
  /** What the index said before. */
  bytes: number;
  diskBytes: number;
  files: number;
  result: JournalResult | 'pending';
  /** What was really removed (equal to the above when fully deleted). */
  freedBytes: number;
  freedDiskBytes: number;
  deletedFiles: number;
  detail?: string;
}

interface Row {
  id: number;
  t_ms: number;
  cleanup_session: string;
  path: string;
  phase: 'intent' | 'result';
  result: string | null;
  policy: string | null;
  category: string | null;
  bytes: number;
  disk_bytes: number;
  files: number;
  detail: string | null;
  intent_id: number | null;
}

export class Journal {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Records the intent; returns its id for the result. Refuses (503, nothing deleted) when the
   * state file cannot take it durably: an intent kept only in memory, or written into a file
   * that was deleted or overwritten, is no record at all.
   */
  intent(i: JournalIntent): number {
    const unusable = this.store.check();
    if (unusable !== undefined) throw journalRefused(unusable.code, unusable.message);
    try {
      return this.write(i);
    } catch (err) {
      const p = this.store.failed(err);
      throw journalRefused(p.code, p.message);
    }
  }

  private write(i: JournalIntent): number {
    const t = this.now();
    const db = this.store.db;
    const last = db.prepare("SELECT t_ms, cleanup_session FROM journal ORDER BY id DESC LIMIT 1").get() as
      | { t_ms: number; cleanup_session: string }
      | undefined;
    const session = last && t - last.t_ms <= SESSION_GAP_MS ? last.cleanup_session : sessionId(t);
    const info = db
      .prepare(
        "INSERT INTO journal (t_ms, cleanup_session, path, phase, policy, category, bytes, disk_bytes, files, detail) VALUES (?, ?, ?, 'intent', ?, ?, ?, ?, ?, ?)",
      )
      .run(t, session, i.path, i.policy ?? null, i.category, i.bytes, i.diskBytes, i.files, i.etag ? JSON.stringify({ etag: i.etag }) : null);
    return Number(info.lastInsertRowid);
  }

  /**
   * Records what really happened to an intent. Never throws: the deletion is done either way,
   * and an intent left without its result is reconciled against the disk at the next start.
   */
  result(intentId: number, result: JournalResult, freed: { bytes: number; diskBytes: number; files: number }, detail?: string): void {
    try {
      this.writeResult(intentId, result, freed, detail);
    } catch (err) {
      this.store.failed(err);
    }
  }

  private writeResult(intentId: number, result: JournalResult, freed: { bytes: number; diskBytes: number; files: number }, detail?: string): void {
    const db = this.store.db;
    const intent = db.prepare('SELECT * FROM journal WHERE id = ?').get(intentId) as Row | undefined;
    if (!intent) return;
    db.prepare(
      "INSERT INTO journal (t_ms, cleanup_session, path, phase, result, policy, category, bytes, disk_bytes, files, detail, intent_id) VALUES (?, ?, ?, 'result', ?, ?, ?, ?, ?, ?, ?, ?)",
    ).run(this.now(), intent.cleanup_session, intent.path, result, intent.policy, intent.category, freed.bytes, freed.diskBytes, freed.files, detail ?? null, intentId);
  }

  /** Intents without a result, oldest first. */
  pending(): { id: number; path: string }[] {
    return this.store.db
      .prepare("SELECT i.id, i.path FROM journal i WHERE i.phase = 'intent' AND NOT EXISTS (SELECT 1 FROM journal r WHERE r.intent_id = i.id) ORDER BY i.id")
      .all() as { id: number; path: string }[];
  }

  /** Every deletion, newest first, grouped by cleanup session. */
  sessions(limit = 5000): { id: string; startedAt: number; endedAt: number; entries: JournalEntry[] }[] {
    const rows = this.store.db.prepare('SELECT * FROM journal ORDER BY id DESC LIMIT ?').all(limit * 2) as Row[];
    const results = new Map<number, Row>();
    for (const r of rows) if (r.phase === 'result' && r.intent_id !== null) results.set(r.intent_id, r);
    const bySession = new Map<string, JournalEntry[]>();
    for (const r of rows) {
      if (r.phase !== 'intent') continue;
      const res = results.get(r.id);
      const e: JournalEntry = {
        id: r.id,
        t: r.t_ms,
        session: r.cleanup_session,
        path: r.path,
        category: r.category ?? 'manual',
        bytes: r.bytes,
        diskBytes: r.disk_bytes,
        files: r.files,
        result: (res?.result as JournalResult | undefined) ?? 'pending',
        freedBytes: res?.bytes ?? 0,
        freedDiskBytes: res?.disk_bytes ?? 0,
        deletedFiles: res?.files ?? 0,
      };
      if (r.policy) e.policy = r.policy;
      if (res?.detail) e.detail = res.detail;
      const list = bySession.get(r.cleanup_session) ?? [];
      list.push(e);
      bySession.set(r.cleanup_session, list);
    }
    return [...bySession].map(([id, entries]) => ({
      id,
      startedAt: Math.min(...entries.map((e) => e.t)),
      endedAt: Math.max(...entries.map((e) => e.t)),
      entries,
    }));
  }
}

function journalRefused(code: string, why: string): ApiError {
  return new ApiError(503, 'JOURNAL_UNAVAILABLE', `nothing was deleted: the deletion journal cannot be written (${code}: ${why})`);
}

/** A readable, sortable id: the session's start time in UTC. */
function sessionId(t: number): string {
  return new Date(t).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}
