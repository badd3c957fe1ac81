import {
  Errors,
  type Context,
  type Service,
  type ServiceSchema,
  type ServiceSettingSchema,
} from "moleculer";
import DbService from "moleculer-db";
import type { Sequelize } from "sequelize";
import type { DatabaseOwner } from "../config/config";
import { migrate, type Migration } from "../db/migrator";
import { ensureDatabase } from "../db/sequelize";
import { SqlDatabase, type SqlExecutor } from "../db/sql-database";
import {
  inUnitOfWork,
  type UnitOfWork,
  type UnitOfWorkFactory,
  type UnitOfWorkOptions,
} from "../db/unit-of-work";
import type { MessageConsumer } from "../messaging/consumer-runner";
import { ServiceMessaging } from "../messaging/service-messaging";
import { DomainError } from "../domain/domain-error";
import { toServiceError } from "./domain-errors";
import { platformOf } from "./platform";

/** What a service built with `persistenceMixins` can use from its own code. */
export interface PersistentService<W extends UnitOfWork = UnitOfWork> extends Service {
  /** The read side: Sequelize models, through moleculer-db. */
  sequelize: Sequelize;
  /** The write side: plain SQL with prepared statements. */
  database: SqlDatabase;
  messaging: ServiceMessaging<W>;
  /**
   * Runs `work` on a unit of work in one transaction (flushed before the commit), then kicks the
   * outbox relay so new messages leave at once.
   */
  inUnitOfWork<T>(
    work: (unit: W, sql: SqlExecutor) => Promise<T>,
    options?: UnitOfWorkOptions,
  ): Promise<T>;
}

/** A service schema that uses moleculer-db: it names its adapter and its (read-side) model. */
export type DbServiceSchema<
  TThis extends PersistentService,
  TSettings = ServiceSettingSchema,
> = ServiceSchema<TSettings & ServiceSettingSchema, object, object, TThis> & {
  adapter: unknown;
  model: unknown;
};

export interface PersistenceOptions<W extends UnitOfWork> {
  owner: DatabaseOwner;
  /** The read side and the migrations. */
  sequelize: Sequelize;
  migrations: readonly Migration[];
  /** Opens the context's unit of work on a transaction of its write side. */
  unitOfWork: UnitOfWorkFactory<W>;
  consumers?: readonly MessageConsumer<W>[];
  /** Called after each transaction the consumers commit. */
  afterCommit?: () => void;
}

/**
 * The mixins of a service that owns a database. Order matters: Moleculer starts the last mixin
 * first and stops in reverse, so the schema is migrated before moleculer-db connects, and the
 * consumers and relay stop before moleculer-db closes the connection pool.
 */
export function persistenceMixins<W extends UnitOfWork>(
  options: PersistenceOptions<W>,
): Partial<ServiceSchema>[] {
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

function schemaMixin({
  owner,
  sequelize,
  migrations,
}: PersistenceOptions<UnitOfWork>): Partial<ServiceSchema> {
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

type PersistentServiceSchema<W extends UnitOfWork> = Partial<
  ServiceSchema<ServiceSettingSchema, object, object, PersistentService<W>>
>;

function messagingMixin<W extends UnitOfWork>({
  owner,
  sequelize,
  unitOfWork,
  consumers,
  afterCommit,
}: PersistenceOptions<W>): Partial<ServiceSchema> {
  const schema: PersistentServiceSchema<W> = {
    metadata: { database: owner },
    actions: {
      health: {
        visibility: "public",
        async handler(this: PersistentService<W>) {
          await this.database.query("SELECT 1");
          if (!(await platformOf(this.broker).bus.isHealthy())) {
            throw new Errors.MoleculerError(
              "the message bus is not reachable",
              503,
              "BUS_UNAVAILABLE",
            );
          }
          // Rows the broker refused for good wait for an operator: not a reason to be unready,
          // but a number to alert on.
          const outboxParked = await this.messaging.relay.countParked();
          return {
            status: "UP",
            database: "UP",
            bus: platformOf(this.broker).bus.kind,
            outboxParked,
          };
        },
      },
      deadLetters: {
        visibility: "public",
        params: {
          limit: { type: "number", integer: true, min: 1, max: 500, optional: true, convert: true },
        },
        handler(this: PersistentService<W>, ctx: Context<{ limit?: number }>) {
          return this.messaging.deadLetters.list(ctx.params.limit ?? 20);
        },
      },
      replayDeadLetter: {
        visibility: "public",
        params: { id: { type: "number", integer: true, positive: true, convert: true } },
        async handler(this: PersistentService<W>, ctx: Context<{ id: number }>) {
          const replayed = await this.messaging.deadLetters.replay(ctx.params.id);
          if (!replayed)
            throw toServiceError(
              new DomainError("DEAD_LETTER_NOT_FOUND", `dead letter ${ctx.params.id} not found`),
            );
          return { replayed: ctx.params.id, topic: replayed.sourceTopic };
        },
      },
    },
    events: {
      async "$broker.started"(this: PersistentService<W>) {
        await this.messaging.startRelay();
      },
    },
    methods: {
      async inUnitOfWork<T>(
        this: PersistentService<W>,
        work: (unit: W, sql: SqlExecutor) => Promise<T>,
        options?: UnitOfWorkOptions,
      ): Promise<T> {
        const { value, outboxIds } = await inUnitOfWork(this.database, unitOfWork, work, options);
        this.messaging.relay.kick(outboxIds);
        return value;
      },
    },
    created(this: PersistentService<W>) {
      const { config, bus } = platformOf(this.broker);
      this.sequelize = sequelize;
      this.database = new SqlDatabase(config.databases[owner], {
        poolMax: config.databasePoolMax,
        logger: this.logger,
      });
      this.messaging = new ServiceMessaging({
        groupId: `${owner}-service`,
        database: this.database,
        unitOfWork,
        bus,
        config,
        logger: this.logger,
        afterCommit,
      });
    },
    async started(this: PersistentService<W>) {
      await this.messaging.start(consumers ?? []);
      // A service created after the broker started (REPL, hot reload) gets no $broker.started.
      if (this.broker.started) await this.messaging.startRelay();
    },
    async stopped(this: PersistentService<W>) {
      await this.messaging.stop();
      await this.database.close();
    },
  };
  return schema as Partial<ServiceSchema>;
}
