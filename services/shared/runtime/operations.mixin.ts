import { Errors, type Context, type ServiceSchema } from "moleculer";
import { DomainError } from "../domain/domain-error";
import { DEAD_LETTER_NOT_FOUND } from "../messaging/dead-letters";
import type { ContextSchema } from "./context";
import { toServiceError } from "./domain-errors";
import { platformOf } from "./platform";

/**
 * What an operator asks every context, the same way: is it healthy (the gateway's readiness),
 * which messages did it dead-letter, replay one. Public actions: the gateway and the REPL call them.
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
      },
      handler(ctx: Context<{ limit?: number }>) {
        return this.messaging.deadLetters.list(ctx.params.limit ?? 20);
      },
    },
    replayDeadLetter: {
      visibility: "public",
      params: { id: { type: "number", integer: true, positive: true, convert: true } },
      async handler(ctx: Context<{ id: number }>) {
        const replayed = await this.messaging.deadLetters.replay(ctx.params.id);
        if (!replayed)
          throw toServiceError(
            new DomainError(DEAD_LETTER_NOT_FOUND, `dead letter ${ctx.params.id} not found`),
          );
        return { replayed: ctx.params.id, topic: replayed.sourceTopic };
      },
    },
  },
};

export const operationsMixin = schema as Partial<ServiceSchema>;
