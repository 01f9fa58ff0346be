import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { serveDemo } from './fixtures.js';

// The Report page on a demo of its own: the empty state before anything is deleted, then the report of one session
// (debug_runs, which nothing protects, and a folder whose name is HTML) in English and Spanish, and the saved file.

const demo = serveDemo({ prefix: 'ckptdash-e2e-report-', timeoutMs: 120_000 });
test.describe.configure({ timeout: 120_000 });

/** A debug folder whose name would be markup if the page rendered raw HTML; the backticks close the report's code span. */
const HOSTILE = 'debug_`<img src=x onerror="window.__xss=1">`';

function auth() {
  return { Authorization: `Bearer ${demo.server.token}` };
}

async function openReport(page: Page) {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Report' }).click();
  await expect(page.getByRole('heading', { name: 'Report', level: 1 })).toBeVisible();
}

/** Deletes through the API, waiting out the first scan and the reading of references (503) and the watcher (404). */
async function deleteByApi(request: APIRequestContext, path: string) {
  await expect
    .poll(
      async () => (await request.post(`${demo.server.origin}/api/deletions`, { data: { path }, headers: auth() })).status(),
      { timeout: 90_000 },
    )
    .toBe(200);
}

test('before any deletion the page says what the report covers and leads to Cleanup', async ({ page }) => {
  await page.goto(demo.server.url);
  await openReport(page);
  await expect(page.getByRole('heading', { name: 'No cleanup yet' })).toBeVisible();
  await expect(page.getByText('The report covers a cleanup session')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Download .md' })).toBeDisabled();
  await page.getByRole('link', { name: 'Go to Cleanup' }).click();
  await expect(page.getByRole('heading', { name: 'Cleanup', level: 1 })).toBeVisible();
});

test('the report of a session in English and Spanish, saved as the server names it', async ({ page, request }) => {
  mkdirSync(join(demo.root, 'checkpoints', HOSTILE, 'run1'), { recursive: true });
  writeFileSync(join(demo.root, 'checkpoints', HOSTILE, 'run1', 'notes.txt'), 'scratch');
  await deleteByApi(request, 'debug_runs');
  await deleteByApi(request, HOSTILE);

  await page.goto(demo.server.url);
  await openReport(page);
  const article = page.getByRole('article', { name: 'Checkpoint Cleanup Report' });
  await expect(article.getByRole('heading', { name: 'Checkpoint Cleanup Report', level: 2 })).toBeVisible();
  for (const name of ['Summary', 'Models Kept', 'Deleted', 'Next Steps']) {
    await expect(article.getByRole('heading', { name, exact: true })).toBeVisible();
  }
  await expect(article).toContainText('debug_runs/');
  // The hostile name is shown as text: no element came out of it and nothing ran.
  await expect(article).toContainText('<img src=x onerror="window.__xss=1">');
  await expect(article.locator('img')).toHaveCount(0);
  expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();

  // The session selector lists the journal's session.
  const session = page.getByRole('combobox', { name: 'Session' });
  await expect(session.getByRole('option', { name: /2 deletions/ })).toHaveCount(1);

  await page.getByRole('radio', { name: 'Español' }).check();
  await expect(article.getByRole('heading', { name: 'Resumen Ejecutivo' })).toBeVisible();
  await expect(article.getByRole('heading', { name: 'Modelos Preservados' })).toBeVisible();
  await expect(page).toHaveURL(/[?&]lang=es\b/);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download .md' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^checkpoint-cleanup-report-[\w-]+\.es\.md$/);
  const saved = readFileSync(await download.path(), 'utf8');
  expect(saved).toMatch(/^# Checkpoint Cleanup Report\n/);
  expect(saved).toContain('## Resumen Ejecutivo');
  expect(saved).toContain('`debug_runs/`');
  // The same text the API serves for that session and language.
  const id = /^checkpoint-cleanup-report-(.+)\.es\.md$/.exec(download.suggestedFilename())![1];
  const api = await request.get(`${demo.server.origin}/api/report`, { params: { session: id, lang: 'es' }, headers: auth() });
  expect(saved).toBe(await api.text());

  // The language is in the address: a reload keeps it; the chosen session too.
  await session.selectOption({ value: id });
  await expect(page).toHaveURL(new RegExp(`[?&]session=${id}\\b`));
  await page.reload();
  await expect(page.getByRole('radio', { name: 'Español' })).toBeChecked();
  await expect(page.getByRole('combobox', { name: 'Session' })).toHaveValue(id);
  await expect(article.getByRole('heading', { name: 'Resumen Ejecutivo' })).toBeVisible();

  await page.getByRole('radio', { name: 'English' }).check();
  await expect(article.getByRole('heading', { name: 'Summary', exact: true })).toBeVisible();
});
