// Hostile requests over the whole route table: Hosts, tokens, origins, CORS,
// body types and sizes, prototype keys, read-only GETs, hostile paths and
// response headers. guard.test.ts checks the guard's codes route by route;
// these check the gaps and that nothing on disk or in the state moves.
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { BODY_LIMIT } from '../app.js';
import { auth, TEST_TOKEN } from '../test-utils/app.js';
import {
  apiTargets,
  apiUrls,
  ASSET,
  BODY_METHODS,
  bodyFor,
  expectSentinelsIntact,
  hit,
  HOST,
  hostileApp,
  listening,
  openStream,
  ORIGIN,
  send,
  signIn,
  snapshot,
  targets,
  type Hostile,
  type Target,
} from '../test-utils/hostile.js';
import { AUTH_FAILURE_DELAY_MS } from './guard.js';

const MB = 1024 * 1024;
const PAGES: Target[] = ['/', '/index.html', ASSET].map((url) => ({ method: 'GET', url, route: url, public: true, mutates: false }));

/** Every route, the pages and an asset, with HEAD beside each GET. */
function everything(app: FastifyInstance): Target[] {
  const all = [...targets(app), ...PAGES];
  return [...all, ...all.filter((t) => t.method === 'GET').map((t) => ({ ...t, method: 'HEAD' }))];
}

/** `everything`, plus every body method on every API URL, each pair once. */
function withEveryMethod(app: FastifyInstance): Target[] {
  const out = new Map<string, Target>();
  for (const t of everything(app)) out.set(`${t.method} ${t.url}`, t);
  for (const t of apiTargets(app)) for (const method of BODY_METHODS) if (!out.has(`${method} ${t.url}`)) out.set(`${method} ${t.url}`, { ...t, method, route: t.url });
  return [...out.values()];
}

