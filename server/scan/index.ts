/**
 * The scanner and in-memory index of the checkpoints tree (see scan-service.ts).
 * Routes and other modules import from here.
 */
export { ScanService } from './scan-service.js';
export type { ScanOptions, ScanSummary, ScanServiceEvents, ScanEvent, TreeEvent, ResetEvent } from './scan-service.js';
export type { ListQuery } from './listing.js';
export { DEFAULT_LIMIT } from './listing.js';
export type { IndexEntryDetails, TagProvider } from './entry-view.js';
export { OTHER_FS_CODE } from './entry-view.js';
export { statEtag } from './etag.js';
export { compileIgnore, type IgnoreMatcher } from './ignore.js';
export { createScan } from './create.js';
