/**
 * Sizes are shown in binary units, powers of 1024 as `du -h`, `ncdu` and
 * `nvidia-smi` count them, so the numbers match what users already read in
 * their terminal (the seed report's "22 GB" is du's 22G). The labels say so
 * (GiB, not GB), and every size in the app goes through this one function.
 */
export const SIZE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

const STEP = 1024;

/** Human size with one decimal above 1 KiB: 0 → "0 B", 47_185_920 → "45.0 MiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  if (bytes < 0) return `-${formatBytes(-bytes)}`;
  if (bytes < STEP) return `${Math.round(bytes)} B`;
  let unit = 0;
  let value = bytes;
  while (value >= STEP && unit < SIZE_UNITS.length - 1) {
    value /= STEP;
    unit++;
  }
  // 1023.96 KiB would print as "1024.0 KiB": carry into the next unit instead.
  if (Number(value.toFixed(1)) >= STEP && unit < SIZE_UNITS.length - 1) {
    value /= STEP;
    unit++;
  }
  return `${value.toFixed(1)} ${SIZE_UNITS[unit]}`;
}

/** A count with comma thousands separators, e.g. 1125 → "1,125" (fixed, not locale-dependent). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.round(Math.abs(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