/** Raw bytes over a socket (for what inject rewrites: Host headers, request targets); resolves with the whole answer. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.on('data', (d) => (out += d.toString()));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error(`no answer to ${text.split('\r\n')[0]}`)));
  });
}
const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);

function expectRefused(res: { statusCode: number; body: string; json: () => { error: { code: string } } }, what: string, codes: string[], status = 403): void {
  expect(res.statusCode, `${what}: ${res.body.slice(0, 200)}`).toBe(status);
  // HEAD answers carry no body to read the code from.
  if (res.body !== '') expect(codes, what).toContain(res.json().error.code);
}

describe('hostile requests: Host', () => {
  it('refuses a foreign or malformed Host on pages, assets, every route (GET and HEAD) and the event stream, changing nothing', async () => {
    const h = await hostileApp();
    const before = await snapshot(h);
    const hosts = [
      'evil.example',
      'localhost.evil.com',
      '127.0.0.1.nip.io',
      '127.0.0.1.nip.io:7878',
      'localhost.',
      '[::1',
      '::1',
      '127.0.0.1:99999',
      '127.0.0.1:65536',
      '127.0.0.1:',
      '127.0.0.1 :7878',
      ' 127.0.0.1',
      '127.0.0.1:7878 evil.example',
      'localhost:7878@evil.example',
      'user@localhost:7878',
      '127.1',
      '2130706433',
      '[::ffff:127.0.0.1]',
    ];
    for (const t of everything(h.app)) {
      for (const host of hosts) {
        const res = await send(h.app, t, { ...auth, host });
        expectRefused(res, `${t.method} ${t.url} Host ${JSON.stringify(host)}`, ['HOST_NOT_ALLOWED']);
      }
    }
    expect(await snapshot(h)).toEqual(before);
    expectSentinelsIntact(h);
  });

  it('refuses an empty Host, a second Host and a missing one over a real socket', async () => {
    const h = await hostileApp();
    const port = await listening(h.app);
    const before = await snapshot(h);
    const rest = `Authorization: Bearer ${TEST_TOKEN}\r\nContent-Type: application/json\r\nConnection: close\r\n`;
    const tag = JSON.stringify(bodyFor('POST', '/api/tags'));
    const cases: Array<[string, string]> = [
      ['empty', `GET /api/summary HTTP/1.1\r\nHost: \r\n${rest}\r\n`],
      ['missing (HTTP/1.0)', `GET / HTTP/1.0\r\n${rest}\r\n`],
      ['missing (HTTP/1.1)', `GET / HTTP/1.1\r\n${rest}\r\n`],
      ['loopback then foreign', `GET /api/summary HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: evil.example\r\n${rest}\r\n`],
      ['foreign then loopback', `GET /api/summary HTTP/1.1\r\nHost: evil.example\r\nHost: 127.0.0.1:${port}\r\n${rest}\r\n`],
      ['two Hosts on a page', `GET / HTTP/1.1\r\nHost: localhost:${port}\r\nHost: evil.example\r\n${rest}\r\n`],
      ['two Hosts on a mutation', `POST /api/tags HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: evil.example\r\n${rest}Content-Length: ${tag.length}\r\n\r\n${tag}`],
      ['two Hosts on the event stream', `GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: evil.example\r\n${rest}\r\n`],
    ];
    for (const [name, text] of cases) {
      const answer = await rawRequest(port, text);
      expect([400, 403], `${name}: ${answer.slice(0, 300)}`).toContain(statusOf(answer));
      expect(answer, name).not.toContain('"root"');
    }
    expect(await snapshot(h)).toEqual(before);
  });
});

describe('hostile requests: tokens', () => {
  it('asks for the token on every /api route whatever the spelling of the request target', async () => {
    const h = await hostileApp();
    const port = await listening(h.app);
    const before = await snapshot(h);
    for (const t of apiTargets(h.app).filter((x) => !x.public)) {
      const rest = t.url.slice('/api'.length);
      const spellings = [`/%61pi${rest}`, `/%61%70%69${rest}`, `/api${rest.replace(/([a-z])$/, (c) => `%${c.charCodeAt(0).toString(16)}`)}`];
      for (const url of spellings) {
        expectRefused(await send(h.app, { ...t, url }, {}), `${t.method} ${url}`, ['UNAUTHORIZED'], 401);
      }
      // The absolute form names the server in the request line; Host alone must not be what is checked.
      const body = JSON.stringify(bodyFor(t.method, t.route));
      const withBody = t.method !== 'GET';
      for (const target of [`http://127.0.0.1:${port}${t.url}`, `http://evil.example${t.url}`]) {
        const answer = await rawRequest(
          port,
          `${t.method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n` +
            (withBody ? `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}` : '\r\n'),
        );
        expect(statusOf(answer), `${t.method} ${target}: ${answer.slice(0, 300)}`).toBe(400);
        expect(answer).toContain('BAD_REQUEST_TARGET');
      }
    }
    expect(await snapshot(h)).toEqual(before);
  });

  it('delays a wrong token at sign-in and a forged cookie, each attempt on its own, while the right token answers at once', async () => {
    const h = await hostileApp();
    const session = (token: string) =>
      send(h.app, { method: 'POST', url: '/api/session' }, { origin: ORIGIN }, { payload: JSON.stringify({ token }) });
    const attempts = [
      () => session(`${TEST_TOKEN.slice(0, -1)}x`),
      () => session('x'),
      () => session(`${TEST_TOKEN}${TEST_TOKEN}`),
      () => send(h.app, { method: 'GET', url: '/api/summary' }, { cookie: 'ckptdash_7878=forged' }),
      () => send(h.app, { method: 'GET', url: '/api/summary' }, { cookie: `ckptdash_7878=${TEST_TOKEN}` }),
      () => send(h.app, { method: 'GET', url: '/api/summary' }, { authorization: `Bearer ${TEST_TOKEN}x` }),
    ];
    const t0 = Date.now();
    const timed = attempts.map(async (a) => {
      const start = Date.now();
      const res = await a();
      return { res, ms: Date.now() - start };
    });
    const good = await send(h.app, { method: 'GET', url: '/api/summary' }, auth);
    const goodMs = Date.now() - t0;
    const failed = await Promise.all(timed);
    const total = Date.now() - t0;
    expect(good.statusCode).toBe(200);
    for (const { res, ms } of failed) {
      expect(res.statusCode).toBe(401);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(ms).toBeGreaterThanOrEqual(AUTH_FAILURE_DELAY_MS - 20);
    }
    expect(goodMs).toBeLessThan(AUTH_FAILURE_DELAY_MS);
    // Six attempts one after the other would take six delays; each waiting on its own takes about one.
    expect(total).toBeLessThan(AUTH_FAILURE_DELAY_MS * 4);
  });

  it('never writes the token to the log, for refused and accepted requests alike', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        cb();
      },
    });
    const h = await hostileApp({ logger: { level: 'trace', stream } });
    const cookie = await signIn(h.app);
    const requests: Array<() => Promise<unknown>> = [];
    for (const t of [...targets(h.app), ...PAGES]) {
      if (t.url === '/api/events') continue;
      const variants: Record<string, string>[] = [auth, { cookie, origin: ORIGIN }, { authorization: `Bearer ${TEST_TOKEN}x` }, { cookie: `ckptdash_7878=${TEST_TOKEN}` }, { ...auth, host: 'evil.example' }];
      for (const headers of variants) {
        requests.push(() => send(h.app, t, headers));
        requests.push(() => send(h.app, { ...t, url: `${t.url}?token=${TEST_TOKEN}` }, headers));
      }
    }
    const session = (payload: string) => () => send(h.app, { method: 'POST', url: '/api/session' }, { origin: ORIGIN }, { payload });
    requests.push(
      session(JSON.stringify({ token: TEST_TOKEN })),
      session(JSON.stringify({ token: `${TEST_TOKEN}x` })),
      session(JSON.stringify({ token: TEST_TOKEN, extra: TEST_TOKEN })),
      session(JSON.stringify({ token: TEST_TOKEN.repeat(40) })),
      session(`{"token":"${TEST_TOKEN}"`),
      session(`{"token":"${TEST_TOKEN}","__proto__":{"x":1}}`),
      () => send(h.app, { method: 'POST', url: '/api/session' }, { 'content-type': 'text/plain' }, { payload: TEST_TOKEN }),
      () => send(h.app, { method: 'POST', url: '/api/session' }, {}, { payload: JSON.stringify({ token: TEST_TOKEN.repeat(5000) }) }),
      () => send(h.app, { method: 'GET', url: `/%zz?token=${TEST_TOKEN}` }, auth),
      () => send(h.app, { method: 'GET', url: `/api/jobs/${'x'.repeat(300)}?token=${TEST_TOKEN}` }, auth),
    );
    // Concurrently, so the failed attempts' delays overlap.
    await Promise.all(requests.map((r) => r()));
    const port = await listening(h.app);
    const stream1 = await openStream(port, `/api/events?token=${TEST_TOKEN}`, auth);
    expect(stream1.status).toBe(200);
    expect(lines.length).toBeGreaterThan(requests.length);
    expect(lines.filter((l) => l.includes(TEST_TOKEN))).toEqual([]);
  });
});

describe('hostile requests: origins and fetch metadata', () => {
  const origins = [
    'http://evil.example',
    'null',
    'http://127.0.0.1:7879',
    'http://localhost:7879',
    'http://localhost:7878',
    'http://[::1]:7878',
    'http://127.0.0.1',
    `${ORIGIN}/`,
    `${ORIGIN}.evil.example`,
    `https://${HOST}`,
  ];
  const sites = ['cross-site', 'same-site', 'bogus'];

  it('refuses a foreign Origin or cross-site fetch metadata with the cookie, on every method, page and the event stream', async () => {
    const h = await hostileApp();
    const cookie = await signIn(h.app);
    const before = await snapshot(h);
    for (const t of withEveryMethod(h.app)) {
      const what = `${t.method} ${t.url}`;
      for (const origin of origins) {
        expectRefused(await send(h.app, t, { cookie, origin }), `${what} Origin ${origin}`, ['ORIGIN_NOT_ALLOWED']);
      }
      for (const site of sites) {
        expectRefused(await send(h.app, t, { cookie, origin: ORIGIN, 'sec-fetch-site': site }), `${what} Sec-Fetch-Site ${site}`, ['CROSS_SITE']);
        // What a no-cors subresource (a script, an image) sends: the cookie and the fetch metadata, no Origin.
        expectRefused(await send(h.app, t, { cookie, 'sec-fetch-site': site }), `${what} ${site} without Origin`, ['CROSS_SITE']);
      }
    }
    expect(await snapshot(h)).toEqual(before);
  });

  it('refuses a state change that carries only the cookie and no Origin, on every method, whatever the fetch metadata says', async () => {
    const h = await hostileApp();
    const cookie = await signIn(h.app);
    const before = await snapshot(h);
    for (const url of apiUrls(h.app)) {
      const route = apiTargets(h.app).find((t) => t.url === url)!.route;
      for (const method of BODY_METHODS) {
        for (const meta of [{}, { 'sec-fetch-site': 'same-origin' }, { 'sec-fetch-site': 'none' }, { referer: `${ORIGIN}/` }] as Record<string, string>[]) {
          // Signing in needs no cookie at all; the token in its body is the credential.
          if (h.app.ckpt.routes.some((r) => r.public && r.method === method && r.url === route)) continue;
          const res = await send(h.app, { method, url, route }, { cookie, ...meta });
          expectRefused(res, `${method} ${url} ${JSON.stringify(meta)}`, ['ORIGIN_REQUIRED']);
        }
      }
    }
    expect(await snapshot(h)).toEqual(before);
    // The same tag request with the page's own Origin goes through: the refusals above are the guard's.
    const ok = await send(h.app, { method: 'POST', url: '/api/tags' }, { cookie, origin: ORIGIN, 'sec-fetch-site': 'same-origin' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await snapshot(h)).not.toEqual(before);
  });
});

describe('hostile requests: CORS', () => {
  it('grants no preflight on any route, page, method or origin, and no CORS header on any answer', async () => {
    const h = await hostileApp();
    const cookie = await signIn(h.app);
    const urls = [...new Set([...targets(h.app), ...PAGES].map((t) => t.url))];
    for (const url of urls) {
      for (const method of ['GET', 'HEAD', ...BODY_METHODS]) {
        for (const origin of [undefined, 'http://evil.example', 'http://127.0.0.1:7879', 'null', ORIGIN]) {
          for (const who of [{}, auth, { cookie }]) {
            const res = await hit(h.app, {
              method: 'OPTIONS',
              url,
              headers: {
                host: HOST,
                ...who,
                ...(origin ? { origin } : {}),
                'access-control-request-method': method,
                'access-control-request-headers': 'authorization, content-type',
                'access-control-request-private-network': 'true',
              },
            });
            const what = `OPTIONS ${url} for ${method} from ${origin}`;
            expect(res.statusCode, what).toBeGreaterThanOrEqual(400);
            expect(Object.keys(res.headers).filter((k) => k.startsWith('access-control-')), what).toEqual([]);
          }
        }
      }
    }
    for (const t of everything(h.app).filter((x) => x.url !== '/api/events')) {
      const res = await send(h.app, t, { ...auth, origin: ORIGIN });
      expect(Object.keys(res.headers).filter((k) => k.startsWith('access-control-')), `${t.method} ${t.url}`).toEqual([]);
    }
  });
});

describe('hostile requests: bodies', () => {
  /** Every body route, plus every other body method on every API URL. */
  function bodyTargets(app: FastifyInstance): Target[] {
    const own = apiTargets(app).filter((t) => (BODY_METHODS as readonly string[]).includes(t.method));
    const others = apiUrls(app).flatMap((url) =>
      BODY_METHODS.filter((m) => !own.some((t) => t.url === url && t.method === m)).map((method) => ({ method, url, route: url, public: false, mutates: false })),
    );
    return [...own, ...others];
  }

  it('refuses text, form and multipart bodies on every route, however the type is spelled and however the caller signs in', async () => {
    const h = await hostileApp();
    const cookie = await signIn(h.app);
    const before = await snapshot(h);
    const types = [
      'text/plain',
      'TEXT/PLAIN',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded;charset=UTF-8',
      'multipart/form-data; boundary=----x',
      'text/plain, application/json',
      '',
      undefined,
    ];
    for (const t of bodyTargets(h.app)) {
      const own = h.app.ckpt.routes.some((r) => r.method === t.method && r.url === t.route);
      for (const type of types) {
        for (const who of [auth, { cookie, origin: ORIGIN }]) {
          const headers: Record<string, string> = { host: HOST, ...who, ...(type === undefined ? {} : { 'content-type': type }) };
          const res = await hit(h.app, { method: t.method as InjectOptions['method'], url: t.url, headers, payload: JSON.stringify(bodyFor(t.method, t.route)) });
          const what = `${t.method} ${t.url} as ${JSON.stringify(type)}`;
          // A method the URL does not have: not found, or refused for its type first; never parsed.
          expect(own ? [415] : [404, 415], `${what}: ${res.body}`).toContain(res.statusCode);
        }
      }
    }
    expect(await snapshot(h)).toEqual(before);
  });

  it('validates odd spellings of the JSON type by the same schema, or refuses them', async () => {
    const h = await hostileApp();
    const before = await snapshot(h);
    const types = [
      'Application/JSON',
      'application/json;',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/json\t',
      'application/json ',
      'application/jsonx',
      'application/json-patch+json',
      'application/x-json',
      'application/csp-report',
      'text/json',
      'application/json, text/plain',
      'application/json;text/plain',
    ];
    for (const t of apiTargets(h.app).filter((x) => (BODY_METHODS as readonly string[]).includes(x.method))) {
      const valid = bodyFor(t.method, t.route) as Record<string, unknown>;
      for (const type of types) {
        // A valid body plus one unknown key: accepted only if the schema was skipped.
        const res = await send(h.app, t, { ...auth, 'content-type': type }, { payload: JSON.stringify({ ...valid, unknownKey: true }) });
        expect([400, 415], `${t.method} ${t.url} as ${JSON.stringify(type)}: ${res.body}`).toContain(res.statusCode);
      }
    }
    expect(await snapshot(h)).toEqual(before);
  });
});

