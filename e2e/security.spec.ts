import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { serveTree, writeFile } from './fixtures.js';

// What a signed-in browser does with the token, and what another web page can
// do to the dashboard with that browser: a page on another local port is the
// same site as 127.0.0.1, so the session cookie rides along on its requests.

const DAY = 86_400_000;

const served = serveTree((root) => {
  writeFile(root, 'run1/final_model.pt', 5_000_000, 10 * DAY);
  writeFile(root, 'run1/checkpoint_epoch1.pt', 2_000_000, 10 * DAY);
  // The sentinel: a debug run any policy would delete.
  writeFile(root, 'debug_a/x.pt', 1_000_000, 10 * DAY);
  // Deleted at the end with the token, to show the attacks' bodies were ones the server takes.
  writeFile(root, 'debug_b/y.pt', 1_000_000, 10 * DAY);
});

/** The API as a script with the token would call it (Bearer, no Origin). */
async function api(path: string, init: RequestInit = {}): Promise<globalThis.Response> {
  return fetch(`${served.server.origin}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${served.server.token}`, 'content-type': 'application/json', ...init.headers },
  });
}

/** Waits until a deletion would be carried out (first scan done, references read), so a refusal below is the guard's. */
async function untilDeletable(): Promise<void> {
  await expect.poll(async () => (await api('/api/plan?policy=conservative')).status, { timeout: 60_000 }).toBe(200);
}

async function signIn(page: Page): Promise<void> {
  await page.goto(served.server.url);
  await expect(page.getByRole('status', { name: 'Server connection' })).toHaveText('Live');
}

/** The attacker's page: every attack against `target`, results gathered in `window.results`. */
function attackPage(target: string): string {
  const deletion = JSON.stringify({ path: 'debug_a' });
  const tag = JSON.stringify({ path: 'run1/final_model.pt', add: ['historical'], note: 'attacked' });
  return `<!doctype html><meta charset="utf-8"><title>attacker</title>
<script>
window.results = { scripts: {} };
window.stolen = [];
function loaded(name, ok) { window.results.scripts[name] = ok ? 'load' : 'error'; }
</script>
<script src="${target}/api/summary" onload="loaded('summary', true)" onerror="loaded('summary', false)"></script>
<script src="${target}/api/checkpoints" onload="loaded('checkpoints', true)" onerror="loaded('checkpoints', false)"></script>
<iframe id="dashboard" title="dashboard" src="${target}/"></iframe>
<iframe name="sink" title="sink"></iframe>
<form id="form" method="POST" action="${target}/api/deletions" enctype="text/plain" target="sink">
  <input type="hidden" name='{"path":"debug_a","pad":"' value='"}'>
</form>
<script>
async function attempt(name, url, init) {
  try {
    const res = await fetch(url, init);
    window.results[name] = { type: res.type, status: res.status, body: await res.text() };
  } catch (err) {
    window.results[name] = { error: String(err) };
  }
}
window.attack = async () => {
  const T = ${JSON.stringify(target)};
  const json = { 'content-type': 'application/json' };
  const text = { 'content-type': 'text/plain' };
  await attempt('getSummary', T + '/api/summary', { credentials: 'include' });
  await attempt('getTags', T + '/api/tags', { credentials: 'include' });
  await attempt('getDeletions', T + '/api/deletions', { credentials: 'include' });
  await attempt('postTags', T + '/api/tags', { method: 'POST', credentials: 'include', headers: json, body: ${JSON.stringify(tag)} });
  await attempt('postDeletions', T + '/api/deletions', { method: 'POST', credentials: 'include', headers: json, body: ${JSON.stringify(deletion)} });
  await attempt('postTagsSimple', T + '/api/tags', { method: 'POST', credentials: 'include', headers: text, body: ${JSON.stringify(tag)} });
  await attempt('postDeletionsSimple', T + '/api/deletions', { method: 'POST', credentials: 'include', headers: text, body: ${JSON.stringify(deletion)} });
  await attempt('postDeletionsNoCors', T + '/api/deletions', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: text, body: ${JSON.stringify(deletion)} });
  await attempt('postJobsNoCors', T + '/api/jobs', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: text, body: ${JSON.stringify(JSON.stringify({ kind: 'delete', params: { items: [{ path: 'debug_a' }] } }))} });
  await new Promise((resolve) => {
    const stream = new EventSource(T + '/api/events', { withCredentials: true });
    stream.onmessage = () => { window.results.events = 'message'; stream.close(); resolve(); };
    stream.onerror = () => { window.results.events = window.results.events || 'error'; stream.close(); resolve(); };
  });
  return window.results;
};
</script>`;
}

