// Shaping the journal for the History page: a session's totals and its time span in words.
import type { JournalEntry, JournalSessions } from '../../../shared/schemas/index.js';

export type JournalSession = JournalSessions['sessions'][number];

export interface SessionTotals {
  /** Deletions tried in the session. */
  count: number;
  deleted: number;
  /** Everything actually removed, partial deletions included. */
  freedBytes: number;
  freedDiskBytes: number;
  files: number;
  /** How many ended otherwise, by result (partial, failed, interrupted, pending). */
  other: Partial<Record<JournalEntry['result'], number>>;
}

export function sessionTotals(s: JournalSession): SessionTotals {
  const t: SessionTotals = { count: s.entries.length, deleted: 0, freedBytes: 0, freedDiskBytes: 0, files: 0, other: {} };
  for (const e of s.entries) {
    t.freedBytes += e.freedBytes;
    t.freedDiskBytes += e.freedDiskBytes;
    t.files += e.deletedFiles;
    if (e.result === 'deleted') t.deleted++;
    else t.other[e.result] = (t.other[e.result] ?? 0) + 1;
  }
  return t;
}

const day = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const timeWithSeconds = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

function sameDay(a: number, b: number): boolean {
  return new Date(a).toDateString() === new Date(b).toDateString();
}

/** "Dec 8, 2025, 07:30 – 08:10", the end's date written only when it is another day. */
export function formatSpan(start: number, end: number): string {
  const from = `${day.format(start)}, ${time.format(start)}`;
  if (end - start < 60_000 && sameDay(start, end)) return from;
  return `${from} – ${sameDay(start, end) ? time.format(end) : `${day.format(end)}, ${time.format(end)}`}`;
}

/** A row's time: the session heading already says the day, unless the session crosses midnight. */
export function formatWhen(t: number, session: JournalSession): string {
  return sameDay(session.startedAt, session.endedAt) ? timeWithSeconds.format(t) : `${day.format(t)}, ${timeWithSeconds.format(t)}`;
}

export const RESULT_LABEL: Record<JournalEntry['result'], string> = {
  deleted: 'deleted',
  partial: 'partly deleted',
  failed: 'failed',
  interrupted: 'interrupted',
  pending: 'in progress',
};
