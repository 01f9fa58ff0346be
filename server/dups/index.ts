/**
 * Duplicate detection of checkpoint files (size, then both ends, then the
 * whole content; hashes cached by etag) and its background job.
 */
export { candidatesFromIndex, MODEL_EXTENSIONS, type CandidateFilter, type DupCandidate } from './candidates.js';
export { findDuplicates, type DuplicateGroup, type DuplicateResult, type DupStage, type FindOptions } from './find.js';
export { MemoryHashCache, StoreHashCache, type HashCache } from './hash-cache.js';
export type { DropReason, FileHashes } from './hash-file.js';
export { duplicatesJob, type DuplicatesJobDeps, type DuplicatesParams, type DuplicatesSummary } from './job.js';
