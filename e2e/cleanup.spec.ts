import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { formatBytes, formatCount } from '../shared/format.js';
import type { Plan } from '../shared/schemas/index.js';
import { serveDemo, type ServedTree } from './fixtures.js';

// Every figure the page must show is read from GET /api/plan on the same server, so the
// assertions follow the planner rather than numbers baked into the test. The server reads the
// project's references just after its scan and the plan changes when they land, so a check of
// the page against the API is retried with a fresh plan until both agree: the page must follow.

const GIB = 1024 ** 3;
/** One attempt's patience: short, so a retry fetches the plan again soon. */
const quick = expect.configure({ timeout: 3_000 });

const LABELS: Record<string, string> = {
  intermediate: 'Intermediate checkpoints',
  experiment: 'Reproduction experiments',
  ablation: 'Ablation experiments',
  debug: 'Debug runs',
};

/** The plan as the API answers it, waiting out the 503 SCANNING of the first scan. */
async function fetchPlan(request: APIRequestContext, served: ServedTree, query: Record<string, string | number>): Promise<Plan> {
  const { origin, token } = served.server;
  let plan: Plan | undefined;
  await expect
    .poll(
      async () => {
        const res = await request.get(`${origin}/api/plan`, { params: query, headers: { Authorization: `Bearer ${token}` } });
        if (res.ok()) plan = (await res.json()) as Plan;
        return res.status();
      },
      { timeout: 60_000 },
    )
    .toBe(200);
  return plan!;
}

/** "175 items" as the page writes it, not matching inside "1,175 items". */
function items(n: number): RegExp {
  return new RegExp(`(^|[^\\d,])${formatCount(n)} ${n === 1 ? 'item' : 'items'}\\b`);
}

/** Fetches the plan and runs `check` on it until the page shows what the API answers; returns that plan. */
async function shownPlan(
  request: APIRequestContext,
  served: ServedTree,
  query: Record<string, string | number>,
  check: (plan: Plan) => Promise<void>,
): Promise<Plan> {
  let plan!: Plan;
  await expect(async () => {
    plan = await fetchPlan(request, served, query);
    await check(plan);
  }).toPass({ timeout: 60_000 });
  return plan;
}

function countOf(plan: Plan, category: string): number {
  return plan.items.filter((it) => it.category === category).length;
}

async function openCleanup(page: Page, served: ServedTree) {
  await page.goto(served.server.url);
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Cleanup' }).click();
  const projection = page.getByRole('region', { name: 'Projection' });
  await expect(projection).toBeVisible({ timeout: 60_000 });
  return { projection, policy: page.getByRole('radiogroup', { name: 'Policy' }) };
}

/** The category's card: its item count and bytes. */
function card(page: Page, category: string) {
  return page.getByRole('list', { name: 'By category' }).getByRole('listitem', { name: LABELS[category], exact: true });
}

