import { chmodSync, copyFileSync, mkdirSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Locator, type Page } from '@playwright/test';
import type { Checkpoint } from '../shared/schemas/index.js';
import { serveDemo, serveTree, type RunningServer } from './fixtures.js';

// Real PyTorch and safetensors files, kept next to the repository (see their README).
const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/fixtures/checkpoints');
const DAY_MS = 86_400_000;

/** Where each fixture goes in the test tree. */
const LAYOUT: Record<string, string> = {
  'checkpoint_epoch007.pt': 'runs/exp1/checkpoint_epoch007.pt',
  'final_model.pt': 'runs/exp1/final_model.pt',
  'truncated.pt': 'runs/exp1/truncated.pt',
  'whole_model.pt': 'runs/exp2/whole_model.pt',
  'state_dict.pt': 'runs/exp2/state_dict.pt',
  'epoch=3-step=1200.ckpt': 'lightning/epoch=3-step=1200.ckpt',
  'legacy.pt': 'old/legacy.pt',
  'model.safetensors': 'st/model.safetensors',
  'checkpoint-500': 'hf/checkpoint-500',
};

/** Copies a fixture writable (the originals are read-only) and dated a day back, so nothing counts as still being written. */
function copyFixture(from: string, to: string, when: Date): void {
  mkdirSync(dirname(to), { recursive: true });
  if (statSync(from).isDirectory()) {
    mkdirSync(to, { recursive: true });
    for (const name of readdirSync(from)) copyFixture(join(from, name), join(to, name), when);
    chmodSync(to, 0o755);
  } else {
    copyFileSync(from, to);
    chmodSync(to, 0o644);
  }
  utimesSync(to, when, when);
}

async function openModels(page: Page, server: RunningServer): Promise<Locator> {
  await page.goto(server.url);
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Models' }).click();
  // The progress line turns into the count once every model has been read.
  await expect(page.getByRole('status', { name: 'Models progress' })).toHaveText(/^[\d,]+ checkpoints?$/, { timeout: 60_000 });
  return page.getByRole('grid', { name: 'Checkpoints' });
}

/** Paths of the rendered rows, top to bottom. */
function rowPaths(grid: Locator): Promise<string[]> {
  return grid.locator('[role="row"][aria-label]').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
}

/** The value next to a label in the details pane's facts. */
function fact(pane: Locator, label: string): Locator {
  return pane.locator(`dt:text-is("${label}") + dd`).first();
}

