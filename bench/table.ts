// The one table `npm run bench` prints: a row per measure, its anchor from
// the same run, the ratio, the target and whether this run met it.

interface Timed {
  runs?: number[];
  median: number;
}
interface Quantiles {
  median: number;
  p95: number;
  max?: number;
  samples?: number;
}

/** What each section's script writes with `--json` (only the fields the table reads). */
export interface BenchResults {
  scan?: {
    entries: number;
    scan: Timed;
    whole: Timed | null;
    tools: Record<string, (Timed & { name: string }) | { name: string; missing: true }>;
    memory: { entries: number; heapPerEntry: number; totalPerEntry: number; rss: number } | null;
  };
  watch?: {
    start: { ms: number; handles: number; rssAdded: number; heapAdded: number };
    idle: { seconds: number; percentOfCore: number };
    event: Quantiles;
  };
  browser?: {
    live: { sse: Quantiles; row: Quantiles };
    ui: { firstRows: Timed; domRowsMax: number; children: number; scrollMs: number };
  };
  api?: { rows: Array<{ route: string; median: number; p95: number; max: number; rps: number; errors: number; clients: number; requests: number }> };
  delete?: { files: number; guarded: Timed; rm: Timed };
  backup?: {
    bytes: number;
    levels: Array<{ level: number; ms: number; bytes: number; tarMs: number; tarBytes: number }>;
    verifyBackup?: { ms: number; ok: boolean };
    fullVerify?: { ms: number };
    unzip?: { ms: number; errors: number };
  };
}

export interface Row {
  /** Stable name, for `--compare`. */
  key: string;
  n: number;
  measure: string;
  /** The number compared across runs (lower is better), or null when not measured. */
  value: number | null;
  result: string;
  anchor: string;
  ratio: number | null;
  target: string;
  met: boolean | null;
}

const ms = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : x >= 100 ? `${x.toFixed(0)} ms` : `${x.toFixed(1)} ms`);
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const rate = (bytes: number, t: number) => `${(bytes / 1e6 / (t / 1000)).toFixed(0)} MB/s`;

type Failures = Partial<Record<string, string>>;

/** Rows for a section that did not run or failed: every measure of it says why. */
function missingRows(section: string, failures: Failures, only: readonly string[], rows: Array<Pick<Row, 'key' | 'n' | 'measure' | 'target'>>): Row[] {
  const why = failures[section] ? `failed: ${failures[section]}` : only.includes(section) ? 'no result' : `not run (--only)`;
  return rows.map((r) => ({ ...r, value: null, result: why, anchor: '', ratio: null, met: null }));
}

