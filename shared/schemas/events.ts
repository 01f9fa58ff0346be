import { Type, type Static } from 'typebox';
import { Entry } from './entry.js';
import { Job } from './jobs.js';
import { RelPath } from './common.js';

/** First event on every stream: the index version the client is now in step with. */
export const HelloEvent = Type.Object(
  { type: Type.Literal('hello'), version: Type.Integer(), serverId: Type.String() },
  { additionalProperties: false },
);
/** The server cannot replay what the client missed: refetch everything. */
export const ResetEvent = Type.Object(
  { type: Type.Literal('reset'), version: Type.Integer(), reason: Type.String() },
  { additionalProperties: false },
);
/** Scan progress and completion. */
export const ScanEvent = Type.Object(
  {
    type: Type.Literal('scan'),
    version: Type.Integer(),
    state: Type.Union([Type.Literal('scanning'), Type.Literal('ready')]),
    entries: Type.Integer({ minimum: 0 }),
    bytes: Type.Number({ minimum: 0 }),
  },
  { additionalProperties: false },
);
/** Entries added or changed (with their new state), or removed; ancestors whose totals moved come as upserts too. */
export const TreeEvent = Type.Object(
  {
    type: Type.Literal('tree'),
    version: Type.Integer(),
    upserts: Type.Array(Entry),
    removed: Type.Array(RelPath),
  },
  { additionalProperties: false },
);
export const JobEvent = Type.Object(
  { type: Type.Literal('job'), version: Type.Integer(), job: Job },
  { additionalProperties: false },
);
/** Something the UI should show: config errors, store trouble. */
export const NoticeEvent = Type.Object(
  {
    type: Type.Literal('notice'),
    version: Type.Integer(),
    level: Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('error')]),
    code: Type.String(),
    message: Type.String(),
  },
  { additionalProperties: false },
);

export const ServerEvent = Type.Union([HelloEvent, ResetEvent, ScanEvent, TreeEvent, JobEvent, NoticeEvent]);
export type ServerEvent = Static<typeof ServerEvent>;
export type ServerEventType = ServerEvent['type'];
