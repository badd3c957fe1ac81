import type { Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import type { Model, ModelStatic, Sequelize } from "sequelize";
import type { DatabaseOwner } from "../config/config";
import type { Migration } from "../db/migrator";
import type { SqlDatabase, SqlExecutor } from "../db/sql-database";
import type { UnitOfWork, UnitOfWorkFactory, UnitOfWorkOptions } from "../db/unit-of-work";
import type { MessageConsumer } from "../messaging/consumer-runner";
import type { ServiceMessaging } from "../messaging/service-messaging";

/**
 * Everything that makes a bounded context a running service, in one declaration. The three
 * `*.service.ts` files are each one of these; a fourth context is written by copying one.
 */
export interface ContextDefinition<W extends UnitOfWork, R extends Model> {
  /** The service's name, and the database it owns (one database per context). */
  name: DatabaseOwner;
  /** Creates and evolves the schema, at start-up, before anything reads or writes. */
  migrations: readonly Migration[];
  /** The model the read actions query through moleculer-db (`this.adapter`). */
  readModel: ModelStatic<R>;
  /** Opens the context's unit of work (its repositories and outbox) on a transaction. */
  unitOfWork: UnitOfWorkFactory<W>;
  /** One consumer per contract the context receives. */
  consumers: readonly MessageConsumer<W>[];
  /** The actions the gateway and the REPL call; reads go through moleculer-db (ADR 0014). */
  actions: NonNullable<ContextSchema<W, R>["actions"]>;
  /** Background work that runs while the service does (settler, sweeper), created with it. */
  workers?: (service: ContextService<W, R>) => readonly BackgroundWorker[];
}

/** A mixin or schema whose handlers run with a context service as `this`. */
export type ContextSchema<W extends UnitOfWork = UnitOfWork, R extends Model = Model> = Partial<
  ServiceSchema<ServiceSettingSchema, object, object, ContextService<W, R>>
>;

/** Something the service starts after its consumers and stops before them. */
export interface BackgroundWorker {
  start?(): void;
  stop(): Promise<void>;
  /** Called after each transaction the service's consumers commit: they may have left it work. */
  wake?(): void;
}

/** What a context's actions and workers can use (`this` in an action handler). */
export interface ContextService<
  W extends UnitOfWork = UnitOfWork,
  R extends Model = Model,
> extends Service {
  /** The read side: the context's Sequelize models, queried through moleculer-db. */
  sequelize: Sequelize;
  adapter: {
    findOne(query: object): Promise<R | null>;
    /** `{ query, sort, limit }`: a page of rows (keyset paging: the query names where it starts). */
    find(params: object): Promise<R[]>;
  };
  /** The write side: plain SQL with prepared statements. */
  database: SqlDatabase;
  messaging: ServiceMessaging<W>;
  workers: readonly BackgroundWorker[];
  /**
   * Runs `work` on a unit of work in one transaction (flushed before the commit), then kicks the
   * outbox relay so the messages it wrote leave at once.
   */
  inUnitOfWork<T>(
    work: (unit: W, sql: SqlExecutor) => Promise<T>,
    options?: UnitOfWorkOptions,
  ): Promise<T>;
}
