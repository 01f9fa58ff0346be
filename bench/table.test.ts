import { describe, expect, it } from 'vitest';
import { buildRows, compareRows, renderTable, type BenchResults } from './table.js';

const scan: NonNullable<BenchResults['scan']> = {
  entries: 1000,
  scan: { median: 120 },
  whole: { median: 300 },
  tools: {
    du: { name: 'du -sb', median: 100 },
    gdu: { name: 'gdu -n -p', median: 200 },
    ncdu: { name: 'ncdu -o /dev/null', missing: true },
  },
  memory: { entries: 1000, heapPerEntry: 40, totalPerEntry: 150, rss: 80 * 2 ** 20 },
};

describe('the benchmark table', () => {
  it('puts each measure beside its anchor, with the ratio and whether the target was met', () => {
    const rows = buildRows({ scan }, {}, { files: 1000, only: ['scan'] });
    const du = rows.find((r) => r.key === 'scan.du')!;
    expect(du.ratio).toBeCloseTo(1.2);
    expect(du.met).toBe(true);
    expect(rows.find((r) => r.key === 'scan.gdu')!.met).toBe(true);
    const ncdu = rows.find((r) => r.key === 'scan.ncdu')!;
    expect(ncdu.anchor).toMatch(/not installed \(apt-get install ncdu\)/);
    expect(ncdu.met).toBeNull();
    expect(rows.find((r) => r.key === 'memory.entry')!.met).toBe(true);
  });

  it('says which sections failed or were not run, and keeps the rows in the order of the issue', () => {
    const rows = buildRows({}, { api: 'exited with status 1' }, { files: 1000, only: ['api', 'delete'] });
    expect(rows.find((r) => r.key === 'api')!.result).toBe('failed: exited with status 1');
    expect(rows.find((r) => r.key === 'delete')!.result).toBe('no result');
    expect(rows.find((r) => r.key === 'backup.write')!.result).toBe('not run (--only)');
    expect(rows.map((r) => r.n)).toEqual([...rows.map((r) => r.n)].sort((a, b) => a - b));
    expect(new Set(rows.map((r) => r.n))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8]));
  });

  it('renders one markdown row per measure and escapes pipes', () => {
    const rows = buildRows({ scan }, {}, { files: 1000, only: ['scan'] });
    rows[0].measure = 'a | b';
    const lines = renderTable(rows).split('\n');
    expect(lines).toHaveLength(rows.length + 2);
    expect(lines[2]).toContain('a \\| b');
    for (const line of lines) expect(line.split(/(?<!\\)\|/).length).toBe(9);
  });

  it('compares with an earlier run by key', () => {
    const before = buildRows({ scan }, {}, { files: 1000, only: ['scan'] });
    const now = buildRows({ scan: { ...scan, scan: { median: 90 } } }, {}, { files: 1000, only: ['scan'] });
    const text = compareRows(before, now);
    expect(text).toContain('| 1 | Full scan to ready, in process (1k files) | 120 ms | 90.0 ms | -25.0 % |');
    expect(compareRows([], now)).toContain('not in that run');
  });
});
