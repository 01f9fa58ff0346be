/**
 * How long a new file takes to show in an open page, end to end (watcher, index, event stream,
 * cache patch, React render), in real Chromium against the built server:
 *
 *   npm run build && npx tsx e2e/bench-live.ts [--files 50] [--pause-ms 100]
 *
 * Serves a temporary tree, opens its `bench/` folder in the Tree page sorted by date (a new file
 * is the newest, so its row lands at the top, in view), then creates the files one at a time.
 * For each it takes the time in Node just before the file is created and the time the page's
 * MutationObserver saw its row enter the grid (`performance.timeOrigin + performance.now()`,
 * corrected to the page's wall clock, which Node shares), and prints the median and p95.
 * Not a test: nothing asserts a time.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from '@playwright/test';
import { chromiumLaunch } from '../playwright.config.js';
import { makeTempDir, startServer, writeFile } from './fixtures.js';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '50' },
    'pause-ms': { type: 'string', default: '100' },
  },
});
const FILES = Number(values.files);
const PAUSE_MS = Number(values['pause-ms']);
const PREFIX = 'bench_new_';

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Records, in the page, when each row named PREFIX… first appears in the tree grid. */
async function observeRows(page: Page): Promise<void> {
  // No named functions inside: tsx would wrap them in a helper that does not exist in the page.
  await page.getByRole('treegrid', { name: 'Checkpoints tree' }).evaluate((grid, prefix) => {
    const seen: Record<string, number> = {};
    (window as unknown as { benchSeen: Record<string, number> }).benchSeen = seen;
    // Virtualized rows are reused: a row can change its name instead of being added.
    new MutationObserver(() => {
      const at = performance.timeOrigin + performance.now();
      for (const row of grid.querySelectorAll(`[role="row"][aria-label^="${prefix}"]`)) {
        const name = row.getAttribute('aria-label')!;
        if (!(name in seen)) seen[name] = at;
      }
    }).observe(grid, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-label'] });
  }, PREFIX);
}

async function main(): Promise<void> {
  const tmp = makeTempDir('ckptdash-bench-live-');
  const root = join(tmp.dir, 'checkpoints');
  writeFile(root, 'bench/seed.pt', 1024, 3600_000);
  writeFile(root, 'other_run/final_model.pt', 2 ** 30, 3600_000);
  const server = await startServer({ checkpoints: root, state: join(tmp.dir, 'state') });
  const browser = await chromium.launch(chromiumLaunch);
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(server.url);
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Tree' }).click();
    const tree = page.getByRole('treegrid', { name: 'Checkpoints tree' });
    const modified = tree.getByRole('columnheader', { name: 'Modified' });
    await tree.getByRole('button', { name: 'Modified' }).click();
    if ((await modified.getAttribute('aria-sort')) !== 'descending') await tree.getByRole('button', { name: 'Modified' }).click();
    const folder = tree.getByRole('row', { name: 'bench', exact: true });
    await folder.click();
    await page.keyboard.press('ArrowRight');
    await tree.getByRole('row', { name: 'seed.pt', exact: true }).waitFor();
    await page.getByRole('status', { name: 'Server connection' }).filter({ hasText: 'Live' }).waitFor();
    await observeRows(page);
    // The page's high-resolution clock against its wall clock, which is the one Node reads.
    const offset = await page.evaluate(() => Date.now() - (performance.timeOrigin + performance.now()));

    const latencies: number[] = [];
    for (let i = 1; i <= FILES; i++) {
      const name = `${PREFIX}${String(i).padStart(3, '0')}.pt`;
      const created = Date.now();
      writeFileSync(join(root, 'bench', name), Buffer.alloc(1024));
      const seenAt = (await page.waitForFunction(
        (n) => (window as unknown as { benchSeen: Record<string, number> }).benchSeen[n],
        name,
        { polling: 10, timeout: 10_000 },
      ).then((h) => h.jsonValue())) as number;
      latencies.push(seenAt + offset - created);
      await sleep(PAUSE_MS);
    }
    const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
    console.log(
      `creation → row in the open Tree page over ${latencies.length} files: median ${fmt(quantile(latencies, 0.5))}, ` +
        `p95 ${fmt(quantile(latencies, 0.95))}, min ${fmt(Math.min(...latencies))}, max ${fmt(Math.max(...latencies))}`,
    );
  } finally {
    await browser.close();
    await server.stop();
    tmp.remove();
  }
}

await main();
