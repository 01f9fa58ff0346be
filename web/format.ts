// Sizes and counts come from shared/ so the app and the server's report agree;
// the date and share helpers below are only the app's.
import { formatCount } from '../shared/format.js';
export { formatBytes, formatCount } from '../shared/format.js';

const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** An absolute date and time in the user's locale. */
export function formatDateTime(ms: number): string {
  return ms > 0 ? dateTimeFormat.format(ms) : '—';
}

/** "5 min ago", "3 h ago", "2 d ago" within a month; null beyond, where a date says more. */
export function formatRelative(ms: number, now = Date.now()): string | null {
  if (!(ms > 0)) return null;
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  if (s < 30 * 86_400) return `${Math.floor(s / 86_400)} d ago`;
  return null;
}

/** A compact age for table cells: relative within a month, then the date. */
export function formatAge(ms: number, now = Date.now()): string {
  if (!(ms > 0)) return '—';
  return formatRelative(ms, now) ?? new Date(ms).toLocaleDateString();
}

/** A share as a whole percentage, with "<1%" for small non-zero shares. */
export function formatPercent(part: number, whole: number): string {
  if (!(whole > 0)) return '—';
  const p = (part / whole) * 100;
  if (p > 0 && p < 1) return '<1%';
  return `${Math.round(p)}%`;
}

/** A parameter or tensor count as people say it: 212 → "212", 11_200_000 → "11.2 M", 7e9 → "7.0 B". */
export function formatParams(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (n < 10_000) return formatCount(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} K`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} M`;
  return `${(n / 1e9).toFixed(1)} B`;
}

/** A metric value short enough for a table cell, exact for integers. */
export function formatMetric(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return formatCount(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}
