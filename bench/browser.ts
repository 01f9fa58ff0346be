/**
 * Live latency and Tree page navigation in real Chromium against the built server:
 *
 *   npm run build && node --import tsx bench/browser.ts [--files 200000] [--samples 50] [--children N]
 *     [--runs 5] [--pause-ms 100] [--live-budget-s 45] [--json FILE]
 *
 * Serves one temporary tree with `bin/ckptdash.js`: `--files` empty checkpoints laid out like the
 * scan benchmark's (sessionS/runR/seedK/checkpoint_epochN.pt, 100 per leaf folder, every 1000th a
 * sparse 40 GB one), a `wide/` folder of `--children` files (a tenth of `--files`, 1,000 to
 * 20,000, unless given) and a `live/` folder, all dated two days ago; waits until the server has
 * scanned it and read every checkpoint. Then, in one page:
 *
 *  - the Overview once: when its last API request ended, and its slowest request.
 *  - first rows: the time from clicking the Tree link on a freshly loaded History page to the
 *    first labelled row in the grid, and from the start of a fresh load of /tree to the same;
 *    medians of `--runs`.
 *  - scrolling: `wide/` open, the grid is scrolled to the bottom one viewport at a time, each
 *    step waiting until no row in view is still loading; records the most `[role=row]` elements
 *    the grid held at any frame and the time the whole scroll took.
 *  - live latency, last (the files it writes keep the server busy for a while): with `live/` open
 *    in the Tree page sorted by date (a new file is the newest, so its row lands at the top, in
 *    view), up to `--samples` files are created one at a time, for at most `--live-budget-s`.
 *    For each: creation → the `tree` event that names it reaches a separate Node client of
 *    /api/events, and creation → its row seen by a MutationObserver in the page
 *    (`performance.timeOrigin + performance.now()` corrected to the page's wall clock, which
 *    Node shares).
 *
 * Not a test: nothing asserts a time.
 */
import { closeSync, futimesSync, mkdirSync, openSync, truncateSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Locator, type Page, type Request } from '@playwright/test';
import { chromiumLaunch } from '../playwright.config.js';
import { makeTempDir, startServer, writeFile, type RunningServer } from '../e2e/fixtures.js';
import { median, quantile, sleep } from './lib.js';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '200000' },
    samples: { type: 'string', default: '50' },
    /** Children of `wide/`; by default a tenth of --files, at least 1,000 and at most 20,000. */
    children: { type: 'string' },
    runs: { type: 'string', default: '5' },
    'pause-ms': { type: 'string', default: '100' },
    /** Live sampling stops after this many seconds even if fewer than --samples were taken. */
    'live-budget-s': { type: 'string', default: '45' },
    json: { type: 'string' },
  },
});
const FILES = Number(values.files);
const SAMPLES = Number(values.samples);
const CHILDREN = values.children !== undefined ? Number(values.children) : Math.min(20_000, Math.max(1_000, Math.round(FILES / 10)));
const RUNS = Number(values.runs);
const PAUSE_MS = Number(values['pause-ms']);
const LIVE_BUDGET_S = Number(values['live-budget-s']);
for (const [name, n, min] of [['files', FILES, 0], ['samples', SAMPLES, 1], ['children', CHILDREN, 1], ['runs', RUNS, 1], ['pause-ms', PAUSE_MS, 0], ['live-budget-s', LIVE_BUDGET_S, 1]] as const) {
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
}

const LIVE = 'live';
const WIDE = 'wide';
const PREFIX = 'bench_new_';
const PER_DIR = 100;
/** How long the server may take to scan and read every checkpoint before the measurements start. */
const SETTLE_TIMEOUT_MS = 300_000;
/**
 * Between progress checks while the server settles. Not shorter: a summary asked for while the
 * checkpoints are being read makes the server redo its tag rules, which slows the reading down.
 */
const SETTLE_POLL_MS = 2_000;
/**
 * The generated files are dated this long ago: a settled tree. Just-written files would count as
 * being written (empty checkpoints look truncated, which keeps them `writing` for two minutes),
 * and their expiry would make the server redo its rules in the middle of the measurements.
 */
const AGE_MS = 2 * 86_400_000;
/** A row not seen (or an event not received) within this is reported as a failure, not waited for. */
const SAMPLE_TIMEOUT_MS = 10_000;

