import type { FastifyInstance } from 'fastify';
import type { ServerEvent } from '../../shared/schemas/events.js';
import type { Stamped } from '../events/hub.js';
import { SECURITY_HEADERS } from '../plugins/security-headers.js';

/** Keeps proxies and sleeping laptops from silently dropping an idle stream. */
export const HEARTBEAT_MS = 15_000;
/**
 * A client this far behind (a sleeping laptop, a stalled tunnel) is cut off instead of having
 * the server buffer every change for it; it comes back with Last-Event-ID and gets the events
 * it missed, or `reset` and refetches.
 */
export const MAX_BACKLOG_BYTES = 1024 * 1024;

function frame(event: ServerEvent, id?: string): string {
  return `${id ? `id: ${id}\n` : ''}data: ${JSON.stringify(event)}\n\n`;
}

export default async function eventRoutes(app: FastifyInstance) {
  app.get(
    '/api/events',
    {
      schema: {
        summary: 'Server-Sent Events: hello, then typed deltas; Last-Event-ID resumes or gets reset',
        produces: ['text/event-stream'],
      },
    },
    (req, reply) => {
      const hub = app.ckpt.events;
      const lastId = req.headers['last-event-id'];
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      // Subscribing and reading the backlog happen in one tick, so nothing falls between them.
      const queue: Stamped[] = [];
      let live = false;
      const send = (text: string) => {
        if (res.destroyed) return;
        if (res.writableLength > MAX_BACKLOG_BYTES) res.destroy();
        else res.write(text);
      };
      const unsubscribe = hub.subscribe((s) => (live ? send(frame(s.event, s.id)) : queue.push(s)));
      const latestId = `${hub.serverId}.${hub.lastSeq}`;
      res.write('retry: 2000\n\n');
      res.write(frame({ type: 'hello', version: hub.version, serverId: hub.serverId }, latestId));
      if (typeof lastId === 'string' && lastId !== '') {
        const missed = hub.since(lastId);
        if (missed === null) {
          res.write(frame({ type: 'reset', version: hub.version, reason: 'missed events cannot be replayed' }, latestId));
        } else {
          for (const s of missed) res.write(frame(s.event, s.id));
        }
      }
      for (const s of queue) res.write(frame(s.event, s.id));
      live = true;
      const beat = setInterval(() => send(': heartbeat\n\n'), HEARTBEAT_MS);
      beat.unref();
      const close = () => {
        clearInterval(beat);
        unsubscribe();
      };
      req.raw.on('close', close);
      res.on('error', close);
    },
  );
}
