import { Type, type Static } from 'typebox';

/** Every error the API returns: `{ error: { code, message } }`. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' }),
        message: Type.String(),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** A root-relative POSIX path; "" is the root. Syntax is checked by server/fs, not by a regex here. */
export const RelPath = Type.String({ maxLength: 4096 });

/** Byte counts and times are plain numbers (bytes; ms since the epoch). */
export const Bytes = Type.Number({ minimum: 0 });
export const TimeMs = Type.Number();

export const SortKey = Type.Union([
  Type.Literal('size'),
  Type.Literal('disk'),
  Type.Literal('name'),
  Type.Literal('mtime'),
]);
export type SortKey = Static<typeof SortKey>;

export const SortOrder = Type.Union([Type.Literal('desc'), Type.Literal('asc')]);
export type SortOrder = Static<typeof SortOrder>;

export const Policy = Type.Union([
  Type.Literal('conservative'),
  Type.Literal('moderate'),
  Type.Literal('aggressive'),
]);
export type Policy = Static<typeof Policy>;

export const Lang = Type.Union([Type.Literal('en'), Type.Literal('es')]);
export type Lang = Static<typeof Lang>;
