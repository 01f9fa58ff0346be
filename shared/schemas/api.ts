import { Type, type Static } from 'typebox';
import { Bytes, Lang, Policy, RelPath, SortKey, SortOrder, TimeMs } from './common.js';
import { Checkpoint, Entry } from './entry.js';

const closed = { additionalProperties: false } as const;

export const TagTotals = Type.Record(
  Type.String(),
  Type.Object({ count: Type.Integer({ minimum: 0 }), bytes: Bytes }, closed),
);

/** GET /api/summary */
export const Summary = Type.Object(
  {
    root: Type.String(),
    project: Type.String(),
    demo: Type.Boolean(),
    readOnly: Type.Boolean(),
    /** Why the server runs read-only when the user did not ask for it (e.g. the state file is locked). */
    readOnlyReason: Type.Optional(Type.String()),
    /** Set while ckptdash.config.json is malformed: the last good settings stay in force. */
    configError: Type.Optional(Type.String()),
    /** Project files read for references, and those skipped with the reason (too large, symlink, limit…). */
    references: Type.Optional(
      Type.Object(
        {
          files: Type.Integer({ minimum: 0 }),
          skipped: Type.Array(Type.Object({ file: Type.String(), reason: Type.String() }, { additionalProperties: false })),
        },
        { additionalProperties: false },
      ),
    ),
    scan: Type.Object(
      {
        state: Type.Union([Type.Literal('scanning'), Type.Literal('ready')]),
        entries: Type.Integer({ minimum: 0 }),
        bytes: Type.Optional(Bytes),
        errors: Type.Optional(Type.Integer({ minimum: 0 })),
        startedAt: Type.Optional(TimeMs),
        finishedAt: Type.Optional(TimeMs),
        /** Set once the checkpoints folder was deleted, moved or replaced: what the index shows is no longer on disk. */
        rootError: Type.Optional(Type.String()),
      },
      closed,
    ),
    models: Type.Object({ read: Type.Integer({ minimum: 0 }), total: Type.Integer({ minimum: 0 }) }, closed),
    totals: Type.Object(
      {
        files: Type.Integer({ minimum: 0 }),
        dirs: Type.Integer({ minimum: 0 }),
        bytes: Bytes,
        diskBytes: Bytes,
      },
      closed,
    ),
    filesystem: Type.Object({ totalBytes: Bytes, availBytes: Bytes }, closed),
    tags: TagTotals,
  },
  { ...closed },
);
export type Summary = Static<typeof Summary>;

/** GET /api/tree */
export const TreeQuery = Type.Object(
  {
    path: Type.Optional(RelPath),
    sort: Type.Optional(SortKey),
    order: Type.Optional(SortOrder),
    offset: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
    tag: Type.Optional(Type.String({ maxLength: 200 })),
    /** Case-insensitive substring of the name (an addition to the contract). */
    q: Type.Optional(Type.String({ maxLength: 500 })),
  },
  closed,
);
export type TreeQuery = Static<typeof TreeQuery>;

export const TreePage = Type.Object(
  { path: RelPath, total: Type.Integer({ minimum: 0 }), entries: Type.Array(Entry) },
  { ...closed },
);
export type TreePage = Static<typeof TreePage>;

export const PathQuery = Type.Object({ path: RelPath }, closed);
export type PathQuery = Static<typeof PathQuery>;

/** GET /api/checkpoints */
export const CheckpointList = Type.Object({ items: Type.Array(Checkpoint) }, closed);

/** GET /api/checkpoints/runs (an addition to the contract): how many of the heaviest runs to return. */
export const RunTotalsQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, closed);
export type RunTotalsQuery = Static<typeof RunTotalsQuery>;

/** One run (the folder that directly holds checkpoints, "" for the root) with its checkpoints' count and bytes. */
export const RunTotal = Type.Object({ run: RelPath, bytes: Bytes, count: Type.Integer({ minimum: 0 }) }, closed);
export type RunTotal = Static<typeof RunTotal>;

/**
 * GET /api/checkpoints/runs: runs by the bytes of their checkpoints, largest first, summed on the
 * server so a page that ranks runs need not load every checkpoint; `total` counts every run.
 */
export const RunTotals = Type.Object({ total: Type.Integer({ minimum: 0 }), items: Type.Array(RunTotal) }, closed);
export type RunTotals = Static<typeof RunTotals>;

/** GET /api/plan */
export const PlanQuery = Type.Object(
  {
    policy: Type.Optional(Policy),
    /** Retention of intermediates (the config's defaults when absent): keep the last N… */
    keepLast: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
    /** …and the best K by a metric. */
    keepBest: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
    metric: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    direction: Type.Optional(Type.Union([Type.Literal('min'), Type.Literal('max')])),
  },
  closed,
);
export type PlanQuery = Static<typeof PlanQuery>;
/** Something a rule would have proposed but kept out, and the rule that kept it. */
export const PlanKept = Type.Object({ path: RelPath, category: Type.String(), rule: Type.String(), bytes: Bytes }, closed);
export type PlanKept = Static<typeof PlanKept>;
export const PlanItem = Type.Object(
  {
    path: RelPath,
    kind: Type.String(),
    etag: Type.String(),
    category: Type.String(),
    reason: Type.String(),
    rule: Type.Optional(Type.String()),
    bytes: Bytes,
    diskBytes: Bytes,
    files: Type.Integer({ minimum: 0 }),
    warnings: Type.Array(Type.String()),
  },
  closed,
);
export type PlanItem = Static<typeof PlanItem>;
const SizePair = Type.Object({ bytes: Bytes, diskBytes: Bytes }, closed);
export const Plan = Type.Object(
  {
    policy: Policy,
    items: Type.Array(PlanItem),
    totals: Type.Object({ count: Type.Integer({ minimum: 0 }), bytes: Bytes, diskBytes: Bytes }, closed),
    before: SizePair,
    after: SizePair,
    /** Entries the policy's rules matched but kept (protected, retained, being written). */
    kept: Type.Optional(Type.Array(PlanKept)),
    /** The retention the plan applied. */
    retention: Type.Optional(
      Type.Object(
        {
          keepLast: Type.Integer({ minimum: 0 }),
          keepBest: Type.Integer({ minimum: 0 }),
          metric: Type.Optional(Type.String()),
          direction: Type.Optional(Type.Union([Type.Literal('min'), Type.Literal('max')])),
        },
        closed,
      ),
    ),
  },
  closed,
);
export type Plan = Static<typeof Plan>;

