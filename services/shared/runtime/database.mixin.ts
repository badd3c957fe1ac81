import type { Service, ServiceSchema } from "moleculer";
import type { Model } from "sequelize";
import DbService from "moleculer-db";
import { migrate } from "../db/migrator";
import { ensureDatabase, sequelizeOf } from "../db/sequelize";
import { SqlDatabase } from "../db/sql-database";
import type { ContextDefinition, ContextSchema } from "./context";
import { platformOf } from "./platform";

type DatabaseDefinition = Pick<
  ContextDefinition<never, Model>,
  "name" | "migrations" | "readModel"
>;

/**
 * A context's own database: the schema migrated at start-up, the write side (SqlDatabase, plain
 * SQL) and the read side (moleculer-db on the Sequelize models). Listed last among a context's
 * mixins so that it starts first and closes last.
 */
export function databaseMixins({
  name,
  migrations,
  readModel,
}: DatabaseDefinition): Partial<ServiceSchema>[] {
  const sequelize = sequelizeOf(readModel);
  const connections: ContextSchema = {
    // The platform starts the embedded PostgreSQL when a local service owns a database.
    metadata: { database: name },
    created() {
      const { config } = platformOf(this.broker);
      this.sequelize = sequelize;
      this.database = new SqlDatabase(config.databases[name], {
        poolMax: config.databasePoolMax,
        logger: this.logger,
      });
    },
    async stopped() {
      await this.database.close();
    },
  };
  const schema: Partial<ServiceSchema> = {
    async started(this: Service) {
      const url = platformOf(this.broker).config.databases[name];
      await ensureDatabase(url).catch((error: Error) =>
        // Managed databases often forbid CREATE DATABASE; the migration below reports what matters.
        this.logger.warn(`Could not check or create the ${name} database: ${error.message}`),
      );
      const applied = await migrate(url, sequelize, migrations);
      if (applied.length > 0) this.logger.info(`Applied migrations: ${applied.join(", ")}`);
    },
  };
  return [connections as Partial<ServiceSchema>, readSide, schema];
}

/**
 * moleculer-db without its generated actions (create/update/remove/find/...): a context keeps its
 * adapter for reads, and exposes only the actions it declares.
 */
const readSide: Partial<ServiceSchema> = {
  ...(DbService as Partial<ServiceSchema>),
  actions: {},
};