export interface Stats {
  median: number;
  p95: number;
  max: number;
  samples: number;
}



const round = (x: number) => Math.round(x * 10) / 10;

function stats(xs: number[]): Stats {
  if (xs.length === 0) return { median: NaN, p95: NaN, max: NaN, samples: 0 };
  return { median: round(median(xs)), p95: round(quantile(xs, 0.95)), max: round(Math.max(...xs)), samples: xs.length };
}

const now = () => performance.timeOrigin + performance.now();

// ---------------------------------------------------------------------------------------------
// The tree.

/** An empty file dated `when` (seconds since the epoch), `bytes` long as a hole. */
function emptyFile(path: string, when: number, bytes = 0): void {
  const fd = openSync(path, 'w');
  try {
    if (bytes > 0) truncateSync(path, bytes);
    futimesSync(fd, when, when);
  } finally {
    closeSync(fd);
  }
}

/** sessionS/runR/seedK/checkpoint_epochN.pt, PER_DIR files per leaf folder; every 1000th file is a sparse 40 GB one. */
function generate(root: string, n: number, when: number): void {
  let made = 0;
  for (let d = 0; made < n; d++) {
    const dir = join(root, `session${d % 20}`, `run${Math.floor(d / 20) % 50}`, `seed${d}`);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < PER_DIR && made < n; i++, made++) emptyFile(join(dir, `checkpoint_epoch${i}.pt`), when, made % 1000 === 0 ? 40e9 : 0);
  }
}

function writeWide(dir: string, count: number, when: number): void {
  mkdirSync(dir, { recursive: true });
  const width = String(count).length;
  for (let i = 1; i <= count; i++) emptyFile(join(dir, `item_${String(i).padStart(width, '0')}.dat`), when);
}

// ---------------------------------------------------------------------------------------------
// A Node client of the event stream.

function apiGet<T>(server: RunningServer, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${server.origin}${path}`, { headers: { authorization: `Bearer ${server.token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body) as T) : reject(new Error(`${path}: HTTP ${res.statusCode} ${body}`))));
    });
    req.on('error', reject);
  });
}

/** Subscribes to /api/events and notes when each path first arrives as an upsert of a `tree` event. */
class EventClient {
  private readonly seen = new Map<string, number>();
  private readonly waiters = new Map<string, (at: number) => void>();
  private req: http.ClientRequest | undefined;

  constructor(private readonly server: RunningServer) {}

