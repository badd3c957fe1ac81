import { Errors, type Context, type ServiceSchema } from "moleculer";
import { DomainError } from "../domain/domain-error";
import {
  DEAD_LETTER_NOT_FOUND,
  DEAD_LETTER_RESOLVED,
  DEAD_LETTER_STATES,
  type DeadLetterState,
} from "../messaging/dead-letters";
import { callerOf } from "./caller";
import type { ContextSchema } from "./context";
import { toServiceError } from "./domain-errors";
import { platformOf } from "./platform";

/** The error code of a dead-letter action called for a caller who is not an admin. */
export const ADMIN_REQUIRED = "ADMIN_REQUIRED";

/**
 * Who acts on dead letters, for the rows and the audit line: the gateway's caller, or the
 * operator (REPL). Dead letters hold any customer's messages: only an admin sees or moves them,
 * whatever route a call came by.
 */
function actorOf(ctx: Context<unknown, object>): string {
  const caller = callerOf(ctx);
  if (!caller.admin)
    throw toServiceError(
      new DomainError(ADMIN_REQUIRED, "only an admin may see or act on dead letters"),
    );
  return caller.customerId;
}

const notFound = (id: number) =>
  toServiceError(new DomainError(DEAD_LETTER_NOT_FOUND, `dead letter ${id} not found`));

const ID = { type: "number", integer: true, positive: true, convert: true } as const;

/**
 * What an operator asks every context, the same way: is it healthy (the gateway's readiness),
 * which messages did it dead-letter, replay them or close them. Public actions: the gateway (its
 * admin routes) and the REPL call them.
 */
const schema: ContextSchema = {
  actions: {
    health: {
      visibility: "public",
      async handler() {
        await this.database.query("SELECT 1");
        const { bus } = platformOf(this.broker);
        if (!(await bus.isHealthy())) {
          throw new Errors.MoleculerError(
            "the message bus is not reachable",
            503,
            "BUS_UNAVAILABLE",
          );
        }
        // Rows the broker refused for good wait for an operator: not a reason to be unready,
        // but a number to alert on.
        const outboxParked = await this.messaging.relay.countParked();
        return { status: "UP", database: "UP", bus: bus.kind, outboxParked };
      },
    },
    deadLetters: {
      visibility: "public",
      params: {
        limit: { type: "number", integer: true, min: 1, max: 500, optional: true, convert: true },
        topic: { type: "string", min: 1, max: 249, optional: true },
        state: { type: "enum", values: [...DEAD_LETTER_STATES], optional: true },
      },
      handler(ctx: Context<{ limit?: number; topic?: string; state?: DeadLetterState }>) {
        actorOf(ctx);
        const { limit = 20, topic, state } = ctx.params;
        return this.messaging.deadLetters.list({ limit, topic, state });
      },
    },
    replayDeadLetter: {
      visibility: "public",
      params: { id: ID },
      async handler(ctx: Context<{ id: number }>) {
        const { id } = ctx.params;
        const replayed = await this.messaging.deadLetters.replay(id, actorOf(ctx));
        if (!replayed) throw notFound(id);
        if (replayed === "resolved")
          throw toServiceError(
            new DomainError(DEAD_LETTER_RESOLVED, `dead letter ${id} is resolved: not replayed`),
          );
        return { replayed: id, topic: replayed.sourceTopic };
      },
    },
    replayDeadLetters: {
      visibility: "public",
      params: { topic: { type: "string", min: 1, max: 249 } },
      async handler(ctx: Context<{ topic: string }>) {
        const { topic } = ctx.params;
        const { replayed } = await this.messaging.deadLetters.replayTopic(topic, actorOf(ctx));
        return { topic, replayed };
      },
    },
    resolveDeadLetter: {
      visibility: "public",
      params: { id: ID, note: { type: "string", max: 500, optional: true } },
      async handler(ctx: Context<{ id: number; note?: string }>) {
        const { id, note } = ctx.params;
        const resolved = await this.messaging.deadLetters.resolve(id, actorOf(ctx), note);
        if (!resolved) throw notFound(id);
        return resolved;
      },
    },
  },
};

export const operationsMixin = schema as Partial<ServiceSchema>;