/** `body` with `extra` added at the top and inside every nested object (arrays included). */
function nestedEverywhere(body: unknown, extra: string): string[] {
  const json = JSON.stringify(body);
  const out = [`{${extra},${json.slice(1)}`];
  for (let i = 1; i < json.length; i++) if (json[i] === '{') out.push(`${json.slice(0, i + 1)}${extra}${json[i + 1] === '}' ? '' : ','}${json.slice(i + 1)}`);
  if (json === '{}') out[0] = `{${extra}}`;
  return out;
}

describe('hostile requests: sizes and prototypes', () => {
  const bodyRoutes = (app: FastifyInstance) => apiTargets(app).filter((t) => (BODY_METHODS as readonly string[]).includes(t.method));

  it('answers 413 over the limit on every body route, and a 50 MB body costs bounded memory', async () => {
    const h = await hostileApp();
    for (const t of bodyRoutes(h.app)) {
      const payload = JSON.stringify({ path: 'a'.repeat(BODY_LIMIT) });
      const res = await send(h.app, t, auth, { payload });
      expect(res.statusCode, `${t.method} ${t.url}`).toBe(413);
      expect(res.json().error.code).toBe('BODY_TOO_LARGE');
    }
    const port = await listening(h.app);
    const rss0 = process.memoryUsage().rss;
    for (const chunked of [false, true]) {
      const status = await streamBody(port, '/api/tags', 50 * MB, chunked);
      expect(status, chunked ? 'chunked' : 'with Content-Length').toBe(413);
    }
    expect(process.memoryUsage().rss - rss0).toBeLessThan(64 * MB);
    expect((await send(h.app, { method: 'GET', url: '/api/summary' }, auth)).statusCode).toBe(200);
  });

  it('refuses __proto__, constructor and prototype keys at any depth, in bodies and queries, and Object.prototype stays clean', async () => {
    const h = await hostileApp();
    const before = await snapshot(h);
    const protoNames = Object.getOwnPropertyNames(Object.prototype).sort();
    const poisons = ['"__proto__":{"polluted":"yes"}', '"constructor":{"prototype":{"polluted":"yes"}}', '"prototype":{"polluted":"yes"}'];
    for (const t of bodyRoutes(h.app)) {
      for (const poison of poisons) {
        for (const payload of nestedEverywhere(bodyFor(t.method, t.route), poison)) {
          const res = await send(h.app, t, auth, { payload });
          expect(res.statusCode, `${t.method} ${t.url} ${payload}: ${res.body}`).toBe(400);
        }
      }
    }
    for (const t of targets(h.app).filter((x) => x.method === 'GET' && x.url !== '/api/events')) {
      for (const q of ['__proto__[polluted]=yes', '__proto__.polluted=yes', 'constructor[prototype][polluted]=yes', '__proto__=yes&constructor=yes&prototype=yes']) {
        const res = await send(h.app, { ...t, url: `${t.url}?${q}` }, auth);
        expect(res.statusCode, `${t.url}?${q}`).toBeLessThan(500);
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoNames);
    expect(Object.prototype.hasOwnProperty.call(Array.prototype, 'polluted')).toBe(false);
    expect(await snapshot(h)).toEqual(before);
  });

  it('refuses extra properties at any depth, huge arrays, huge strings and deep nesting, in bounded memory', async () => {
    const h = await hostileApp();
    const before = await snapshot(h);
    const rss0 = process.memoryUsage().rss;
    const huge = 'a'.repeat(60_000);
    for (const t of bodyRoutes(h.app)) {
      const body = bodyFor(t.method, t.route);
      const cases: Array<[string, string, number[]]> = [
        ...nestedEverywhere(body, '"unknownKey":true').map((p): [string, string, number[]] => ['an extra property', p, [400]]),
        ['an array of a million elements', JSON.stringify({ ...(body as object), add: new Array(1e6).fill(0) }), [413]],
        ['a deep nesting', `{"a":${'['.repeat(30_000)}${']'.repeat(30_000)}}`, [400]],
        ['a deep nesting of objects', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, [400]],
        // Every string of the body, one at a time, made 60,000 characters long (under the body limit).
        ...JSON.stringify(body)
          .split('"')
          .map((_, i, parts) => (i % 2 === 1 ? parts.map((p, j) => (j === i ? huge : p)).join('"') : ''))
          .filter(Boolean)
          .map((p): [string, string, number[]] => ['a huge string', p, [400]]),
      ];
      for (const [name, payload, statuses] of cases) {
        const res = await send(h.app, t, auth, { payload });
        expect(statuses, `${t.method} ${t.url}: ${name} (${payload.slice(0, 80)}): ${res.body.slice(0, 200)}`).toContain(res.statusCode);
      }
    }
    for (const t of targets(h.app).filter((x) => x.method === 'GET' && x.url !== '/api/events')) {
      for (const q of [`path=${huge}`, `q=${huge}`, `session=${huge}`, `${huge}=1`, Array.from({ length: 5000 }, (_, i) => `k${i}=1`).join('&'), `path=${'a/'.repeat(20_000)}a`]) {
        const res = await send(h.app, { ...t, url: `${t.url}?${q}` }, auth);
        expect(res.statusCode, `${t.url}?${q.slice(0, 30)}…`).toBeLessThan(500);
      }
    }
    expect(process.memoryUsage().rss - rss0).toBeLessThan(64 * MB);
    expect(await snapshot(h)).toEqual(before);
  });
});

/** Streams `bytes` of a never-ending JSON string to `path`, stopping when the server answers or hangs up; the status. */
function streamBody(port: number, path: string, bytes: number, chunked: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    let closed = false;
    const pump = () => {
      while (!closed && sent < bytes) {
        sent += chunk.length;
        const ok = chunked ? socket.write(`${chunk.length.toString(16)}\r\n`) && socket.write(chunk) && socket.write('\r\n') : socket.write(chunk);
        if (!ok) return void socket.once('drain', pump);
      }
      if (!closed && chunked) socket.write('0\r\n\r\n');
    };
    socket.on('connect', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TEST_TOKEN}\r\nContent-Type: application/json\r\nConnection: close\r\n` +
          (chunked ? 'Transfer-Encoding: chunked\r\n\r\n' : `Content-Length: ${bytes + 2}\r\n\r\n`),
      );
      socket.write(chunked ? '2\r\n{"\r\n' : '{"');
      pump();
    });
    socket.on('data', (d) => (answer += d.toString()));
    // A server that answers early and hangs up makes the remaining writes fail: that is the point.
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
      const status = statusOf(answer);
      if (status) resolve(status);
      else reject(new Error(`no answer after ${sent} bytes`));
    });
    socket.setTimeout(20_000, () => socket.destroy());
  });
}

describe('hostile requests: GET and HEAD change nothing', () => {
  it('leaves files, tags, notes, journal, jobs and backups as they were after every GET and HEAD with odd queries', async () => {
    const h = await hostileApp();
    const port = await listening(h.app);
    const before = await snapshot(h);
    const queries = [
      '',
      '?path=debug_a',
      '?path=run1/final_model.pt&add=historical&note=changed',
      '?policy=aggressive&path=debug_a&confirm=true',
      '?kind=delete&items=debug_a&params[items][0][path]=debug_a',
      '?_method=POST&path=debug_a',
      '?method=DELETE&path=debug_a',
      '?path=../sentinel.pt',
      '?path=%00',
      '?token=x&session=latest&lang=es',
    ];
    const overrides: Record<string, string>[] = [{}, { 'x-http-method-override': 'POST' }, { 'x-method-override': 'DELETE' }, { 'x-http-method': 'DELETE' }];
    for (const t of everything(h.app)) {
      if (t.method !== 'GET' && t.method !== 'HEAD') continue;
      for (const q of queries) {
        for (const o of overrides) {
          if (t.url === '/api/events') {
            if (t.method === 'GET') expect((await openStream(port, `${t.url}${q}`, { ...auth, ...o })).status).toBeLessThan(500);
            continue;
          }
          const res = await send(h.app, { ...t, url: `${t.url}${q}` }, { ...auth, ...o });
          expect(res.statusCode, `${t.method} ${t.url}${q}`).toBeLessThan(500);
        }
      }
    }
    expect(await snapshot(h)).toEqual(before);
    expectSentinelsIntact(h);
  });
});

/** Hostile spellings of a path, with the sentinels of hostileApp as their targets. */
function hostilePaths(h: Hostile): string[] {
  return [
    '../sentinel.pt',
    '../../sentinel.pt',
    'run1/../../sentinel.pt',
    '..%2fsentinel.pt',
    '%2e%2e%2fsentinel.pt',
    '%2e%2e/sentinel.pt',
    '%252e%252e%252fsentinel.pt',
    '..\\sentinel.pt',
    '..\\..\\sentinel.pt',
    '/etc/passwd',
    `${h.project}/sentinel.pt`,
    `${h.root}-evil/x.pt`,
    '../checkpoints-evil/x.pt',
    `${h.root}/run1/final_model.pt`,
    '//proc/self/root/etc/passwd',
    `/proc/self/root${h.project}/sentinel.pt`,
    'file:///etc/passwd',
    `file://${h.project}/sentinel.pt`,
    'run1/',
    'run1//final_model.pt',
    './run1',
    'run1/.',
    '..',
    '.',
    'run1/final_model.pt\u0000',
    '\u0000',
    'run1/final_model.pt\u0000/../../sentinel.pt',
    '%c0%ae%c0%ae/sentinel.pt',
    '\u00c0\u00ae\u00c0\u00ae/sentinel.pt',
    '\uff0e\uff0e/sentinel.pt',
    '\u2025/sentinel.pt',
    '..\uff0fsentinel.pt',
    '\uff0e\uff0e\uff0fsentinel.pt',
    '..\u2215sentinel.pt',
    '..\u2044sentinel.pt',
    ' ../sentinel.pt',
  ];
}

