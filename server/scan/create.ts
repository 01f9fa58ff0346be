import type { Config } from '../config.js';
import type { ScanPort } from '../context.js';
import type { EventHub } from '../events/hub.js';
import { FolderWatcher } from '../watch/folder-watcher.js';
import type { TagProvider } from './entry-view.js';
import { ScanService } from './scan-service.js';

/** The scan service with its folder watcher: started after the first scan is ready, stopped on close. */
class WatchedScanService extends ScanService {
  readonly watcher: FolderWatcher;

  constructor(config: Config, events: EventHub, tagsOf?: TagProvider) {
    super(config.root, { ignore: config.settings.ignore ?? [], tagsOf });
    this.watcher = new FolderWatcher(this, {
      root: config.root,
      exclude: [config.stateDir],
      onNotice: (level, code, message) => {
        // Pages opened later learn it from the summary: the notice reaches only those open now.
        if (code === 'ROOT_GONE') this.noteRootProblem(message);
        events.publish({ type: 'notice', level, code, message });
      },
    });
  }

  override start(): void {
    super.start();
    void this.watcher.start();
  }

  override async close(): Promise<void> {
    await this.watcher.close();
    await super.close();
  }
}

/**
 * The scanner as the app uses it: the index over `config.root`, skipping the
 * config file's `ignore` patterns, kept current by the folder watcher, with
 * its events on the app's channel (the hub stamps them with `scan.version`).
 */
export function createScan(config: Config, events: EventHub, tagsOf?: TagProvider): ScanPort & ScanService {
  const scan = new WatchedScanService(config, events, tagsOf);
  scan.on('scan', ({ state, entries, bytes }) => events.publish({ type: 'scan', state, entries, bytes }));
  scan.on('tree', ({ upserts, removed }) => events.publish({ type: 'tree', upserts, removed }));
  // Too many changes to patch one by one: every client refetches.
  scan.on('reset', ({ reason }) => events.publish({ type: 'reset', reason }));
  return scan;
}
