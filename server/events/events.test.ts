import http from 'node:http';
import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { testApp, TEST_TOKEN } from '../test-utils/app.js';
import { EventHub } from './hub.js';

/** Opens the event stream over a real socket and collects parsed messages. */
function openStream(app: FastifyInstance, headers: Record<string, string> = {}) {
  const addr = app.server.address() as { port: number };
  const messages: { id?: string; data: any }[] = [];
  let raw = '';
  let status = 0;
  let contentType = '';
  const req = http.get({ host: '127.0.0.1', port: addr.port, path: '/api/events', headers: { authorization: `Bearer ${TEST_TOKEN}`, ...headers } });
  const opened = new Promise<void>((resolve) => {
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      contentType = String(res.headers['content-type']);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        raw += chunk;
        let cut;
        while ((cut = raw.indexOf('\n\n')) >= 0) {
          const block = raw.slice(0, cut);
          raw = raw.slice(cut + 2);
          const id = /^id: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (data) messages.push({ id, data: JSON.parse(data) });
        }
      });
      resolve();
    });
  });
  const waitFor = async (n: number) => {
    for (let i = 0; i < 200 && messages.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    return messages;
  };
  return { opened, messages, waitFor, close: () => req.destroy(), status: () => status, contentType: () => contentType };
}

async function listening() {
  const app = await testApp();
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

describe('the event stream', () => {
  it('starts with hello, then streams typed events with ids', async () => {
    const app = await listening();
    const s = openStream(app);
    await s.opened;
    expect(s.status()).toBe(200);
    expect(s.contentType()).toMatch(/text\/event-stream/);
    await s.waitFor(1);
    expect(s.messages[0].data).toMatchObject({ type: 'hello', serverId: app.ckpt.events.serverId });
    app.ckpt.events.publish({ type: 'notice', level: 'info', code: 'TEST', message: 'hi' });
    await s.waitFor(2);
    expect(s.messages[1].data).toMatchObject({ type: 'notice', code: 'TEST' });
    expect(s.messages[1].id).toBe(`${app.ckpt.events.serverId}.1`);
    s.close();
  });

  it('replays what a client missed after Last-Event-ID, or tells it to reset', async () => {
    const app = await listening();
    const hub = app.ckpt.events;
    for (let i = 0; i < 5; i++) hub.publish({ type: 'notice', level: 'info', code: `N${i}`, message: '' });
    const resumed = openStream(app, { 'last-event-id': `${hub.serverId}.2` });
    await resumed.waitFor(4);
    expect(resumed.messages.map((m) => m.data.type === 'notice' ? m.data.code : m.data.type)).toEqual(['hello', 'N2', 'N3', 'N4']);
    resumed.close();
    const stranger = openStream(app, { 'last-event-id': 'deadbeef.3' });
    await stranger.waitFor(2);
    expect(stranger.messages.map((m) => m.data.type)).toEqual(['hello', 'reset']);
    stranger.close();
  });

  it('refuses the stream across origins and without a token', async () => {
    const app = await listening();
    const foreign = openStream(app, { origin: 'http://evil.example' });
    await foreign.opened;
    expect(foreign.status()).toBe(403);
    foreign.close();
    const cross = openStream(app, { 'sec-fetch-site': 'cross-site' });
    await cross.opened;
    expect(cross.status()).toBe(403);
    cross.close();
    const anon = openStream(app, { authorization: '' });
    await anon.opened;
    expect(anon.status()).toBe(401);
    anon.close();
  });

  it('drops listeners when clients go away', async () => {
    const app = await listening();
    const before = app.ckpt.events.listeners;
    const s = openStream(app);
    await s.waitFor(1);
    expect(app.ckpt.events.listeners).toBe(before + 1);
    s.close();
    for (let i = 0; i < 100 && app.ckpt.events.listeners > before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(app.ckpt.events.listeners).toBe(before);
  });
});

describe('EventHub', () => {
  it('forgets events beyond its capacity and then asks for a reset', () => {
    const hub = new EventHub(() => 7, 3);
    for (let i = 0; i < 6; i++) hub.publish({ type: 'notice', level: 'info', code: 'X', message: String(i) });
    expect(hub.since(`${hub.serverId}.5`)?.map((s) => s.seq)).toEqual([6]);
    expect(hub.since(`${hub.serverId}.3`)?.map((s) => s.seq)).toEqual([4, 5, 6]);
    expect(hub.since(`${hub.serverId}.1`)).toBeNull();
    expect(hub.since(`${hub.serverId}.6`)).toEqual([]);
    expect(hub.since(`${hub.serverId}.99`)).toBeNull();
    expect(hub.since('garbage')).toBeNull();
    expect(hub.since(`${hub.serverId}.6`)).toEqual([]);
    expect(hub.publish({ type: 'notice', level: 'info', code: 'Y', message: '' }).event.version).toBe(7);
  });
});
