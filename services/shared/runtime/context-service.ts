import type { ServiceSchema } from "moleculer";
import SqlAdapter from "moleculer-db-adapter-sequelize";
import type { Model } from "sequelize";
import { sequelizeOf } from "../db/sequelize";
import type { UnitOfWork } from "../db/unit-of-work";
import type { ContextDefinition, ContextSchema } from "./context";
import { databaseMixins } from "./database.mixin";
import { messagingMixin } from "./messaging.mixin";
import { operationsMixin } from "./operations.mixin";

/**
 * The service schema of a context. The mixins, one per concern, start in reverse order of this
 * list (Moleculer runs the last mixin's `started` first) and stop in this order: the database is
 * migrated and connected before the consumers start, the workers start last and stop first, and
 * the connections close after everything that uses them has stopped.
 */
export function defineContextService<W extends UnitOfWork, R extends Model>(
  definition: ContextDefinition<W, R>,
): ServiceSchema {
  const schema: ContextSchema<W, R> & { adapter: unknown; model: unknown } = {
    name: definition.name,
    mixins: [operationsMixin, messagingMixin(definition), ...databaseMixins(definition)],
    // Given a model class (not a definition), the adapter never calls sync(): migrations own the schema.
    adapter: new SqlAdapter(sequelizeOf(definition.readModel)),
    model: definition.readModel,
    actions: definition.actions,
    created() {
      this.workers = definition.workers?.(this) ?? [];
    },
    started() {
      for (const worker of this.workers) worker.start?.();
    },
    async stopped() {
      for (const worker of [...this.workers].reverse()) await worker.stop();
    },
  };
  return schema as unknown as ServiceSchema;
}