/** What the attacker's page found out: how each attempt ended. */
interface AttackResults {
  scripts: Record<string, 'load' | 'error'>;
  events?: 'message' | 'error';
  [attempt: string]: unknown;
}
type Attempt = { error?: string; type?: string; status?: number; body?: string };

/** A tiny web server on another local port, serving only the attacker's page. */
async function attacker(target: string): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(attackPage(target));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (!addr || typeof addr !== 'object') throw new Error('the attacker page is not listening');
  return { server, port: addr.port };
}

test.describe('the token and hostile pages', () => {
  test('the token leaves the address bar and never rides in a Referer', async ({ page }) => {
    const { origin, token } = served.server;
    const requests: Array<{ url: string; headers: Promise<Record<string, string>> }> = [];
    page.on('request', (r) => requests.push({ url: r.url(), headers: r.allHeaders() }));
    const first = page.waitForResponse((r) => r.url() === `${origin}/`);
    await signIn(page);
    expect((await first).headers()['referrer-policy']).toBe('no-referrer');
    expect(await page.evaluate(() => window.location.hash)).toBe('');
    expect(page.url()).toBe(`${origin}/`);
    // More requests from the signed-in page: assets, API calls, the event stream, another page.
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Tree' }).click();
    await expect(page.getByRole('treegrid', { name: 'Checkpoints tree' })).toBeVisible();
    await expect(page.getByRole('status', { name: 'Server connection' })).toHaveText('Live');

    const fromPage = requests.filter((r) => r.url.startsWith(origin));
    expect(fromPage.length).toBeGreaterThan(3);
    for (const r of fromPage) {
      const headers = await r.headers;
      expect(headers.referer, r.url).toBeUndefined();
      expect(r.url.replace(/#.*/, '')).not.toContain(token);
    }
    expect(fromPage.some((r) => r.url === `${origin}/api/session`)).toBe(true);
  });

  for (const attackerHost of ['127.0.0.1', 'localhost']) {
    test(`a page on ${attackerHost}:<other port> cannot read, change or frame the dashboard of a signed-in browser`, async ({ page, context }) => {
      const { origin } = served.server;
      await untilDeletable();
      await signIn(page);
      const port = new URL(origin).port;
      expect((await context.cookies(`${origin}/api/`)).map((c) => c.name)).toContain(`ckptdash_${port}`);

      const evil = await attacker(origin);
      try {
        const attack = await context.newPage();
        const consoleLines: string[] = [];
        attack.on('console', (m) => consoleLines.push(m.text()));
        // The browser hides refused cross-origin answers from the page and from Playwright; the protocol still sees them.
        const seen = new Map<string, { method: string; url: string; status?: number }>();
        const cdp = await context.newCDPSession(attack);
        // The two events of one request come in either order.
        cdp.on('Network.requestWillBeSent', (e) => seen.set(e.requestId, { ...seen.get(e.requestId), method: e.request.method, url: e.request.url }));
        cdp.on('Network.responseReceivedExtraInfo', (e) => seen.set(e.requestId, { method: '?', url: '?', ...seen.get(e.requestId), status: e.statusCode }));
        await cdp.send('Network.enable');
        const framed = attack.waitForResponse((r) => r.url() === `${origin}/`);
        await attack.goto(`http://${attackerHost}:${evil.port}/`);
        const results = await attack.evaluate(() => (window as unknown as { attack: () => Promise<AttackResults> }).attack());
        const attempt = (name: string) => results[name] as Attempt;

        // (a) The API as a script: refused, so nothing runs and nothing is read.
        expect(results.scripts).toEqual({ summary: 'error', checkpoints: 'error' });
        // The event stream with credentials: refused before it opens.
        expect(results.events).toBe('error');
        // (b) Reads fail for the page; writes are refused by the server (preflight or no-cors alike).
        for (const name of ['getSummary', 'getTags', 'getDeletions', 'postTags', 'postDeletions', 'postTagsSimple', 'postDeletionsSimple']) {
          expect(attempt(name).error, `${name}: ${JSON.stringify(attempt(name))}`).toContain('Failed to fetch');
        }
        // Without CORS the page gets an opaque answer at best; Cross-Origin-Resource-Policy withholds even that.
        for (const name of ['postDeletionsNoCors', 'postJobsNoCors']) {
          const r = attempt(name);
          expect(r.error === 'TypeError: Failed to fetch' || (r.type === 'opaque' && r.body === ''), `${name}: ${JSON.stringify(r)}`).toBe(true);
        }

        // (c) A form posting JSON-looking text/plain to the deletions route.
        const formAnswer = attack.waitForResponse((r) => r.url() === `${origin}/api/deletions` && r.request().method() === 'POST' && r.request().resourceType() === 'document');
        await attack.evaluate(() => (document.getElementById('form') as HTMLFormElement).submit());
        expect((await formAnswer).status()).toBe(403);

        // (d) The dashboard in a frame: refused by the server, and its answer forbids any framing.
        const frameAnswer = await framed;
        expect(frameAnswer.status()).toBe(403);
        expect(frameAnswer.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
        const frame = await attack.locator('#dashboard').elementHandle().then((e) => e?.contentFrame());
        await expect.poll(() => frame?.url(), { message: 'the framed dashboard' }).toBe('chrome-error://chromewebdata/');
        await expect.poll(() => consoleLines.some((l) => l.includes(`Framing '${origin}/'`) && l.includes("frame-ancestors 'none'"))).toBe(true);

        // Every request that reached the dashboard was refused; a preflighted one was never sent at all.
        const reached = [...seen.values()].filter((r) => r.url.startsWith(origin));
        for (const r of reached) expect(r.status === undefined || r.status === 403, `${r.method} ${r.url} answered ${r.status}`).toBe(true);
        const refused = new Set(reached.filter((r) => r.status === 403).map((r) => `${r.method} ${new URL(r.url).pathname}`));
        for (const want of ['GET /api/summary', 'GET /api/checkpoints', 'GET /', 'GET /api/tags', 'GET /api/deletions', 'GET /api/events', 'OPTIONS /api/tags', 'OPTIONS /api/deletions', 'POST /api/tags', 'POST /api/deletions', 'POST /api/jobs']) {
          expect([...refused], want).toContain(want);
        }
        await attack.close();
      } finally {
        evil.server.closeAllConnections();
        await new Promise((resolve) => evil.server.close(resolve));
      }

      // Server side: the sentinel is there, nothing was tagged, nothing was journaled, no job ran.
      expect(existsSync(join(served.root, 'debug_a/x.pt'))).toBe(true);
      const entry = await (await api('/api/entry?path=debug_a%2Fx.pt')).json();
      expect(entry.path).toBe('debug_a/x.pt');
      const model = await (await api('/api/entry?path=run1%2Ffinal_model.pt')).json();
      expect(model.userTags).toEqual([]);
      expect(model.note).toBeUndefined();
      expect((await (await api('/api/journal')).json()).sessions).toEqual([]);
      expect((await (await api('/api/jobs')).json()).items).toEqual([]);
      // The signed-in page itself still works.
      await expect(page.getByRole('status', { name: 'Server connection' })).toHaveText('Live');
    });
  }

  test('the attacks above used bodies the server takes from its own client', async () => {
    await untilDeletable();
    const res = await api('/api/deletions', { method: 'POST', body: JSON.stringify({ path: 'debug_b' }) });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(existsSync(join(served.root, 'debug_b'))).toBe(false);
    expect(existsSync(join(served.root, 'debug_a/x.pt'))).toBe(true);
  });
});
