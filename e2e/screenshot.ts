import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { makeTempDir, startServer, type RunningServer } from './fixtures.js';

// `npm run screenshot`: the README's pictures, taken from the generated demo project.

const OUT = 'docs/screenshots';

let server: RunningServer;
let tmp: ReturnType<typeof makeTempDir>;

test.beforeAll(async () => {
  tmp = makeTempDir('ckptdash-shots-');
  server = await startServer({ state: `${tmp.dir}/state`, cwd: tmp.dir, env: { CKPTDASH_DEMO_DIR: `${tmp.dir}/demo` } });
  mkdirSync(OUT, { recursive: true });
});

test.afterAll(async () => {
  await server?.stop();
  tmp?.remove();
});

async function settle(page: Page) {
  await expect(page.getByText('Loading…')).toHaveCount(0);
  // A focus ring is for the person at the keyboard, not for the picture.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  // Let bars and the connection dot finish their transitions.
  await page.waitForTimeout(400);
}

test('overview', async ({ page }) => {
  await page.goto(server.url);
  await expect(page.getByText(/^Scan complete/)).toBeVisible({ timeout: 120_000 });
  await expect(page.getByRole('status', { name: 'Server connection' })).toHaveText('Live');
  await settle(page);
  await page.screenshot({ path: `${OUT}/overview.png` });
});

test('tree', async ({ page }) => {
  await page.goto(server.url);
  await expect(page.getByText(/^Scan complete/)).toBeVisible({ timeout: 120_000 });
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Tree' }).click();
  const tree = page.getByRole('treegrid', { name: 'Checkpoints tree' });

  // The two largest folders open (one of them two levels deep), and a run selected for the details pane.
  const rows = tree.locator('[role="row"][aria-expanded]');
  const selected = tree.locator('[role="row"][aria-selected="true"]');
  await rows.first().click();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  await expect(selected).toHaveAttribute('aria-level', '2');
  await page.keyboard.press('ArrowRight');
  await expect(selected).toHaveAttribute('aria-expanded', 'true');
  await page.keyboard.press('ArrowDown');
  await expect(selected).toHaveAttribute('aria-level', '3');
  const run = (await selected.getAttribute('aria-label'))!;
  const second = tree.locator('[role="row"][aria-level="1"][aria-expanded="false"]').first();
  const secondName = (await second.getAttribute('aria-label'))!;
  await second.dblclick();
  await expect(tree.getByRole('row', { name: secondName, exact: true })).toHaveAttribute('aria-expanded', 'true');
  await tree.locator(`[role="row"][aria-level="3"][aria-label="${run}"]`).first().click();
  await settle(page);
  await page.screenshot({ path: `${OUT}/tree.png` });
});

test('models', async ({ page }) => {
  await page.goto(server.url);
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Models' }).click();
  await expect(page.getByRole('status', { name: 'Models progress' })).toHaveText(/^[\d,]+ checkpoints$/, { timeout: 120_000 });
  // Best val_px first, and the best model open in the details pane.
  await page.getByLabel('Metric').selectOption('val_px');
  const grid = page.getByRole('grid', { name: 'Checkpoints' });
  await grid.locator('[role="row"][aria-label]').first().click();
  await settle(page);
  await page.screenshot({ path: `${OUT}/models.png` });
});

test('cleanup', async ({ page }) => {
  await page.goto(server.url);
  await expect(page.getByText(/^Scan complete/)).toBeVisible({ timeout: 120_000 });
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Cleanup' }).click();
  await expect(page.getByRole('region', { name: 'Projection' })).toBeVisible({ timeout: 60_000 });
  await settle(page);
  await page.screenshot({ path: `${OUT}/cleanup.png` });
});