/** Starts a backup of one checkpoint and waits for it, so restore has a real archive to be asked about. */
async function makeBackup(app: FastifyInstance): Promise<string> {
  const started = await send(app, { method: 'POST', url: '/api/jobs' }, auth, { payload: JSON.stringify({ kind: 'backup', params: { paths: ['run1/final_model.pt'] } }) });
  expect(started.statusCode, started.body).toBe(202);
  for (let i = 0; i < 200; i++) {
    const job = (await send(app, { method: 'GET', url: `/api/jobs/${started.json().id}` }, auth)).json();
    if (job.state === 'done') return job.result.file.split('/').pop();
    expect(['running', 'queued'], JSON.stringify(job)).toContain(job.state);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the backup did not finish');
}

/** Waits for every job to end, and fails if one ended having done something. */
async function settleJobs(app: FastifyInstance): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const jobs = (await send(app, { method: 'GET', url: '/api/jobs' }, auth)).json().items as Array<{ state: string }>;
    if (jobs.every((j) => j.state !== 'running' && j.state !== 'queued')) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('a job did not end');
}

describe('hostile requests: paths', () => {
  it('refuses hostile paths in every query and URL parameter, and reads nothing outside the root', async () => {
    const h = await hostileApp();
    const before = await snapshot(h);
    const doc = (await send(h.app, { method: 'GET', url: '/api/openapi.json' }, auth)).json();
    const queryRoutes: Array<{ url: string; param: string }> = [];
    for (const [url, ops] of Object.entries<Record<string, { parameters?: Array<{ in: string; name: string }> }>>(doc.paths)) {
      for (const p of ops.get?.parameters ?? []) if (p.in === 'query' && /path|session|name|file/i.test(p.name)) queryRoutes.push({ url, param: p.name });
    }
    expect(queryRoutes.map((r) => `${r.url}?${r.param}`)).toEqual(expect.arrayContaining(['/api/tree?path', '/api/entry?path', '/api/report?session']));
    const paramRoutes = targets(h.app).filter((t) => t.route.includes('/:'));
    for (const v of hostilePaths(h)) {
      const asText = /^[\x21-\x7e]*$/.test(v);
      const requests: Target[] = [
        ...queryRoutes.flatMap(({ url, param }) =>
          [`${url}?${param}=${encodeURIComponent(v)}`, ...(asText ? [`${url}?${param}=${v}`] : [])].map((u) => ({ method: 'GET', url: u, route: url, public: false, mutates: false })),
        ),
        ...paramRoutes.map((t) => ({ ...t, url: t.route.replace(/:[A-Za-z]+/, encodeURIComponent(v)) })),
      ];
      for (const t of requests) {
        const res = await send(h.app, t, auth);
        expect([400, 404], `${t.method} ${t.url}: ${res.body.slice(0, 200)}`).toContain(res.statusCode);
        expect(res.body).not.toContain('SENTINEL');
      }
    }
    expect(await snapshot(h)).toEqual(before);
    expectSentinelsIntact(h);
  });

  it('refuses hostile paths in every body that takes one: tags and every job kind', async () => {
    const h = await hostileApp();
    const backup = await makeBackup(h.app);
    const before = await snapshot(h);
    const bodies: Record<string, (v: string) => Record<string, unknown>> = {
      backup: (v) => ({ paths: [v] }),
      verify: (v) => ({ paths: [v] }),
      duplicates: (v) => ({ path: v }),
      delete: (v) => ({ items: [{ path: v }] }),
      restore: (v) => ({ name: backup, files: [v], overwrite: true }),
      'verify-backup': (v) => ({ name: `${v}.tar.gz` }),
    };
    // A new job kind must be classified here before this test passes.
    expect(h.app.ckpt.jobs.kindNames.sort()).toEqual(Object.keys(bodies).sort());
    const restoreNames = (v: string) => ({ name: `${v}.tar.gz`, overwrite: true });
    const badSyntax = (v: string) => v.includes('\0') || v.startsWith('/') || v.split('/').some((s) => s === '' || s === '.' || s === '..');
    for (const v of hostilePaths(h)) {
      const tag = await send(h.app, { method: 'POST', url: '/api/tags' }, auth, { payload: JSON.stringify({ path: v, add: ['historical'], note: 'changed' }) });
      expect(badSyntax(v) ? [400] : [400, 404], `tags ${JSON.stringify(v)}: ${tag.body}`).toContain(tag.statusCode);
      for (const [kind, params] of [...Object.entries(bodies), ['restore', restoreNames] as const]) {
        const res = await send(h.app, { method: 'POST', url: '/api/jobs' }, auth, { payload: JSON.stringify({ kind, params: params(v) }) });
        const what = `${kind} ${JSON.stringify(params(v))}: ${res.body.slice(0, 200)}`;
        const byName = 'name' in params(v) && params(v).name !== backup;
        // A path against the contract is refused at once; restore matches its files against the manifest (404 when absent).
        if (badSyntax(v) && !byName) expect(kind === 'restore' ? [400, 404] : [400], what).toContain(res.statusCode);
        if (res.statusCode !== 202) {
          expect([400, 404], what).toContain(res.statusCode);
          continue;
        }
        // An odd but valid name can start a job; it must end having done nothing.
        await settleJobs(h.app);
        const job = (await send(h.app, { method: 'GET', url: `/api/jobs/${res.json().id}` }, auth)).json();
        if (job.state === 'failed') expect(['NOT_FOUND', 'INVALID_NAME'], what).toContain(job.error.code);
        else expect(job.kind === 'delete' && job.state === 'done' && job.result.deleted.length === 0, `${what} ended ${JSON.stringify(job)}`).toBe(true);
      }
    }
    await settleJobs(h.app);
    const after = await snapshot(h);
    // Failed jobs are listed; nothing else may change.
    expect({ ...after, jobs: [] }).toEqual({ ...before, jobs: [] });
    expectSentinelsIntact(h);
  });

  it('serves no file outside the web folder, whatever the page path', async () => {
    const h = await hostileApp();
    const port = await listening(h.app);
    const paths = [
      '/../secret.txt',
      '/../web-evil/secret.txt',
      '/assets/../../web-evil/secret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/%2e%2e%2fweb-evil%2fsecret.txt',
      '/%252e%252e/secret.txt',
      '/..%5csecret.txt',
      '/..\\secret.txt',
      `/${h.project}/secret.txt`,
      `//${h.project.slice(1)}/secret.txt`,
      '//proc/self/root/etc/passwd',
      '/%c0%ae%c0%ae/secret.txt',
      '/%ef%bc%8e%ef%bc%8e/secret.txt',
      '/%e2%80%a5/secret.txt',
      '/..%ef%bc%8fsecret.txt',
      '/index.html%00.js',
      '/assets/',
      `/assets/..%2f..%2fweb-evil/secret.txt`,
    ];
    for (const path of paths) {
      const answer = await rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TEST_TOKEN}\r\nConnection: close\r\n\r\n`);
      expect(statusOf(answer), `${path}: ${answer.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(answer, path).not.toContain('SENTINEL');
    }
    expect(statusOf(await rawRequest(port, `GET ${ASSET} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`))).toBe(200);
  });
});

