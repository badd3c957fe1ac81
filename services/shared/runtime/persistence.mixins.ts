import {
  Errors,
  type Context,
  type Service,
  type ServiceSchema,
  type ServiceSettingSchema,
} from "moleculer";
import DbService from "moleculer-db";
import type { Sequelize, Transaction } from "sequelize";
import type { DatabaseOwner } from "../config/config";
import { migrate, type Migration } from "../db/migrator";
import { ensureDatabase } from "../db/sequelize";
import type { MessageConsumer } from "../messaging/consumer-runner";
import { ServiceMessaging } from "../messaging/service-messaging";
import { platformOf } from "./platform";

/** What a service built with `persistenceMixins` can use from its own code. */
export interface PersistentService extends Service {
  sequelize: Sequelize;
  messaging: ServiceMessaging;
  /** Runs `work` in one transaction, then kicks the outbox relay so new messages leave at once. */
  transact<T>(work: (transaction: Transaction) => Promise<T>): Promise<T>;
}

/** A service schema that uses moleculer-db: it names its adapter and its (read-side) model. */
export type DbServiceSchema<
  TThis extends PersistentService,
  TSettings = ServiceSettingSchema,
> = ServiceSchema<TSettings & ServiceSettingSchema, object, object, TThis> & {
  adapter: unknown;
  model: unknown;
};

export interface PersistenceOptions {
  owner: DatabaseOwner;
  sequelize: Sequelize;
  migrations: readonly Migration[];
  consumers?: (service: PersistentService) => MessageConsumer[];
}

/**
 * The mixins of a service that owns a database. Order matters: Moleculer starts the last mixin
 * first and stops in reverse, so the schema is migrated before moleculer-db connects, and the
 * consumers and relay stop before moleculer-db closes the connection pool.
 */
export function persistenceMixins(options: PersistenceOptions): Partial<ServiceSchema>[] {
  return [messagingMixin(options), readSideDbMixin, schemaMixin(options)];
}

/**
 * moleculer-db without its generated actions (create/update/remove/find/...): services keep its
 * adapter, paging and `_list`/`_find` methods for reads, and expose only the actions they write.
 */
const readSideDbMixin: Partial<ServiceSchema> = {
  ...(DbService as Partial<ServiceSchema>),
  actions: {},
};

function schemaMixin({ owner, sequelize, migrations }: PersistenceOptions): Partial<ServiceSchema> {
  return {
    async started(this: Service) {
      const url = platformOf(this.broker).config.databases[owner];
      await ensureDatabase(url).catch((error: Error) =>
        // Managed databases often forbid CREATE DATABASE; the connection below reports what matters.
        this.logger.warn(`Could not check or create the ${owner} database: ${error.message}`),
      );
      const applied = await migrate(url, sequelize, migrations);
      if (applied.length > 0) this.logger.info(`Applied migrations: ${applied.join(", ")}`);
    },
  };
}

type PersistentServiceSchema = Partial<
  ServiceSchema<ServiceSettingSchema, object, object, PersistentService>
>;

function messagingMixin({
  owner,
  sequelize,
  consumers,
}: PersistenceOptions): Partial<ServiceSchema> {
  const schema: PersistentServiceSchema = {
    metadata: { database: owner },
    actions: {
      health: {
        visibility: "public",
        async handler(this: PersistentService) {
          await this.sequelize.query("SELECT 1");
          if (!(await platformOf(this.broker).bus.isHealthy())) {
            throw new Errors.MoleculerError(
              "the message bus is not reachable",
              503,
              "BUS_UNAVAILABLE",
            );
          }
          return { status: "UP", database: "UP", bus: platformOf(this.broker).bus.kind };
        },
      },
      deadLetters: {
        visibility: "public",
        params: {
          limit: { type: "number", integer: true, min: 1, max: 500, optional: true, convert: true },
        },
        handler(this: PersistentService, ctx: Context<{ limit?: number }>) {
          return this.messaging.deadLetters.list(ctx.params.limit ?? 20);
        },
      },
      replayDeadLetter: {
        visibility: "public",
        params: { id: { type: "number", integer: true, positive: true, convert: true } },
        async handler(this: PersistentService, ctx: Context<{ id: number }>) {
          const replayed = await this.messaging.deadLetters.replay(ctx.params.id);
          if (!replayed)
            throw new Errors.MoleculerClientError(
              `dead letter ${ctx.params.id} not found`,
              404,
              "DEAD_LETTER_NOT_FOUND",
            );
          return { replayed: ctx.params.id, topic: replayed.sourceTopic };
        },
      },
    },
    events: {
      "$broker.started"(this: PersistentService) {
        this.messaging.startRelay();
      },
    },
    methods: {
      async transact<T>(
        this: PersistentService,
        work: (transaction: Transaction) => Promise<T>,
      ): Promise<T> {
        const result = await this.sequelize.transaction(work);
        this.messaging.relay.kick();
        return result;
      },
    },
    created(this: PersistentService) {
      const { config, bus } = platformOf(this.broker);
      this.sequelize = sequelize;
      this.messaging = new ServiceMessaging({
        groupId: `${owner}-service`,
        sequelize,
        bus,
        config,
        logger: this.logger,
      });
    },
    async started(this: PersistentService) {
      await this.messaging.start(consumers?.(this) ?? []);
      // A service created after the broker started (REPL, hot reload) gets no $broker.started.
      if (this.broker.started) this.messaging.startRelay();
    },
    async stopped(this: PersistentService) {
      await this.messaging.stop();
    },
  };
  return schema as Partial<ServiceSchema>;
}
