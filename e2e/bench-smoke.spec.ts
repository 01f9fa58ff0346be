import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { makeTempDir } from './fixtures.js';

// `npm run bench` on tiny inputs (`--smoke`): every section runs for real,
// Chromium included, and the table has its shape. No time is asserted.

const COLUMNS = ['#', 'Measure', 'ckptdash', 'Anchor (same run)', 'Ratio', 'Target', 'Met'];
const EARLIER = 'bench/results/latest.json';

/** The cells of a markdown table row; `\|` is a pipe inside a cell. */
const cells = (line: string) => line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim());

function tableAfter(text: string, header: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(header));
  expect(start, `a table starting with "${header}"`).toBeGreaterThanOrEqual(0);
  const rows: string[] = [];
  for (let i = start; i < lines.length && lines[i].startsWith('|'); i++) rows.push(lines[i]);
  return rows;
}

test('the benchmark runs every section on a tiny tree and prints one table of the eight measures', async () => {
  test.setTimeout(300_000);
  const tmp = makeTempDir('ckptdash-bench-smoke-');
  try {
    const out = join(tmp.dir, 'latest.md');
    const json = join(tmp.dir, 'latest.json');
    const run = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke', '--out', out, '--json', json, '--compare', EARLIER], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    run.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    run.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((res) => run.on('close', res));
    expect(code, `bench exited with ${code}:\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`).toBe(0);

    const md = readFileSync(out, 'utf8');
    expect(md).toMatch(/^# ckptdash benchmarks\n/);
    expect(md).toContain('2,000 files');
    const table = tableAfter(md, '| # |');
    expect(cells(table[0])).toEqual(COLUMNS);
    expect(table[1]).toBe(`|${' --- |'.repeat(COLUMNS.length)}`);
    const rows = table.slice(2).map(cells);
    for (const row of rows) {
      expect(row).toHaveLength(COLUMNS.length);
      expect(row[2], `${row[1]} has a result`).not.toBe('');
      expect(row[2], `${row[1]} ran`).not.toMatch(/^(failed|no result|not run)/);
      expect(['', 'yes', '**no**']).toContain(row[6]);
      if (row[5] !== '—') expect(row[6], `${row[1]} says whether its target was met`).not.toBe('');
    }
    // The eight measures, in order.
    const numbers = rows.map((r) => Number(r[0]));
    expect([...new Set(numbers)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const measures = rows.map((r) => r[1]).join('\n');
    for (const anchor of ['du -sb', 'gdu', 'ncdu']) expect(md).toContain(anchor);
    for (const m of ['Full scan to ready', 'memory per entry', 'idle', 'row visible', '/api/summary', '/api/tree', '/api/plan', 'first rows', 'DOM', 'deletion', 'Backup', 'verify']) {
      expect(measures.toLowerCase()).toContain(m.toLowerCase());
    }
    // The same table on the terminal, then the change against the committed run.
    expect(stdout).toContain(table.join('\n'));
    const change = tableAfter(stdout, '| # | Measure | before | now | change |');
    expect(change).toHaveLength(rows.length + 2);

    const data = JSON.parse(readFileSync(json, 'utf8')) as { rows: Array<{ key: string; n: number; result: string }> };
    expect(data.rows.map((r) => r.result)).toEqual(rows.map((r) => r[2].replace(/\\\|/g, '|')));
    expect(new Set(data.rows.map((r) => r.key)).size).toBe(data.rows.length);
  } finally {
    tmp.remove();
  }
  expect(existsSync(tmp.dir)).toBe(false);
});
