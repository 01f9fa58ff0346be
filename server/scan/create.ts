import type { Config } from '../config.js';
import type { ScanPort } from '../context.js';
import type { EventHub } from '../events/hub.js';

/** Temporary: an empty index until the scanner lands. */
export function createScan(_config: Config, _events: EventHub): ScanPort {
  return {
    summary: () => ({ state: 'ready', entries: 0, files: 0, dirs: 0, bytes: 0, diskBytes: 0, errors: 0 }),
    tagTotals: () => ({}),
    version: 0,
    list: (path) => (path === '' ? { path, total: 0, entries: [] } : null),
    entry: () => null,
    start: () => {},
    ready: async () => {},
    close: async () => {},
  };
}
