import type { History } from '../../../shared/schemas/index.js';

type Status = History['forecast']['status'];

/** The user's "Notify me" choice; the browser's permission is a separate gate. */
const CHOICE_KEY = 'ckptdash.forecast-notify';
/** The last level notified (or accepted as the baseline), shared by every tab of this server. */
const LAST_KEY = 'ckptdash.forecast-notified';
/**
 * A forecast near a threshold can flip between two statuses on successive polls. A notified level
 * is lowered only once it is this old, so flips within the hour do not notify again; and a gap
 * this long with no page watching (all tabs closed) starts over silently from what is on screen.
 */
export const RENOTIFY_AFTER_MS = 3600_000;

const LEVEL: Record<Status, number> = { none: 0, ok: 0, warning: 1, critical: 2 };

export interface Notified {
  /** The level last notified, or taken as known. */
  level: number;
  /** When that level was set. */
  at: number;
  /** When a page last looked at the forecast. */
  seen: number;
}

/** True where the page may show notifications at all (not in some embedded or old browsers). */
export function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && typeof window.Notification === 'function';
}

// Storage can throw (disabled, full, sandboxed frames): the choice then lasts for this page only.
function read(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // See read().
  }
}

export function readChoice(): boolean {
  return read(CHOICE_KEY) === 'on';
}

export function writeChoice(on: boolean): void {
  write(CHOICE_KEY, on ? 'on' : 'off');
}

export function readNotified(): Notified {
  try {
    const v = JSON.parse(read(LAST_KEY) ?? 'null') as Partial<Notified> | null;
    if (v && typeof v.level === 'number' && typeof v.at === 'number' && typeof v.seen === 'number') return { level: v.level, at: v.at, seen: v.seen };
  } catch {
    // A value this page did not write: start over.
  }
  return { level: 0, at: 0, seen: 0 };
}

export function writeNotified(n: Notified): void {
  write(LAST_KEY, JSON.stringify(n));
}

/** The current status taken as already known: turning notifications on does not notify about what is on screen. */
export function baseline(status: Status, now: number): Notified {
  return { level: LEVEL[status], at: now, seen: now };
}

/**
 * What to do about `status` given the last notification: notify on a rise above it (ok →
 * warning, warning → critical, or critical again after an hour of warning).
 */
export function decide(status: Status, last: Notified, now: number): { notify: boolean; next: Notified } {
  const level = LEVEL[status];
  if (now - last.seen >= RENOTIFY_AFTER_MS) return { notify: false, next: baseline(status, now) };
  if (level > last.level) return { notify: true, next: { level, at: now, seen: now } };
  if (level < last.level && now - last.at >= RENOTIFY_AFTER_MS) return { notify: false, next: baseline(status, now) };
  return { notify: false, next: { ...last, seen: now } };
}

/** Shows one notification; a failure (a browser that only allows them from a service worker) is ignored. */
export function show(title: string, body: string): void {
  try {
    const n = new window.Notification(title, { body, tag: 'ckptdash-forecast' });
    n.onclick = () => {
      window.focus();
      n.close();
    };
  } catch {
    // Nothing else to do: the banner on the page says the same.
  }
}
