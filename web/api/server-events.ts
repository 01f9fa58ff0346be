import { useEffect, useState } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { ServerEvent } from '../../shared/schemas/index.js';
import { applyJob, applyScan, applyTree } from './event-patches.js';
import { keys } from './keys.js';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting';

/** A server notice (config error, store trouble) waiting to be read. */
export interface Notice {
  id: number;
  level: 'info' | 'warning' | 'error';
  code: string;
  message: string;
}

/** A burst of changes refetches the summary once, not once per frame. */
const SUMMARY_REFRESH_MS = 1_000;
/** EventSource gives up for good on an HTTP error (e.g. 401 after a restart); retry by hand, slower each time. */
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 15_000;

function parseEvent(data: string): ServerEvent | null {
  try {
    const event = JSON.parse(data) as ServerEvent;
    return typeof event?.type === 'string' ? event : null;
  } catch {
    // A malformed message is dropped: the next reset or refetch repairs the cache.
    return null;
  }
}

function throttled(fn: () => void, ms: number): { run: () => void; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = 0;
  return {
    run() {
      if (timer) return;
      const wait = Math.max(0, last + ms - Date.now());
      timer = setTimeout(() => {
        timer = undefined;
        last = Date.now();
        fn();
      }, wait);
    },
    cancel: () => clearTimeout(timer),
  };
}

/**
 * The one live connection: opens /api/events and turns its messages into
 * cache patches, applied together once per animation frame so a burst of
 * file events costs one render.
 */
export function useServerEvents(): { status: ConnectionStatus; notices: Notice[]; dismiss: (id: number) => void } {
  const qc = useQueryClient();
  const [status, setStatus] = useState<ConnectionStatus>('connecting');
  const [notices, setNotices] = useState<Notice[]>([]);

  useEffect(() => {
    let source: EventSource | null = null;
    let serverId: string | null = null;
    // A fresh EventSource sends no Last-Event-ID, so the server cannot replay what was missed.
    let missedEvents = false;
    let queue: ServerEvent[] = [];
    let frame = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let retryMs = RETRY_MIN_MS;
    let noticeId = 0;
    const summary = throttled(() => void qc.invalidateQueries({ queryKey: keys.summary }), SUMMARY_REFRESH_MS);

    const flush = () => {
      frame = 0;
      const batch = queue;
      queue = [];
      applyBatch(qc, batch, {
        onServer: (id) => {
          const stale = missedEvents || (serverId !== null && serverId !== id);
          serverId = id;
          missedEvents = false;
          return stale;
        },
        refreshSummary: summary.run,
        notice: (n) => setNotices((list) => [...list.slice(-4), { ...n, id: ++noticeId }]),
      });
    };

    const open = () => {
      source = new EventSource('/api/events', { withCredentials: true });
      source.onopen = () => {
        retryMs = RETRY_MIN_MS;
        setStatus('connected');
      };
      source.onmessage = (message: MessageEvent<string>) => {
        const event = parseEvent(message.data);
        if (!event) return;
        queue.push(event);
        if (!frame) frame = requestAnimationFrame(flush);
      };
      source.onerror = () => {
        setStatus('reconnecting');
        if (source?.readyState !== EventSource.CLOSED) return;
        source = null;
        missedEvents = true;
        retryTimer = setTimeout(open, retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      };
    };
    open();

    return () => {
      source?.close();
      clearTimeout(retryTimer);
      cancelAnimationFrame(frame);
      summary.cancel();
    };
  }, [qc]);

  return { status, notices, dismiss: (id) => setNotices((list) => list.filter((n) => n.id !== id)) };
}

interface BatchHandlers {
  /** Records the server id; true when the cache may have missed changes (a restart, a fresh connection). */
  onServer: (serverId: string) => boolean;
  refreshSummary: () => void;
  notice: (notice: Omit<Notice, 'id'>) => void;
}

function applyBatch(qc: QueryClient, batch: ServerEvent[], on: BatchHandlers): void {
  for (const event of batch) {
    switch (event.type) {
      case 'hello':
        // A restarted server has a new index, and a fresh connection missed events: refetch what is shown.
        if (on.onServer(event.serverId)) void qc.invalidateQueries();
        break;
      case 'reset':
        void qc.invalidateQueries();
        break;
      case 'scan':
        if (applyScan(qc, event)) {
          void qc.invalidateQueries({ queryKey: keys.summary });
          void qc.invalidateQueries({ queryKey: keys.treeAll });
          void qc.invalidateQueries({ queryKey: keys.checkpoints });
        }
        break;
      case 'tree':
        applyTree(qc, event.upserts, event.removed);
        on.refreshSummary();
        break;
      case 'job':
        applyJob(qc, event.job);
        break;
      case 'notice':
        on.notice({ level: event.level, code: event.code, message: event.message });
        // A notice says the server's state changed (a config error, the state file going read-only).
        on.refreshSummary();
        break;
    }
  }
}
