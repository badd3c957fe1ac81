import type { Context, ServiceSchema } from "moleculer";
import { DATABASE_OWNERS, type DatabaseOwner as Owner } from "../shared/config/config";

/** The contexts: each keeps the dead letters of what it consumed, in its own database. */
const SERVICE = { type: "enum", values: [...DATABASE_OWNERS] } as const;
const ID = { type: "number", integer: true, positive: true, convert: true } as const;
const TOPIC = { type: "string", min: 1, max: 249 } as const;

/**
 * The admin routes' actions: each passes the call on to the context that keeps the dead letter
 * (operations.mixin.ts), with the caller, so that the context checks the admin role, records who
 * acted and writes the audit line, whichever way (HTTP or REPL) the call came.
 */
export const ADMIN_ACTIONS: NonNullable<ServiceSchema["actions"]> = {
  /** GET /admin/dead-letters?service=&topic=&state=&limit=: newest first, per service. */
  deadLetters: {
    visibility: "published",
    params: {
      $$strict: true,
      service: { ...SERVICE, optional: true },
      topic: { ...TOPIC, optional: true },
      state: { type: "enum", values: ["open", "resolved", "all"], optional: true },
      limit: { type: "number", integer: true, min: 1, max: 500, optional: true, convert: true },
    },
    async handler(
      ctx: Context<{ service?: Owner; topic?: string; state?: string; limit?: number }>,
    ) {
      const { service, ...query } = ctx.params;
      const owners = service ? [service] : DATABASE_OWNERS;
      const listed = await Promise.all(
        owners.map(async (owner) => {
          const rows = await ctx.call<Array<Record<string, unknown>>, object>(
            `${owner}.deadLetters`,
            query,
          );
          return rows.map((row) => ({ service: owner, ...row }));
        }),
      );
      return { rows: listed.flat() };
    },
  },

  /** POST /admin/dead-letters/:service/:id/replay */
  replayDeadLetter: {
    visibility: "published",
    params: { $$strict: true, service: SERVICE, id: ID },
    handler(ctx: Context<{ service: Owner; id: number }>) {
      return ctx.call(`${ctx.params.service}.replayDeadLetter`, { id: ctx.params.id });
    },
  },

  /** POST /admin/dead-letters/:service/replay {topic}: every open dead letter of the topic. */
  replayDeadLetters: {
    visibility: "published",
    params: { $$strict: true, service: SERVICE, topic: TOPIC },
    handler(ctx: Context<{ service: Owner; topic: string }>) {
      return ctx.call(`${ctx.params.service}.replayDeadLetters`, { topic: ctx.params.topic });
    },
  },

  /** POST /admin/dead-letters/:service/:id/resolve {note?}: closed, never replayed again. */
  resolveDeadLetter: {
    visibility: "published",
    params: {
      $$strict: true,
      service: SERVICE,
      id: ID,
      note: { type: "string", min: 1, max: 500, optional: true },
    },
    handler(ctx: Context<{ service: Owner; id: number; note?: string }>) {
      const { service, ...params } = ctx.params;
      return ctx.call(`${service}.resolveDeadLetter`, params);
    },
  },
};
