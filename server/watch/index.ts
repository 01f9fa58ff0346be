/**
 * The checkpoints-tree watcher: one non-recursive fs.watch per folder of the
 * scan service's index (see folder-watcher.ts).
 */
export { FolderWatcher, type FolderWatcherOptions, type NoticeLevel } from './folder-watcher.js';
