import type { Sequelize } from "sequelize";
import { createMessagingTables } from "../../services/shared/db/messaging-tables.migration";
import { migrate } from "../../services/shared/db/migrator";
import { createSequelize, ensureDatabase } from "../../services/shared/db/sequelize";
import { databaseUrls } from "./test-system";

/** A fresh database with only the messaging tables (outbox, inbox, dead_letters). */
export async function messagingDatabase(
  name: string,
): Promise<{ sequelize: Sequelize; url: string }> {
  const url = databaseUrls(name).order;
  await ensureDatabase(url);
  const sequelize = createSequelize(url);
  await sequelize.query("DROP TABLE IF EXISTS outbox, inbox, dead_letters, schema_migrations");
  await migrate(url, sequelize, [createMessagingTables]);
  return { sequelize, url };
}
