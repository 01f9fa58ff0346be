import { Type, type Static } from 'typebox';
import { TimeMs } from './common.js';

export const JobState = Type.Union([
  Type.Literal('queued'),
  Type.Literal('running'),
  Type.Literal('done'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
]);
export type JobState = Static<typeof JobState>;

/** Long work (verify, backup, restore, bulk delete) as the API shows it. */
export const Job = Type.Object(
  {
    id: Type.String(),
    kind: Type.String(),
    title: Type.String(),
    state: JobState,
    /** Units done and total in `unit` (bytes, files, items); total 0 while unknown. */
    done: Type.Number({ minimum: 0 }),
    total: Type.Number({ minimum: 0 }),
    unit: Type.String(),
    message: Type.Optional(Type.String()),
    createdAt: TimeMs,
    startedAt: Type.Optional(TimeMs),
    finishedAt: Type.Optional(TimeMs),
    /** Kind-specific outcome once done. */
    result: Type.Optional(Type.Unknown()),
    error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type Job = Static<typeof Job>;

export const JobList = Type.Object({ items: Type.Array(Job) }, { additionalProperties: false });
export const JobIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });

/** POST /api/jobs: start a job of a kind the server knows; `params` is checked by that kind. */
export const JobRequest = Type.Object(
  {
    kind: Type.String({ minLength: 1, maxLength: 64 }),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { maxProperties: 32 })),
  },
  { additionalProperties: false },
);
export type JobRequest = Static<typeof JobRequest>;
