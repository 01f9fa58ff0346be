import { Type, type Static } from 'typebox';
import { Bytes, RelPath, TimeMs } from './common.js';

export const EntryKind = Type.Union([
  Type.Literal('dir'),
  Type.Literal('file'),
  Type.Literal('symlink'),
  Type.Literal('other'),
]);
export type EntryKind = Static<typeof EntryKind>;

/** One file, folder or symlink under the root, as the index knows it. */
export const Entry = Type.Object(
  {
    path: RelPath,
    name: Type.String(),
    kind: EntryKind,
    bytes: Bytes,
    diskBytes: Bytes,
    files: Type.Integer({ minimum: 0 }),
    mtimeMs: TimeMs,
    etag: Type.String(),
    tags: Type.Array(Type.String()),
    userTags: Type.Array(Type.String()),
    note: Type.Optional(Type.String()),
    protected: Type.Boolean(),
    error: Type.Optional(Type.String()),
    /** Number of direct children (folders only): lets the tree show an expander without a fetch. */
    children: Type.Optional(Type.Integer({ minimum: 0 })),
    /** The link target as read by readlink (symlinks only); never followed. */
    target: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type Entry = Static<typeof Entry>;

/** A mention of a checkpoint path in a project file. */
export const Reference = Type.Object(
  {
    file: Type.String(),
    line: Type.Integer({ minimum: 0 }),
    key: Type.Optional(Type.String()),
    protects: Type.Boolean(),
    missing: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type Reference = Static<typeof Reference>;

export const IntegrityStatus = Type.Union([
  Type.Literal('ok'),
  Type.Literal('corrupt'),
  Type.Literal('truncated'),
  Type.Literal('unchecked'),
  Type.Literal('writing'),
]);

export const CheckpointFormat = Type.Union([
  Type.Literal('torch-zip'),
  Type.Literal('torch-legacy'),
  Type.Literal('safetensors'),
  Type.Literal('hf-folder'),
  Type.Literal('unknown'),
]);

const closed = { additionalProperties: false } as const;

/** What the details pane shows beyond the list's columns (only `GET /api/entry` fills it). */
export const CheckpointDetails = Type.Object(
  {
    /** Every global the pickle names; `safe` is what torch.load(weights_only=True) accepts. */
    globals: Type.Array(Type.Object({ module: Type.String(), name: Type.String(), safe: Type.Boolean() }, closed)),
    dtypes: Type.Array(Type.String()),
    /** Flattened top-level values (nested keys joined with dots), strings included. */
    scalars: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
    lightning: Type.Optional(
      Type.Object(
        {
          version: Type.Optional(Type.String()),
          monitor: Type.Optional(Type.String()),
          bestModelScore: Type.Optional(Type.Number()),
          bestModelPath: Type.Optional(Type.String()),
        },
        closed,
      ),
    ),
    /** Hugging Face trainer_state.json. */
    trainer: Type.Optional(
      Type.Object(
        {
          globalStep: Type.Optional(Type.Number()),
          epoch: Type.Optional(Type.Number()),
          bestMetric: Type.Optional(Type.Number()),
          bestModelCheckpoint: Type.Optional(Type.String()),
          lastLog: Type.Record(Type.String(), Type.Number()),
        },
        closed,
      ),
    ),
    /** Why the contents could not be read (integrity.detail says what is wrong with the file). */
    error: Type.Optional(Type.String()),
    /** When the files were read (ms since the epoch). */
    readAt: Type.Optional(TimeMs),
  },
  closed,
);
export type CheckpointDetails = Static<typeof CheckpointDetails>;

/** One model save: a model file, a checkpoint folder, or a shard set. */
export const Checkpoint = Type.Object(
  {
    path: RelPath,
    run: RelPath,
    format: CheckpointFormat,
    bytes: Bytes,
    tags: Type.Array(Type.String()),
    protected: Type.Boolean(),
    epoch: Type.Optional(Type.Number()),
    step: Type.Optional(Type.Number()),
    metrics: Type.Record(Type.String(), Type.Number()),
    tensors: Type.Optional(Type.Integer({ minimum: 0 })),
    parameters: Type.Optional(Type.Number({ minimum: 0 })),
    optimizerBytes: Type.Optional(Bytes),
    integrity: Type.Object(
      {
        status: IntegrityStatus,
        detail: Type.Optional(Type.String()),
        /** True once the full check (every CRC-32) ran on this version of the file. */
        full: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
    references: Type.Array(Reference),
    details: Type.Optional(CheckpointDetails),
  },
  { additionalProperties: false },
);
export type Checkpoint = Static<typeof Checkpoint>;

export const EntryDetails = Type.Object(
  {
    ...Entry.properties,
    checkpoint: Type.Optional(Checkpoint),
    references: Type.Array(Reference),
    protectedBy: Type.Array(Type.String()),
    /** Extra facts for the details pane. */
    inode: Type.Optional(Type.Number()),
    nlink: Type.Optional(Type.Integer({ minimum: 0 })),
    dirs: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Files with identical content (from the last duplicates job), when this one has any. */
    twins: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);
export type EntryDetails = Static<typeof EntryDetails>;
