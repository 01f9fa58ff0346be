import type { Config } from '../config.js';
import type { ScanPort } from '../context.js';
import type { EventHub } from '../events/hub.js';
import { ScanService } from './scan-service.js';

/**
 * The scanner as the app uses it: the index over `config.root`, skipping the
 * config file's `ignore` patterns, with its events on the app's channel (the
 * hub stamps them with `scan.version`).
 */
export function createScan(config: Config, events: EventHub): ScanPort & ScanService {
  const scan = new ScanService(config.root, { ignore: config.settings.ignore ?? [] });
  scan.on('scan', ({ state, entries, bytes }) => events.publish({ type: 'scan', state, entries, bytes }));
  scan.on('tree', ({ upserts, removed }) => events.publish({ type: 'tree', upserts, removed }));
  // Too many changes to patch one by one: every client refetches.
  scan.on('reset', ({ reason }) => events.publish({ type: 'reset', reason }));
  return scan;
}