/** POST /api/deletions */
export const DeletionRequest = Type.Object(
  { path: RelPath, etag: Type.Optional(Type.String({ maxLength: 200 })), policy: Type.Optional(Policy) },
  closed,
);
export type DeletionRequest = Static<typeof DeletionRequest>;
export const DeletionResult = Type.Object(
  { path: RelPath, freedBytes: Bytes, freedDiskBytes: Bytes, deletedFiles: Type.Integer({ minimum: 0 }) },
  closed,
);
export type DeletionResult = Static<typeof DeletionResult>;
/** A refused or stopped deletion: PROTECTED says why, PARTIAL what was removed. */
export const DeletionError = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' }),
        message: Type.String(),
        protectedBy: Type.Optional(Type.Array(Type.String())),
        removed: Type.Optional(
          Type.Object({ files: Type.Integer({ minimum: 0 }), bytes: Bytes, diskBytes: Bytes, paths: Type.Array(Type.String()) }, closed),
        ),
      },
      closed,
    ),
  },
  closed,
);
export type DeletionError = Static<typeof DeletionError>;

/** GET /api/journal: one deletion as History shows it. */
export const JournalEntry = Type.Object(
  {
    id: Type.Integer(),
    t: TimeMs,
    session: Type.String(),
    path: RelPath,
    policy: Type.Optional(Type.String()),
    category: Type.String(),
    bytes: Bytes,
    diskBytes: Bytes,
    files: Type.Integer({ minimum: 0 }),
    result: Type.Union([Type.Literal('deleted'), Type.Literal('partial'), Type.Literal('failed'), Type.Literal('interrupted'), Type.Literal('pending')]),
    freedBytes: Bytes,
    freedDiskBytes: Bytes,
    deletedFiles: Type.Integer({ minimum: 0 }),
    detail: Type.Optional(Type.String()),
  },
  closed,
);
export type JournalEntry = Static<typeof JournalEntry>;
export const JournalSessions = Type.Object(
  {
    sessions: Type.Array(
      Type.Object({ id: Type.String(), startedAt: TimeMs, endedAt: TimeMs, entries: Type.Array(JournalEntry) }, closed),
    ),
  },
  closed,
);
export type JournalSessions = Static<typeof JournalSessions>;

/** GET /api/references/stale: mentions of checkpoint paths that no longer exist. */
export const StaleReference = Type.Object(
  { file: Type.String(), line: Type.Integer({ minimum: 0 }), key: Type.Optional(Type.String()), target: RelPath, protects: Type.Boolean() },
  closed,
);
export type StaleReference = Static<typeof StaleReference>;
export const StaleReferences = Type.Object({ items: Type.Array(StaleReference) }, closed);

/** POST /api/tags */
export const TagsRequest = Type.Object(
  {
    path: RelPath,
    add: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 32 })),
    remove: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 32 })),
    note: Type.Optional(Type.String({ maxLength: 4000 })),
  },
  closed,
);
export type TagsRequest = Static<typeof TagsRequest>;

/** GET /api/history */
export const HistoryQuery = Type.Object(
  {
    range: Type.Optional(
      Type.Union([Type.Literal('1h'), Type.Literal('24h'), Type.Literal('7d'), Type.Literal('all')]),
    ),
  },
  closed,
);
export const History = Type.Object(
  {
    samples: Type.Array(
      Type.Object({ t: TimeMs, bytes: Bytes, diskBytes: Bytes, fsAvailBytes: Bytes }, closed),
    ),
    forecast: Type.Object(
      {
        status: Type.Union([
          Type.Literal('none'),
          Type.Literal('ok'),
          Type.Literal('warning'),
          Type.Literal('critical'),
        ]),
        fullAt: Type.Optional(TimeMs),
        checkpointsLeft: Type.Optional(Type.Number()),
        bytesPerHour: Type.Optional(Type.Number()),
        /** Checkpoints written per hour over the forecast's window (the cadence it uses). */
        checkpointsPerHour: Type.Optional(Type.Number()),
        /** Median size of those checkpoints. */
        bytesPerCheckpoint: Type.Optional(Type.Number()),
      },
      closed,
    ),
  },
  closed,
);
export type History = Static<typeof History>;

/** GET /api/report */
export const ReportQuery = Type.Object(
  { session: Type.Optional(Type.String({ maxLength: 100 })), lang: Type.Optional(Lang) },
  closed,
);

/** POST /api/session: trade the token for an HttpOnly session cookie. */
export const SessionRequest = Type.Object({ token: Type.String({ minLength: 1, maxLength: 512 }) }, closed);
export const SessionResponse = Type.Object({ ok: Type.Literal(true), expiresAt: TimeMs }, closed);
