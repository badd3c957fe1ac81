import type { ServiceSchema } from "moleculer";
import type { SqlExecutor } from "../db/sql-database";
import { inUnitOfWork, type UnitOfWork, type UnitOfWorkOptions } from "../db/unit-of-work";
import { ServiceMessaging } from "../messaging/service-messaging";
import type { ContextDefinition, ContextSchema, ContextService } from "./context";
import { platformOf } from "./platform";

/**
 * A context's messaging on its own database: the consumers (one group named after the service),
 * the outbox relay, dead letters and retention, and `inUnitOfWork`, the one way a context writes.
 */
export function messagingMixin<W extends UnitOfWork>({
  name,
  unitOfWork,
  consumers,
}: Pick<ContextDefinition<W, never>, "name" | "unitOfWork" | "consumers">): Partial<ServiceSchema> {
  const schema: ContextSchema<W> = {
    events: {
      async "$broker.started"(this: ContextService<W>) {
        await this.messaging.startRelay();
      },
    },
    methods: {
      async inUnitOfWork<T>(
        this: ContextService<W>,
        work: (unit: W, sql: SqlExecutor) => Promise<T>,
        options?: UnitOfWorkOptions,
      ): Promise<T> {
        const { value, outboxIds } = await inUnitOfWork(this.database, unitOfWork, work, options);
        this.messaging.relay.kick(outboxIds);
        return value;
      },
    },
    created(this: ContextService<W>) {
      const { config, bus, metrics, tracing } = platformOf(this.broker);
      this.messaging = new ServiceMessaging({
        service: name,
        metrics: metrics.messaging,
        tracing,
        database: this.database,
        unitOfWork,
        bus,
        config,
        logger: this.logger,
        afterCommit: () => {
          for (const worker of this.workers) worker.wake?.();
        },
      });
    },
    async started(this: ContextService<W>) {
      await this.messaging.start(consumers);
      // A service created after the broker started (REPL, hot reload) gets no $broker.started.
      if (this.broker.started) await this.messaging.startRelay();
    },
    async stopped(this: ContextService<W>) {
      await this.messaging.stop();
    },
  };
  return schema as Partial<ServiceSchema>;
}