test.describe('models of real checkpoint files', () => {
  const models = serveTree((root) => {
    const dayAgo = new Date(Date.now() - DAY_MS);
    for (const [from, to] of Object.entries(LAYOUT)) copyFixture(join(FIXTURES, from), join(root, to), dayAgo);
  });

  test('a checkpoint shows its epoch, step, parameters and metrics', async ({ page }) => {
    const grid = await openModels(page, models.server);
    const row = grid.getByRole('row', { name: 'runs/exp1/checkpoint_epoch007.pt', exact: true });
    await expect(row).toContainText('checkpoint_epoch007.pt');
    await expect(row).toContainText('4.04');
    await row.click();
    await expect(row).toHaveAttribute('aria-selected', 'true');

    const pane = page.getByRole('complementary', { name: 'Model details' });
    await expect(pane.getByRole('heading', { name: 'checkpoint_epoch007.pt' })).toBeVisible();
    await expect(fact(pane, 'Epoch')).toHaveText('7');
    await expect(fact(pane, 'Step')).toHaveText('700');
    await expect(fact(pane, 'Parameters')).toHaveText('212');
    await expect(fact(pane, 'Integrity')).toContainText('ok');
    await expect(fact(pane, 'Optimizer state')).toContainText('yes');
    await expect(pane.getByRole('table', { name: 'Metrics' }).getByRole('row', { name: /val_px/ })).toContainText('4.04');
  });

  test('a whole pickled model is flagged unsafe, naming the class it would run', async ({ page }) => {
    const grid = await openModels(page, models.server);
    const row = grid.getByRole('row', { name: 'runs/exp2/whole_model.pt', exact: true });
    await expect(row.getByText('unsafe-pickle', { exact: true })).toBeVisible();
    await row.click();

    const pane = page.getByRole('complementary', { name: 'Model details' });
    await expect(pane.getByRole('note')).toContainText('torch.load(weights_only=False) would run code from __main__.Net');
    const imports = pane.getByRole('list', { name: 'Pickle imports' });
    await expect(imports.getByRole('listitem').filter({ hasText: '__main__.Net' })).toContainText('unsafe');
  });

  test('integrity is shown in words and can be filtered', async ({ page }) => {
    const grid = await openModels(page, models.server);
    await expect(grid.getByRole('row', { name: 'runs/exp1/truncated.pt', exact: true })).toContainText('truncated');
    await page.getByLabel('Integrity').selectOption('truncated');
    await expect.poll(() => rowPaths(grid)).toEqual(['runs/exp1/truncated.pt']);
    await page.getByLabel('Integrity').selectOption('');

    await page.getByLabel('Format').selectOption('safetensors');
    await expect.poll(() => rowPaths(grid)).toEqual(['st/model.safetensors']);
    await page.getByLabel('Format').selectOption('');

    await page.getByLabel('Tag').selectOption('unsafe-pickle');
    await expect.poll(() => rowPaths(grid)).toContain('runs/exp2/whole_model.pt');
  });

  test('headers sort both ways and say so', async ({ page }) => {
    const grid = await openModels(page, models.server);
    const size = grid.getByRole('columnheader', { name: 'Size' });
    await size.getByRole('button').click();
    await expect(size).toHaveAttribute('aria-sort', 'descending');
    // The Lightning checkpoint is the largest fixture, model.safetensors the smallest.
    await expect.poll(async () => (await rowPaths(grid))[0]).toBe('lightning/epoch=3-step=1200.ckpt');
    await size.getByRole('button').click();
    await expect(size).toHaveAttribute('aria-sort', 'ascending');
    await expect.poll(async () => (await rowPaths(grid))[0]).toBe('st/model.safetensors');
    await expect(grid.getByRole('columnheader', { name: 'Run' })).not.toHaveAttribute('aria-sort');
  });

  test('the keyboard filters, moves and opens', async ({ page }) => {
    const grid = await openModels(page, models.server);
    await page.keyboard.press('/');
    const filter = page.getByRole('searchbox', { name: 'Filter by path' });
    await expect(filter).toBeFocused();
    await filter.fill('exp1');
    await expect.poll(() => rowPaths(grid)).toEqual([
      'runs/exp1/checkpoint_epoch007.pt',
      'runs/exp1/final_model.pt',
      'runs/exp1/truncated.pt',
    ]);

    await grid.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const selected = grid.locator('[role="row"][aria-selected="true"]');
    await expect(selected).toHaveAttribute('aria-label', 'runs/exp1/final_model.pt');
    await page.keyboard.press('Enter');
    const pane = page.getByRole('complementary', { name: 'Model details' });
    await expect(pane).toBeFocused();
    await expect(fact(pane, 'Epoch')).toHaveText('100');
  });
});

test.describe('models of the demo project', () => {
  const demo = serveDemo({ prefix: 'ckptdash-demo-', timeoutMs: 180_000 });

  test('choosing val_px sorts the whole list best first', async ({ page }) => {
    test.setTimeout(180_000);
    const grid = await openModels(page, demo.server);
    await page.getByLabel('Metric').selectOption('val_px');
    const header = grid.getByRole('columnheader', { name: 'val_px' });
    await expect(header).toHaveAttribute('aria-sort', 'ascending');

    // The expected order comes from the same list the page shows: lowest val_px first, ties by path.
    const { items } = (await (await page.request.get(`${demo.server.origin}/api/checkpoints`)).json()) as { items: Checkpoint[] };
    const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
    const expected = items
      .filter((c) => c.metrics.val_px !== undefined)
      .sort((a, b) => a.metrics.val_px - b.metrics.val_px || collator.compare(a.path, b.path))
      .slice(0, 5)
      .map((c) => c.path);
    expect(expected.length).toBeGreaterThan(1);
    await expect.poll(async () => (await rowPaths(grid)).slice(0, 5)).toEqual(expected);

    await header.getByRole('button').click();
    await expect(header).toHaveAttribute('aria-sort', 'descending');
    const [worst] = items
      .filter((c) => c.metrics.val_px !== undefined)
      .sort((a, b) => b.metrics.val_px - a.metrics.val_px || collator.compare(a.path, b.path));
    await expect.poll(async () => (await rowPaths(grid))[0]).toBe(worst.path);
  });
});
