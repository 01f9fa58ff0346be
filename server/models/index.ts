// The models module's public API: what the scanner, routes and jobs use.
export { fdSource, bufferSource, type ByteSource } from './byte-source.js';
export type { CheckpointInfo } from './checkpoint-info.js';
export { detectFormat, detectFolder, type ModelFormat } from './detect.js';
export { ModelReadError, type ReadProblem } from './errors.js';
export { localFolder, rootFsFolder, type FolderFiles, type OpenedFile } from './folder-files.js';
export { groupCheckpoints, isCheckpointFolderName, isModelFileName, MODEL_EXTENSIONS, type CheckpointUnit } from './group.js';
export { isSidecarName, parseSidecarMetrics, parseTrainerState, type TrainerState } from './hf.js';
export {
  applyWriting,
  quickIntegrity,
  WRITING_RECENT_MS,
  WRITING_TRUNCATED_MS,
  type Integrity,
  type IntegrityStatus,
} from './integrity.js';
export { extractMetadata, type GlobalInfo, type LightningInfo, type ModelMetadata } from './metadata.js';
export { isMetricKey } from './metric-names.js';
export { DEFAULT_PICKLE_LIMITS, unpickle, type PickleLimits, type PickleResult } from './pickle.js';
export { readCheckpoint, readCheckpointSource, type ReadOptions } from './read-checkpoint.js';
export { readCheckpointFolder, readShardSet, readSidecars, type FolderReadOptions } from './read-folder.js';
export { verifyCheckpointFile, type VerifyOptions, type VerifyProgress, type VerifyResult } from './verify.js';