  /** Resolves once the stream's `hello` has arrived. */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.req = http.get(
        `${this.server.origin}/api/events`,
        { headers: { authorization: `Bearer ${this.server.token}`, accept: 'text/event-stream' } },
        (res) => {
          if (res.statusCode !== 200) return reject(new Error(`/api/events: HTTP ${res.statusCode}`));
          res.setEncoding('utf8');
          let buffer = '';
          res.on('data', (chunk: string) => {
            const at = now();
            buffer += chunk;
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const frame = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const data = frame
                .split('\n')
                .filter((l) => l.startsWith('data:'))
                .map((l) => l.slice(5).trimStart())
                .join('\n');
              if (data === '') continue;
              const event = JSON.parse(data) as { type: string; upserts?: Array<{ path: string }> };
              if (event.type === 'hello') resolve();
              if (event.type !== 'tree') continue;
              for (const { path } of event.upserts ?? []) {
                if (this.seen.has(path)) continue;
                this.seen.set(path, at);
                this.waiters.get(path)?.(at);
              }
            }
          });
        },
      );
      this.req.on('error', reject);
    });
  }

  /** When `path` arrived, waiting up to `timeoutMs` for it. */
  arrival(path: string, timeoutMs: number): Promise<number> {
    const at = this.seen.get(path);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(path);
        reject(new Error(`no tree event for ${path} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(path, (t) => {
        clearTimeout(timer);
        this.waiters.delete(path);
        resolve(t);
      });
    });
  }

  close(): void {
    this.req?.destroy();
  }
}

/** Waits until the first scan is over and every checkpoint has been read, so the browser measures a settled server. */
async function settle(server: RunningServer): Promise<{ ms: number; files: number; checkpoints: number }> {
  const t = performance.now();
  for (;;) {
    const s = await apiGet<{ scan: { state: string }; models: { read: number; total: number }; totals: { files: number } }>(server, '/api/summary');
    if (s.scan.state === 'ready' && s.models.read >= s.models.total) return { ms: performance.now() - t, files: s.totals.files, checkpoints: s.models.total };
    if (performance.now() - t > SETTLE_TIMEOUT_MS) throw new Error(`the server did not settle within ${SETTLE_TIMEOUT_MS} ms: ${JSON.stringify(s)}`);
    await sleep(SETTLE_POLL_MS);
  }
}

// ---------------------------------------------------------------------------------------------
// The page.

const treeOf = (page: Page) => page.getByRole('treegrid', { name: 'Checkpoints tree' });
const navLink = (page: Page, name: string) => page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name });

/**
 * Installed before every document's own scripts: notes (in ms since navigation start) when the
 * tree grid first holds a labelled row, i.e. a row with an entry rather than a placeholder.
 */
const FIRST_ROW_PROBE = `(() => {
  const obs = new MutationObserver(() => {
    if (document.querySelector('[role="treegrid"] [role="rowgroup"] + [role="rowgroup"] [role="row"][aria-label]')) {
      window.benchFirstRow = performance.now();
      obs.disconnect();
    }
  });
  obs.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-label'] });
})();`;

/** A page's load: until its last API request ended, and its slowest request. */
interface PageLoad {
  ms: number;
  slowest: { path: string; ms: number; bytes: number } | null;
}

/**
 * A fresh load of one of the app's pages, settled: every API request it made has ended (the event
 * stream aside) and none started for QUIET_MS, so a click that follows is not queued behind them.
 */
async function loadSettled(page: Page, origin: string, path: string): Promise<PageLoad> {
  const QUIET_MS = 500;
  const pending = new Set<Request>();
  let lastChange = performance.now();
  let slowest: PageLoad['slowest'] = null;
  const isApi = (r: Request) => r.url().startsWith(`${origin}/api/`) && !r.url().startsWith(`${origin}/api/events`);
  const started = (r: Request) => {
    if (!isApi(r)) return;
    pending.add(r);
    lastChange = performance.now();
  };
  const ended = async (r: Request) => {
    if (!pending.delete(r)) return;
    lastChange = performance.now();
    const timing = r.timing();
    const ms = timing.responseEnd >= 0 ? timing.responseEnd : NaN;
    if (!(ms <= (slowest?.ms ?? -1))) {
      const bytes = (await r.sizes().catch(() => null))?.responseBodySize ?? 0;
      slowest = { path: new URL(r.url()).pathname, ms: round(ms), bytes };
    }
  };
  page.on('request', started);
  page.on('requestfinished', ended);
  page.on('requestfailed', ended);
  const t0 = performance.now();
  try {
    await page.goto(`${origin}${path}`);
    await page.getByRole('status', { name: 'Server connection' }).filter({ hasText: 'Live' }).waitFor();
    await navLink(page, 'Tree').waitFor();
    while (pending.size > 0 || performance.now() - lastChange < QUIET_MS) {
      if (performance.now() - t0 > 60_000) throw new Error(`${path} still had ${pending.size} requests open after 60 s`);
      await sleep(50);
    }
  } finally {
    page.off('request', started);
    page.off('requestfinished', ended);
    page.off('requestfailed', ended);
  }
  return { ms: round(lastChange - t0), slowest };
}

/** Click on the Tree link → first labelled row, timed inside the page. */
async function timeClickToRows(page: Page): Promise<number> {
  // No named functions inside: tsx would wrap them in a helper that does not exist in the page.
  return navLink(page, 'Tree').evaluate(
    (link) =>
      new Promise<number>((resolve, reject) => {
        const query = '[role="treegrid"] [role="rowgroup"] + [role="rowgroup"] [role="row"][aria-label]';
        const t0 = performance.now();
        const obs = new MutationObserver(() => {
          if (!document.querySelector(query)) return;
          obs.disconnect();
          resolve(performance.now() - t0);
        });
        obs.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-label'] });
        setTimeout(() => reject(new Error('no tree rows within 30 s of the click')), 30_000);
        (link as HTMLElement).click();
      }),
  );
}

/** A fresh load of /tree → first labelled row, from the navigation's start. */
async function timeLoadToRows(page: Page, origin: string): Promise<number> {
  await page.goto(`${origin}/tree`);
  const handle = await page.waitForFunction(() => (window as unknown as { benchFirstRow?: number }).benchFirstRow, undefined, { polling: 20, timeout: 30_000 });
  return (await handle.jsonValue()) as number;
}

/** Selects the row named `name` at the top level and opens it; resolves when `child` is listed. */
async function openFolder(page: Page, name: string, child: Locator): Promise<void> {
  await treeOf(page).getByRole('row', { name, exact: true }).click();
  await page.keyboard.press('ArrowRight');
  await child.first().waitFor();
}

/** Sorts the tree by Modified, newest first. */
async function sortNewestFirst(page: Page): Promise<void> {
  const tree = treeOf(page);
  const modified = tree.getByRole('columnheader', { name: 'Modified' });
  for (let i = 0; i < 2 && (await modified.getAttribute('aria-sort')) !== 'descending'; i++) await tree.getByRole('button', { name: 'Modified' }).click();
}

/** Records, in the page, when each row named PREFIX… first appears in the tree grid. */
async function observeRows(page: Page): Promise<void> {
  await treeOf(page).evaluate((grid, prefix) => {
    const seen: Record<string, number> = {};
    // Virtualized rows are reused: a row can change its name instead of being added.
    const obs = new MutationObserver(() => {
      const at = performance.timeOrigin + performance.now();
      for (const row of grid.querySelectorAll(`[role="row"][aria-label^="${prefix}"]`)) {
        const name = row.getAttribute('aria-label')!;
        if (!(name in seen)) seen[name] = at;
      }
    });
    obs.observe(grid, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-label'] });
    Object.assign(window, { benchSeen: seen, benchSeenObserver: obs });
  }, PREFIX);
}

async function measureLive(page: Page, root: string, events: EventClient): Promise<{ sse: number[]; row: number[]; failures: string[]; budgetHit: boolean }> {
  const tree = treeOf(page);
  await sortNewestFirst(page);
  await openFolder(page, LIVE, tree.getByRole('row', { name: 'seed.pt', exact: true }));
  await page.getByRole('status', { name: 'Server connection' }).filter({ hasText: 'Live' }).waitFor();
  await observeRows(page);
  // The page's high-resolution clock against its wall clock, which is the one Node reads.
  const offset = await page.evaluate(() => Date.now() - (performance.timeOrigin + performance.now()));

  const sse: number[] = [];
  const row: number[] = [];
  const failures: string[] = [];
  const width = String(SAMPLES).length;
  const started = performance.now();
  let budgetHit = false;
  for (let i = 1; i <= SAMPLES; i++) {
    if (performance.now() - started > LIVE_BUDGET_S * 1000) {
      budgetHit = true;
      break;
    }
    const name = `${PREFIX}${String(i).padStart(width, '0')}.pt`;
    const path = `${LIVE}/${name}`;
    const createdWall = Date.now();
    const created = now();
    writeFileSync(join(root, LIVE, name), Buffer.alloc(1024));
    const [eventAt, seenAt] = await Promise.allSettled([
      events.arrival(path, SAMPLE_TIMEOUT_MS),
      page
        .waitForFunction((n) => (window as unknown as { benchSeen: Record<string, number> }).benchSeen[n], name, { polling: 10, timeout: SAMPLE_TIMEOUT_MS })
        .then((h) => h.jsonValue() as Promise<number>),
    ]);
    if (eventAt.status === 'fulfilled') sse.push(eventAt.value - created);
    else failures.push(String(eventAt.reason));
    if (seenAt.status === 'fulfilled') row.push(seenAt.value + offset - createdWall);
    else failures.push(`row ${name} not seen within ${SAMPLE_TIMEOUT_MS} ms`);
    await sleep(PAUSE_MS);
  }
  await page.evaluate(() => (window as unknown as { benchSeenObserver: MutationObserver }).benchSeenObserver.disconnect());
  return { sse, row, failures, budgetHit };
}

/**
 * Scrolls the grid to the bottom one viewport per step, each step waiting (frame by frame) until
 * no row in view is a loading placeholder; counts the grid's rows at every frame.
 */
async function measureScroll(page: Page): Promise<{ ms: number; domRowsMax: number; steps: number; rows: number; stalls: number }> {
  // No named functions inside: tsx would wrap them in a helper that does not exist in the page.
  return treeOf(page).evaluate(async (grid) => {
    const body = grid.querySelector('[role="rowgroup"] + [role="rowgroup"]')!;
    let domRowsMax = 0;
    let steps = 0;
    let stalls = 0;
    grid.scrollTop = 0;
    await new Promise((r) => requestAnimationFrame(r));
    const t0 = performance.now();
    while (grid.scrollTop + grid.clientHeight < grid.scrollHeight - 1) {
      grid.scrollTop += grid.clientHeight;
      steps++;
      const stepStart = performance.now();
      for (;;) {
        await new Promise((r) => requestAnimationFrame(r));
        domRowsMax = Math.max(domRowsMax, grid.querySelectorAll('[role="row"]').length);
        const top = grid.getBoundingClientRect().top;
        const bottom = top + grid.clientHeight;
        let loading = false;
        for (const row of body.querySelectorAll('[role="row"]:not([aria-label])')) {
          const r = row.getBoundingClientRect();
          if (r.bottom > top && r.top < bottom) loading = true;
        }
        if (!loading) break;
        if (performance.now() - stepStart > 10_000) {
          stalls++;
          break;
        }
      }
    }
    return { ms: performance.now() - t0, domRowsMax, steps, rows: Number(grid.getAttribute('aria-rowcount')) - 1, stalls };
  });
}

// ---------------------------------------------------------------------------------------------

function liveTable(live: { sse: Stats; row: Stats }): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '—');
  return [
    '| live latency | samples | median (ms) | p95 (ms) | max (ms) |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| file created → SSE \`tree\` event (Node client) | ${live.sse.samples} | ${f(live.sse.median)} | ${f(live.sse.p95)} | ${f(live.sse.max)} |`,
    `| file created → row visible in the open Tree page | ${live.row.samples} | ${f(live.row.median)} | ${f(live.row.p95)} | ${f(live.row.max)} |`,
  ].join('\n');
}

/** Set by SIGINT/SIGTERM: what fails after it (the browser closing under a step) is not an error to report. */
let interrupted = false;

async function main(): Promise<void> {
  const notes: string[] = [];
  const tmp = makeTempDir('ckptdash-bench-browser-');
  const root = join(tmp.dir, 'checkpoints');
  let server: RunningServer | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  let client: EventClient | undefined;
  // An interrupted run (Ctrl-C, a timeout's SIGTERM) still stops its server and removes its tree.
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      interrupted = true;
      client?.close();
      void Promise.allSettled([browser?.close(), server?.stop()]).finally(() => {
        tmp.remove();
        process.exit(code);
      });
    });
  }
  try {
    let t = performance.now();
    const when = (Date.now() - AGE_MS) / 1000;
    generate(root, FILES, when);
    writeWide(join(root, WIDE), CHILDREN, when);
    writeFile(root, `${LIVE}/seed.pt`, 1024, 3600_000);
    const generatedMs = performance.now() - t;

    server = await startServer({ checkpoints: root, state: join(tmp.dir, 'state') });
    const settled = await settle(server);
    notes.push(
      `tree: ${settled.files.toLocaleString('en')} files (${FILES.toLocaleString('en')} generated checkpoints, ${WIDE}/ with ${CHILDREN.toLocaleString('en')}, ${LIVE}/), ` +
        `written in ${(generatedMs / 1000).toFixed(1)} s; the built server scanned it and read its ${settled.checkpoints.toLocaleString('en')} checkpoints ` +
        `${(settled.ms / 1000).toFixed(1)} s after printing its URL`,
    );

    browser = await chromium.launch(chromiumLaunch);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.addInitScript(FIRST_ROW_PROBE);
    // The link's fragment carries the token; the app trades it for a session cookie that later loads reuse.
    await page.goto(server.url);
    await navLink(page, 'Tree').waitFor();

    // The landing page, once: what it costs on this tree (summary, history, run totals, the first tree page).
    const overview = await loadSettled(page, server.origin, '/');
    notes.push(
      `Overview: its API requests all ended ${overview.ms.toFixed(0)} ms after its load started` +
        (overview.slowest ? `; slowest request ${overview.slowest.path}, ${overview.slowest.ms.toFixed(0)} ms, ${(overview.slowest.bytes / 1024).toFixed(0)} KiB` : ''),
    );

    // First rows: a fresh page each run, so nothing is cached in the app from the run before. The
    // click starts from the History page, which lists no tree: the Tree page fetches its first page.
    t = performance.now();
    const clicks: number[] = [];
    const loads: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      await loadSettled(page, server.origin, '/history');
      clicks.push(round(await timeClickToRows(page)));
      loads.push(round(await timeLoadToRows(page, server.origin)));
    }
    notes.push(
      'firstRows: click on the Tree link of a freshly loaded History page whose requests have all ended → first labelled row (the first page of the top level is fetched and rendered); ' +
        `firstRowsLoad: start of a fresh load of /tree → first labelled row (HTML, scripts, session, summary and the first page); ${((performance.now() - t) / 1000).toFixed(1)} s for both`,
    );

    // Scrolling through the wide folder, in the page left open on /tree by the last run. Before the
    // live part: the files it creates keep the server busy for a while after it ends.
    const tree = treeOf(page);
    await openFolder(page, WIDE, tree.getByRole('row', { name: /^item_/ }));
    const scroll = await measureScroll(page);
    notes.push(
      `scroll: ${scroll.rows.toLocaleString('en')} rows in the grid (${WIDE}/ open with ${CHILDREN.toLocaleString('en')} children), ` +
        `${scroll.steps} one-viewport steps, each waiting until no row in view is loading` +
        (scroll.stalls ? `; ${scroll.stalls} steps gave up after 10 s` : ''),
    );

    // Live latency, in a fresh /tree page.
    await page.goto(`${server.origin}/tree`);
    client = new EventClient(server);
    await client.open();
    t = performance.now();
    const live = await measureLive(page, root, client);
    if (live.failures.length) notes.push(`live: ${live.failures.length} failures, first: ${live.failures[0]}`);
    notes.push(
      `live: files created one at a time, ${PAUSE_MS} ms after the last one was seen, the SSE client and the page both connected throughout; ` +
        `${live.sse.length} samples in ${((performance.now() - t) / 1000).toFixed(1)} s` +
        (live.budgetHit ? ` (stopped at the ${LIVE_BUDGET_S} s budget, before --samples ${SAMPLES})` : ''),
    );

    const result = {
      section: 'browser',
      live: { sse: stats(live.sse), row: stats(live.row) },
      ui: {
        firstRows: { median: round(median(clicks)), runs: clicks },
        firstRowsLoad: { median: round(median(loads)), runs: loads },
        overviewSettledMs: overview.ms,
        domRowsMax: scroll.domRowsMax,
        children: CHILDREN,
        scrollMs: Math.round(scroll.ms),
        scrollSteps: scroll.steps,
      },
      files: settled.files,
      settleMs: Math.round(settled.ms),
      notes,
    };

    console.log(`Browser: live latency and Tree page, ${settled.files.toLocaleString('en')} files, Chromium against the built server\n`);
    console.log(liveTable(result.live));
    console.log('');
    console.log('| Tree page | value |');
    console.log('| --- | ---: |');
    console.log(`| Tree link click → first rows, median of ${RUNS} (ms) | ${result.ui.firstRows.median} (${clicks.join(', ')}) |`);
    console.log(`| fresh load of /tree → first rows, median of ${RUNS} (ms) | ${result.ui.firstRowsLoad.median} (${loads.join(', ')}) |`);
    console.log(`| most [role=row] elements in the DOM while scrolling ${CHILDREN.toLocaleString('en')} children | ${scroll.domRowsMax} |`);
    console.log(`| scroll to the bottom, ${scroll.steps} viewport steps (ms) | ${result.ui.scrollMs} |`);
    console.log('');
    for (const n of notes) console.log(`- ${n}`);
    if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2) + '\n');
    if (live.failures.length || scroll.stalls) process.exitCode = 1;
  } finally {
    client?.close();
    await browser?.close();
    await server?.stop();
    tmp.remove();
  }
}

process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  // Output piped into `head` must not end the run before its cleanup.
  if (err.code !== 'EPIPE') throw err;
});
await main().catch((err: unknown) => {
  if (!interrupted) throw err;
});
