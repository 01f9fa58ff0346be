import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { formatBytes } from '../shared/format.js';
import type { JournalSessions, StaleReferences } from '../shared/schemas/index.js';
import type { Static } from 'typebox';
import { serveDemo } from './fixtures.js';

// History on a demo of its own: empty at first, then the deletions of one cleanup session (from the queue and one
// by hand through the API), and the demo's script that still names repro_quickstart once that folder is gone.

const demo = serveDemo({ prefix: 'ckptdash-history-', timeoutMs: 180_000 });
test.describe.configure({ timeout: 150_000 });

const QUICKSTART = 'repro_quickstart';
const BY_HAND = 'session10/exp5_lr1e5';

function auth() {
  return { Authorization: `Bearer ${demo.server.token}` };
}

/** Apparent sizes of every regular file below a folder, largest first: what the queue's "Largest files" must show. */
function fileSizes(dir: string): number[] {
  const sizes: number[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const st = lstatSync(join(d, name));
      if (st.isDirectory()) walk(join(d, name));
      else if (st.isFile()) sizes.push(st.size);
    }
  };
  walk(dir);
  return sizes.sort((a, b) => b - a);
}

async function openPage(page: Page, name: string) {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name }).click();
}

test('History: empty at first, then every deletion of the session, and the script that still names repro_quickstart', async ({
  page,
  request,
}) => {
  await page.goto(demo.server.url);
  await openPage(page, 'History');
  await expect(page.getByRole('heading', { name: 'History', level: 1 })).toBeVisible();
  await expect(page.getByText('Nothing has been deleted yet.')).toBeVisible();
  const stale = page.getByRole('region', { name: 'Files that mention deleted checkpoints' });
  await expect(stale).toContainText('No config or script in the project names a checkpoint that is not there.');

  // Delete repro_quickstart from the queue of its category.
  await openPage(page, 'Cleanup');
  await expect(page.getByRole('region', { name: 'Projection' })).toBeVisible({ timeout: 90_000 });
  await page
    .getByRole('list', { name: 'By category' })
    .getByRole('listitem', { name: 'Reproduction experiments', exact: true })
    .getByRole('button', { name: 'Review the reproduction experiments one by one' })
    .click();
  const dialog = page.getByRole('dialog', { name: 'Review and delete' });
  const path = dialog.getByRole('heading', { level: 3 });
  await expect(path).not.toBeEmpty();
  for (let i = 0; i < 30 && (await path.textContent()) !== QUICKSTART; i++) await page.keyboard.press('ArrowRight');
  await expect(path).toHaveText(QUICKSTART);
  // Its warnings say before approving what the History page will say after.
  await expect(dialog.getByRole('list', { name: 'Warnings' })).toContainText('scripts/quickstart_landmarks.sh');
  // What it contains: its five largest files anywhere below it, as the disk has them.
  const largest = fileSizes(join(demo.root, 'checkpoints', QUICKSTART)).slice(0, 5).map(formatBytes);
  const rows = dialog.getByRole('list', { name: 'Largest files' }).getByRole('listitem');
  await expect(rows).toHaveCount(5);
  for (const [i, size] of largest.entries()) await expect(rows.nth(i)).toContainText(size);
  await expect(dialog.getByRole('list', { name: 'References' }).getByRole('listitem')).toHaveCount(4);
  await page.keyboard.press('a');
  await expect(dialog.getByRole('status', { name: 'Freed so far' })).toContainText('in 1 deletion');
  expect(existsSync(join(demo.root, 'checkpoints', QUICKSTART))).toBe(false);
  await page.keyboard.press('Escape');

  // One more, by hand: no policy, same session.
  const res = await request.post(`${demo.server.origin}/api/deletions`, { data: { path: BY_HAND }, headers: auth() });
  expect(res.status()).toBe(200);

  await openPage(page, 'History');
  const journal = (await (await request.get(`${demo.server.origin}/api/journal`, { headers: auth() })).json()) as JournalSessions;
  expect(journal.sessions).toHaveLength(1);
  const sessions = page.getByRole('region', { name: /^Cleanup session · / });
  await expect(sessions).toHaveCount(1);
  const session = sessions.first();
  await expect(session).toContainText('2 deletions');
  const quick = session.getByRole('row', { name: QUICKSTART, exact: true });
  const entry = journal.sessions[0].entries.find((e) => e.path === QUICKSTART)!;
  await expect(quick).toContainText(formatBytes(entry.freedBytes));
  await expect(quick).toContainText('moderate');
  await expect(quick).toContainText('Reproduction experiments');
  await expect(quick).toContainText('deleted');
  await expect(session.getByRole('row', { name: BY_HAND, exact: true })).toContainText('by hand');

  // The script still names the models that were inside: each line is listed with what it names.
  const refs = (await (await request.get(`${demo.server.origin}/api/references/stale`, { headers: auth() })).json()) as Static<
    typeof StaleReferences
  >;
  const lines = refs.items.filter((r) => r.file === 'scripts/quickstart_landmarks.sh');
  expect(lines.length).toBeGreaterThan(0);
  const table = stale.getByRole('table', { name: 'Files that mention deleted checkpoints' });
  for (const r of lines) {
    const row = table.getByRole('row', { name: `${r.file}:${r.line}`, exact: true });
    await expect(row).toContainText(r.target);
    await expect(row).toContainText('script: will fail when run');
  }
});
