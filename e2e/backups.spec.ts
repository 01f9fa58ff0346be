import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { serveDemo } from './fixtures.js';

// The Backups page on a demo of its own: the seed's two historical models are tagged, a backup is made from the page,
// and what the page lists is checked against GET /api/backups; then verify again, restore one file (which exists, so
// the page asks to overwrite), a damaged archive, and the Models page's full check started and cancelled.

const demo = serveDemo({ prefix: 'ckptdash-e2e-backups-', timeoutMs: 120_000 });
test.describe.configure({ timeout: 180_000 });

/** The seed report's "Modelos Históricos". */
const HISTORICAL = ['session10/ensemble/seed456/final_model.pt', 'session13/seed789/final_model.pt'];

interface Backup {
  name: string;
  bytes: number;
  files: { name: string; path: string; size: number; sha256: string }[];
  error?: string;
}

function auth() {
  return { Authorization: `Bearer ${demo.server.token}` };
}

/** The checkpoints configs/ensemble_best.json names, root-relative. */
function criticalPaths(): string[] {
  const config = JSON.parse(readFileSync(join(demo.root, 'configs', 'ensemble_best.json'), 'utf8')) as { models: string[] };
  return config.models.map((p) => p.replace(/^checkpoints\//, ''));
}

async function openPage(page: Page, name: string) {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
}

/** Waits until the server protects every critical model (first scan and references read), then tags the historical ones. */
async function prepare(request: APIRequestContext) {
  const { origin } = demo.server;
  for (const path of criticalPaths()) {
    await expect
      .poll(async () => {
        const res = await request.get(`${origin}/api/entry`, { params: { path }, headers: auth() });
        return res.ok() && ((await res.json()) as { protected: boolean }).protected;
      }, { timeout: 90_000 })
      .toBe(true);
  }
  for (const path of HISTORICAL) {
    const res = await request.post(`${origin}/api/tags`, { data: { path, add: ['historical'] }, headers: auth() });
    expect(res.status()).toBe(200);
  }
}

async function listBackups(request: APIRequestContext): Promise<Backup[]> {
  const res = await request.get(`${demo.server.origin}/api/backups`, { headers: auth() });
  expect(res.status()).toBe(200);
  return ((await res.json()) as { items: Backup[] }).items;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('a backup made from the page lists what the archive holds, verifies again and restores a file', async ({ page, request }) => {
  await prepare(request);
  await page.goto(demo.server.url);
  await openPage(page, 'Backups');
  await expect(page.getByRole('heading', { name: 'No backups yet' })).toBeVisible();

  await page.getByRole('button', { name: 'Back up protected models' }).click();
  const panel = page.getByRole('region', { name: 'Backup job' });
  await expect(panel.getByRole('progressbar')).toBeVisible();
  await expect(panel.getByRole('status')).toContainText(/Wrote checkpoints_backup_\d{8}(_\d+)?\.tar\.gz/, { timeout: 120_000 });
  await expect(panel).toContainText('done');

  const [backup] = await listBackups(request);
  expect(backup.error).toBeUndefined();
  const paths = backup.files.map((f) => f.path);
  for (const p of [...criticalPaths(), ...HISTORICAL]) expect(paths).toContain(p);
  const n = backup.files.length;
  await expect(panel.getByRole('status')).toContainText(`${n} files`);

  const card = page.getByRole('article', { name: backup.name });
  await expect(card).toContainText(`${n} files`);
  const contents = card.getByRole('button', { name: 'Contents' });
  await contents.click();
  await expect(contents).toHaveAttribute('aria-expanded', 'true');
  const table = card.getByRole('table', { name: `Files in ${backup.name}` });
  await expect(table.getByRole('row')).toHaveCount(n + 1);
  for (const f of backup.files) {
    const row = table.getByRole('row', { name: new RegExp(`^${escape(f.name)}\\b`) });
    await expect(row).toContainText(f.path);
    await expect(row).toContainText(f.sha256.slice(0, 12));
  }

  await card.getByRole('button', { name: 'Verify again' }).click();
  await expect(card.getByRole('status')).toContainText(`Verified: ${n} files read back, every sha256 matches the manifest.`, {
    timeout: 60_000,
  });

  // Restoring a file that is still there asks a second time before replacing it.
  const first = backup.files[0];
  await card.getByRole('button', { name: `Restore ${first.name}…` }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('heading', { level: 2 })).toHaveText(`Restore ${first.name}?`);
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByRole('button', { name: `Restore ${first.name}` }).click();
  await expect(dialog.getByRole('heading', { level: 2 })).toHaveText('Overwrite 1 existing file?');
  await dialog.getByRole('button', { name: 'Overwrite 1 file' }).click();
  await expect(dialog.getByRole('status')).toHaveText('Restored 1 file.', { timeout: 60_000 });
  const restored = readFileSync(join(demo.root, 'checkpoints', first.path));
  expect(createHash('sha256').update(restored).digest('hex')).toBe(first.sha256);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
});

test('a damaged archive is listed with what is wrong with it', async ({ page, request }) => {
  const summary = (await (await request.get(`${demo.server.origin}/api/summary`, { headers: auth() })).json()) as { project: string };
  mkdirSync(join(summary.project, 'backups'), { recursive: true });
  writeFileSync(join(summary.project, 'backups', 'checkpoints_backup_20000101.tar.gz'), 'not a gzip stream');
  const damaged = (await listBackups(request)).find((b) => b.name === 'checkpoints_backup_20000101.tar.gz');
  expect(damaged?.error).toBeTruthy();

  await page.goto(demo.server.url);
  await openPage(page, 'Backups');
  const card = page.getByRole('article', { name: 'checkpoints_backup_20000101.tar.gz' });
  await expect(card).toContainText('This archive cannot be read.');
  await expect(card).toContainText(damaged!.error!);
  await expect(card.getByRole('button', { name: 'Restore all…' })).toHaveCount(0);
});

test('the Models page starts the full check of every model, and the jobs tray cancels it', async ({ page }) => {
  await page.goto(demo.server.url);
  await openPage(page, 'Models');
  await page.getByRole('button', { name: 'Verify all models' }).click();
  await expect(page.getByRole('button', { name: 'Verifying…' })).toBeDisabled();
  const tray = page.getByRole('region', { name: 'Running jobs' });
  await tray.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('button', { name: 'Verify all models' })).toBeEnabled({ timeout: 30_000 });
  await expect(page.getByRole('status').filter({ hasText: 'Verification cancelled.' })).toBeVisible();
});