test.describe('cleanup plan on the demo', () => {
  const demo = serveDemo();

  test('moderate by default: the projection, its categories, warnings and what is kept out', async ({ page, request }) => {
    const { projection, policy } = await openCleanup(page, demo);
    await expect(policy.getByRole('radio', { name: 'Moderate' })).toBeChecked();
    await expect(page).toHaveURL(/[?&]policy=moderate\b/);

    const plan = await shownPlan(request, demo, { policy: 'moderate' }, async (p) => {
      await quick(projection).toContainText(formatBytes(p.before.bytes));
      await quick(projection).toContainText(formatBytes(p.after.bytes));
      await quick(projection).toContainText(formatBytes(p.totals.bytes));
      await quick(projection).toContainText(`${formatBytes(p.before.diskBytes)} → ${formatBytes(p.after.diskBytes)}`);
      for (const category of Object.keys(LABELS)) await quick(card(page, category)).toContainText(items(countOf(p, category)));
    });
    expect(plan.after.bytes).toBeLessThan(GIB);
    expect(plan.after.bytes).toBe(plan.before.bytes - plan.totals.bytes);
    for (const category of Object.keys(LABELS)) {
      expect(countOf(plan, category), category).toBeGreaterThan(0);
      await expect(page.getByRole('heading', { name: LABELS[category], exact: true })).toBeVisible();
    }

    // A warning is shown in words beside its item, not hidden in a tooltip.
    const warned = plan.items.find((it) => it.warnings.length > 0);
    if (warned) {
      const row = page.getByRole('row', { name: warned.path, exact: true });
      await expect(row.getByRole('list', { name: 'Warnings' })).toContainText(warned.warnings[0]);
    }

    // Everything kept out is listed with the rule that kept it.
    const keptTable = page.getByRole('table', { name: 'Kept out' });
    for (const k of (plan.kept ?? []).slice(0, 5)) {
      await expect(keptTable.getByRole('row', { name: k.path, exact: true })).toContainText(k.rule);
    }

    // The way onward is the approval queue (e2e/approve.spec.ts goes through it).
    await expect(page.getByRole('button', { name: 'Review and delete…' })).toBeEnabled();
  });

  test('each policy changes the totals', async ({ page, request }) => {
    const { projection, policy } = await openCleanup(page, demo);
    const moderate = await shownPlan(request, demo, { policy: 'moderate' }, async (p) => {
      await quick(projection).toContainText(formatBytes(p.after.bytes));
    });

    await policy.getByRole('radio', { name: 'Conservative' }).click();
    await expect(page).toHaveURL(/[?&]policy=conservative\b/);
    const conservative = await shownPlan(request, demo, { policy: 'conservative' }, async (p) => {
      await quick(projection).toContainText(formatBytes(p.after.bytes));
      await quick(projection).toContainText(formatBytes(p.totals.bytes));
      await quick(card(page, 'intermediate')).toContainText(items(countOf(p, 'intermediate')));
    });
    expect(conservative.after.bytes).toBeGreaterThan(moderate.after.bytes);

    // Arrow keys move the choice as native radios do: Conservative → Moderate → Aggressive.
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    const aggressiveRadio = policy.getByRole('radio', { name: 'Aggressive' });
    await expect(aggressiveRadio).toBeChecked();
    await expect(aggressiveRadio).toBeFocused();
    await expect(page).toHaveURL(/[?&]policy=aggressive\b/);
    const aggressive = await shownPlan(request, demo, { policy: 'aggressive' }, async (p) => {
      await quick(projection).toContainText(formatBytes(p.after.bytes));
      await quick(projection).toContainText(formatBytes(p.totals.bytes));
    });
    expect(aggressive.after.bytes).toBeLessThan(moderate.after.bytes);

    // The URL remembers the policy across a reload.
    await page.reload();
    await expect(page.getByRole('radiogroup', { name: 'Policy' }).getByRole('radio', { name: 'Aggressive' })).toBeChecked();
    await expect(page.getByRole('region', { name: 'Projection' })).toContainText(formatBytes(aggressive.after.bytes));
  });

  test('keep last 1 keeps one intermediate per run out of the plan', async ({ page, request }) => {
    const { projection } = await openCleanup(page, demo);
    const base = await shownPlan(request, demo, { policy: 'moderate' }, async (p) => {
      await quick(card(page, 'intermediate')).toContainText(items(countOf(p, 'intermediate')));
    });
    const keepLast = page.getByRole('spinbutton', { name: 'Keep last' });
    await expect(keepLast).toHaveAttribute('placeholder', String(base.retention?.keepLast ?? 0));
    await keepLast.fill('1');
    await expect(page).toHaveURL(/[?&]keepLast=1\b/);

    const keepOne = await shownPlan(request, demo, { policy: 'moderate', keepLast: 1 }, async (p) => {
      await quick(card(page, 'intermediate')).toContainText(items(countOf(p, 'intermediate')));
      await quick(projection).toContainText(formatBytes(p.after.bytes));
    });
    expect(countOf(keepOne, 'intermediate')).toBeLessThan(countOf(base, 'intermediate'));
    // The kept-out list shows its first 50 entries until asked for more.
    const retained = (keepOne.kept ?? []).slice(0, 50).find((k) => k.rule.startsWith('retention'));
    expect(retained).toBeDefined();
    await expect(page.getByRole('table', { name: 'Kept out' }).getByRole('row', { name: retained!.path, exact: true })).toContainText(
      retained!.rule,
    );

    // Back to the project's defaults: the first plan again.
    await page.getByRole('button', { name: 'Use config defaults' }).click();
    await expect(keepLast).toHaveValue('');
    await shownPlan(request, demo, { policy: 'moderate' }, async (p) => {
      await quick(card(page, 'intermediate')).toContainText(items(countOf(p, 'intermediate')));
    });
  });
});
