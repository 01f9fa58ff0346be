import { Type, type Static } from 'typebox';

const Patterns = Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { maxItems: 500 });
const closed = { additionalProperties: false } as const;

/**
 * `ckptdash.config.json` at the project top. Every key is optional; server
 * settings here lose to environment variables and flags.
 */
export const ProjectConfigFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    allowHosts: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 50 })),
    readOnly: Type.Optional(Type.Boolean()),
    lang: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('es')])),
    /** Names or root-relative globs the scanner skips. */
    ignore: Type.Optional(Patterns),
    /** Replaces the default patterns of a category (see PRODUCT.md "Categories"). */
    categories: Type.Optional(
      Type.Object(
        {
          intermediate: Type.Optional(Patterns),
          final: Type.Optional(Patterns),
          best: Type.Optional(Patterns),
          experiment: Type.Optional(Patterns),
          ablation: Type.Optional(Patterns),
          debug: Type.Optional(Patterns),
        },
        closed,
      ),
    ),
    pinSources: Type.Optional(Patterns),
    textSources: Type.Optional(Patterns),
    retention: Type.Optional(
      Type.Object(
        {
          keepLast: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
          keepBest: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
          metric: Type.Optional(Type.String({ maxLength: 200 })),
          direction: Type.Optional(Type.Union([Type.Literal('min'), Type.Literal('max')])),
        },
        closed,
      ),
    ),
  },
  closed,
);
export type ProjectConfigFile = Static<typeof ProjectConfigFile>;