describe('hostile requests: response headers', () => {
  function expectSecurityHeaders(res: { headers: Record<string, unknown> }, what: string): void {
    const csp = String(res.headers['content-security-policy'] ?? '');
    expect(csp, what).toContain("frame-ancestors 'none'");
    expect(csp, what).not.toContain('upgrade-insecure-requests');
    expect(res.headers['x-content-type-options'], what).toBe('nosniff');
    expect(res.headers['cross-origin-resource-policy'], what).toBe('same-origin');
    expect(res.headers['referrer-policy'], what).toBe('no-referrer');
    expect(res.headers['strict-transport-security'], what).toBeUndefined();
  }

  it('sends them on pages, assets, answers, errors, 404s, HEAD and bad URLs, with a JSON type on JSON', async () => {
    const h = await hostileApp();
    const requests: Array<[string, Partial<InjectOptions> & { url: string }]> = [];
    for (const t of everything(h.app)) {
      if (t.url === '/api/events') continue;
      requests.push([`${t.method} ${t.url}`, { method: t.method as InjectOptions['method'], url: t.url, headers: auth }]);
      requests.push([`${t.method} ${t.url} without a token`, { method: t.method as InjectOptions['method'], url: t.url, headers: {} }]);
      requests.push([`${t.method} ${t.url} from a foreign Host`, { method: t.method as InjectOptions['method'], url: t.url, headers: { ...auth, host: 'evil.example' } }]);
      requests.push([`${t.method} ${t.url} from a foreign Origin`, { method: t.method as InjectOptions['method'], url: t.url, headers: { ...auth, origin: 'null' } }]);
    }
    const post = (url: string, payload: string, type = 'application/json') => ({ method: 'POST' as const, url, payload, headers: { ...auth, 'content-type': type } });
    requests.push(
      ['an unknown API route', { url: '/api/nope', headers: auth }],
      ['an unknown page', { url: '/nope', headers: auth }],
      ['a validation error', { url: '/api/tree?sort=bogus', headers: auth }],
      ['a bad path', { url: '/api/entry?path=../x', headers: auth }],
      ['an oversize body', post('/api/tags', JSON.stringify({ path: 'a'.repeat(BODY_LIMIT) }))],
      ['a text body', post('/api/tags', '{}', 'text/plain')],
      ['broken JSON', post('/api/tags', '{"path":')],
      ['a bad URL', { url: '/%zz', headers: auth }],
      ['a bad API URL', { url: '/api/%zz', headers: auth }],
      ['a bad URL from a foreign Host', { url: '/api/%zz', headers: { ...auth, host: 'evil.example' } }],
      ['a URL parameter too long', { url: `/api/jobs/${'x'.repeat(300)}`, headers: auth }],
      ['a preflight', { method: 'OPTIONS', url: '/api/tags', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } }],
    );
    for (const [what, opts] of requests) {
      const res = await hit(h.app, { ...opts, headers: { host: HOST, ...(opts.headers as Record<string, string>) } });
      expectSecurityHeaders(res, what);
      const path = opts.url.split('?')[0];
      const isJson = path.startsWith('/api/') && !(path === '/api/report' && res.statusCode === 200) && opts.method !== 'HEAD';
      if (isJson) {
        expect(res.headers['content-type'], `${what}: ${res.statusCode}`).toMatch(/^application\/json(;|$)/);
        expect(() => res.json(), what).not.toThrow();
        if (res.statusCode >= 400) expect(res.json().error.code, what).toMatch(/^[A-Z][A-Z0-9_]*$/);
      }
    }
  });

  it('sends them on the event stream, open or refused', async () => {
    const h = await hostileApp();
    const port = await listening(h.app);
    const open = await openStream(port, '/api/events', auth);
    expect(open.status).toBe(200);
    expect(open.headers['content-type']).toMatch(/^text\/event-stream/);
    expectSecurityHeaders(open, 'the open stream');
    for (const headers of [{}, { origin: 'http://evil.example', ...auth }, { ...auth, 'sec-fetch-site': 'cross-site' }]) {
      const refused = await openStream(port, '/api/events', headers);
      expect(refused.status, JSON.stringify(headers)).toBeGreaterThanOrEqual(400);
      expectSecurityHeaders(refused, JSON.stringify(headers));
      expect(refused.headers['content-type']).toMatch(/^application\/json/);
    }
  });
});