export function buildRows(r: BenchResults, failures: Failures, opts: { files: number; only: readonly string[] }): Row[] {
  const rows: Row[] = [];
  const k = (n: number) => (n >= 1e6 ? `${(n / 1e6).toLocaleString('en')}M` : `${(n / 1000).toLocaleString('en')}k`);

  // 1-2. Full scan and memory.
  const scanRows = [
    { key: 'scan.du', n: 1, measure: `Full scan to ready, in process (${k(opts.files)} files)`, target: '≤ 1.5× du -sb' },
    { key: 'scan.gdu', n: 1, measure: 'Full scan, in process, vs gdu', target: '< 1× gdu' },
    { key: 'scan.ncdu', n: 1, measure: 'Full scan, in process, vs ncdu', target: '< 1× ncdu' },
    { key: 'scan.whole', n: 1, measure: 'Full scan, whole process (start, scan, exit)', target: '—' },
    { key: 'memory.entry', n: 2, measure: `Index memory per entry (${k(opts.files)} files)`, target: '≤ 200 B at 1M' },
    { key: 'memory.rss', n: 2, measure: 'RSS with the index built', target: '—' },
  ];
  if (!r.scan) rows.push(...missingRows('scan', failures, opts.only, scanRows));
  else {
    const s = r.scan;
    const scan = s.scan.median;
    const tool = (key: string) => s.tools[key];
    for (const [i, key] of ['du', 'gdu', 'ncdu'].entries()) {
      const t = tool(key);
      const base = scanRows[i];
      if (!t || 'missing' in t) {
        rows.push({ ...base, value: scan, result: ms(scan), anchor: `${t?.name ?? key}: not installed (apt-get install ${key})`, ratio: null, met: null });
        continue;
      }
      const ratio = scan / t.median;
      const limit = key === 'du' ? 1.5 : 1;
      rows.push({ ...base, value: scan, result: ms(scan), anchor: `${t.name} ${ms(t.median)}`, ratio, met: key === 'du' ? ratio <= limit : ratio < limit });
    }
    const du = tool('du');
    if (s.whole) {
      const ratio = du && !('missing' in du) ? s.whole.median / du.median : null;
      rows.push({ ...scanRows[3], value: s.whole.median, result: ms(s.whole.median), anchor: du && !('missing' in du) ? `du -sb ${ms(du.median)}` : '', ratio, met: null });
    } else rows.push({ ...scanRows[3], value: null, result: 'needs npm run build:server', anchor: '', ratio: null, met: null });
    if (s.memory) {
      const m = s.memory;
      rows.push({ ...scanRows[4], value: m.totalPerEntry, result: `${m.totalPerEntry.toFixed(0)} B (JS heap ${m.heapPerEntry.toFixed(0)} B + typed arrays)`, anchor: `${m.entries.toLocaleString('en')} entries`, ratio: null, met: m.totalPerEntry <= 200 });
      rows.push({ ...scanRows[5], value: m.rss, result: mib(m.rss), anchor: '', ratio: null, met: null });
    } else rows.push(...missingRows('scan', { scan: 'run with node --expose-gc' }, opts.only, scanRows.slice(4)));
  }

  // 3. Watcher.
  const watchRows = [
    { key: 'watch.start', n: 3, measure: 'Start watching every folder', target: '—' },
    { key: 'watch.idle', n: 3, measure: 'CPU while watching, idle', target: '< 1% of a core' },
  ];
  if (!r.watch) rows.push(...missingRows('watch', failures, opts.only, watchRows));
  else {
    const w = r.watch;
    rows.push({ ...watchRows[0], value: w.start.ms, result: `${ms(w.start.ms)}, +${mib(w.start.rssAdded)} RSS`, anchor: `${w.start.handles.toLocaleString('en')} folders watched`, ratio: null, met: null });
    rows.push({ ...watchRows[1], value: w.idle.percentOfCore, result: `${w.idle.percentOfCore.toFixed(3)} % of a core`, anchor: `over ${w.idle.seconds} s`, ratio: null, met: w.idle.percentOfCore < 1 });
  }

  // 4 and 6. Live latency and the UI, in Chromium.
  const browserRows = [
    { key: 'live.sse', n: 4, measure: 'File created → SSE event, p95', target: '—' },
    { key: 'live.row', n: 4, measure: 'File created → row visible in the open page, p95', target: '< 300 ms' },
    { key: 'ui.first', n: 6, measure: `Tree page: navigation to the first rows (${k(opts.files)} files)`, target: '—' },
    { key: 'ui.dom', n: 6, measure: 'Tree page: most rows in the DOM while scrolling', target: '—' },
  ];
  if (!r.browser) rows.push(...missingRows('browser', failures, opts.only, browserRows));
  else {
    const { live, ui } = r.browser;
    const q = (x: Quantiles) => `median ${ms(x.median)}, p95 ${ms(x.p95)}`;
    rows.push({ ...browserRows[0], value: live.sse.p95, result: q(live.sse), anchor: `${live.sse.samples ?? ''} files`.trim(), ratio: null, met: null });
    rows.push({ ...browserRows[1], value: live.row.p95, result: q(live.row), anchor: `${live.row.samples ?? ''} files`.trim(), ratio: null, met: live.row.p95 < 300 });
    rows.push({ ...browserRows[2], value: ui.firstRows.median, result: ms(ui.firstRows.median), anchor: '', ratio: null, met: null });
    rows.push({ ...browserRows[3], value: ui.domRowsMax, result: `${ui.domRowsMax} rows`, anchor: `folder of ${ui.children.toLocaleString('en')}, scrolled through in ${ms(ui.scrollMs)}`, ratio: null, met: null });
  }

  // 5. API under concurrent clients.
  if (!r.api) rows.push(...missingRows('api', failures, opts.only, [{ key: 'api', n: 5, measure: 'API p95 under 16 clients', target: '< 50 ms' }]));
  else {
    for (const a of r.api.rows) {
      const err = a.errors ? `, ${a.errors} errors` : '';
      rows.push({
        key: `api.${a.route}`,
        n: 5,
        measure: `API ${a.route}, p95 under ${a.clients} clients`,
        value: a.p95,
        result: `median ${ms(a.median)}, p95 ${ms(a.p95)}${err}`,
        anchor: `${a.rps.toFixed(0)} requests/s`,
        ratio: null,
        target: '< 50 ms',
        met: a.p95 < 50 && a.errors === 0,
      });
    }
  }

  // 7. Deletion.
  const delRow = { key: 'delete', n: 7, measure: 'Guarded deletion (checks, journal, index)', target: '—' };
  if (!r.delete) rows.push(...missingRows('delete', failures, opts.only, [delRow]));
  else {
    const d = r.delete;
    rows.push({ ...delRow, measure: `${delRow.measure} of ${d.files.toLocaleString('en')} files`, value: d.guarded.median, result: ms(d.guarded.median), anchor: `rm -rf of a copy ${ms(d.rm.median)}`, ratio: d.guarded.median / d.rm.median, met: null });
  }

  // 8. Backup and verify.
  const backupRows = [
    { key: 'backup.write', n: 8, measure: 'Backup (gzip level 1, written and read back)', target: '—' },
    { key: 'backup.verify', n: 8, measure: 'Full verify of the checkpoints (every CRC-32)', target: '—' },
  ];
  if (!r.backup || r.backup.levels.length === 0) rows.push(...missingRows('backup', failures, opts.only, backupRows));
  else {
    const b = r.backup;
    const l = b.levels[0];
    rows.push({ ...backupRows[0], measure: `${backupRows[0].measure}, ${(b.bytes / 1e6).toFixed(0)} MB`, value: l.ms, result: `${ms(l.ms)}, ${rate(b.bytes, l.ms)}`, anchor: `tar -czf (gzip -${l.level}) ${ms(l.tarMs)}`, ratio: l.ms / l.tarMs, met: null });
    if (b.fullVerify && b.unzip) {
      rows.push({ ...backupRows[1], value: b.fullVerify.ms, result: `${ms(b.fullVerify.ms)}, ${rate(b.bytes, b.fullVerify.ms)}`, anchor: `unzip -tq ${ms(b.unzip.ms)}`, ratio: b.fullVerify.ms / b.unzip.ms, met: null });
    } else if (b.fullVerify) {
      rows.push({ ...backupRows[1], value: b.fullVerify.ms, result: ms(b.fullVerify.ms), anchor: 'unzip: not installed (apt-get install unzip)', ratio: null, met: null });
    } else rows.push(...missingRows('backup', failures, opts.only, backupRows.slice(1)));
  }
  // Stable: rows keep their order within a number.
  return rows.sort((a, b) => a.n - b.n);
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

export function renderTable(rows: readonly Row[]): string {
  const lines = ['| # | Measure | ckptdash | Anchor (same run) | Ratio | Target | Met |', '| --- | --- | --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    const met = r.met === null ? '' : r.met ? 'yes' : '**no**';
    lines.push(`| ${r.n} | ${cell(r.measure)} | ${cell(r.result)} | ${cell(r.anchor)} | ${r.ratio === null ? '' : `${r.ratio.toFixed(2)}×`} | ${cell(r.target)} | ${met} |`);
  }
  return lines.join('\n');
}

/** Each row's value against the same row of an earlier run (matched by key). */
export function compareRows(before: readonly Row[], now: readonly Row[]): string {
  const lines = ['| # | Measure | before | now | change |', '| --- | --- | --- | --- | --- |'];
  const old = new Map(before.map((r) => [r.key, r]));
  for (const r of now) {
    const b = old.get(r.key);
    const change = b?.value != null && r.value != null && b.value !== 0 ? `${(((r.value - b.value) / b.value) * 100).toFixed(1)} %` : '';
    lines.push(`| ${r.n} | ${cell(r.measure)} | ${b ? cell(b.result) : 'not in that run'} | ${cell(r.result)} | ${change} |`);
  }
  return lines.join('\n');
}
