import { messagingMigrations } from "../../services/shared/db/messaging-tables.migration";
import { migrate } from "../../services/shared/db/migrator";
import { createSequelize, ensureDatabase } from "../../services/shared/db/sequelize";
import { SqlDatabase } from "../../services/shared/db/sql-database";
import { quietLogger } from "./quiet-logger";
import { databaseUrls } from "./test-system";

/** A fresh database with only the messaging tables (outbox, inbox, dead_letters). */
export async function messagingDatabase(name: string): Promise<SqlDatabase> {
  const url = databaseUrls(name).order;
  await ensureDatabase(url);
  const sequelize = createSequelize(url);
  try {
    await sequelize.query("DROP TABLE IF EXISTS outbox, inbox, dead_letters, schema_migrations");
    await migrate(url, sequelize, messagingMigrations);
  } finally {
    await sequelize.close();
  }
  return new SqlDatabase(url, { poolMax: 5, logger: quietLogger });
}
