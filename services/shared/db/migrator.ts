import pg from "pg";
import type { Sequelize } from "sequelize";
import { SequelizeStorage, Umzug } from "umzug";

/** A versioned schema change. Names sort in apply order ("0001-…", "0002-…"). */
export interface Migration {
  name: string;
  up(sequelize: Sequelize): Promise<void>;
}

/** Any fixed number: instances of one service serialise their migrations on this lock. */
const MIGRATION_LOCK_KEY = 4_242_001;

/**
 * Applies pending migrations in order and records them in `schema_migrations`. Several instances
 * of a service may start at once, so the run holds a PostgreSQL advisory lock; the later ones find
 * nothing left to do. The schema is never derived from models (`sync()`).
 */
export async function migrate(
  url: string,
  sequelize: Sequelize,
  migrations: readonly Migration[],
): Promise<string[]> {
  const lock = new pg.Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    const umzug = new Umzug({
      migrations: migrations.map((migration) => ({
        name: migration.name,
        up: () => migration.up(sequelize),
      })),
      storage: new SequelizeStorage({ sequelize, tableName: "schema_migrations" }),
      context: sequelize,
      logger: undefined,
    });
    const applied = await umzug.up();
    return applied.map((migration) => migration.name);
  } finally {
    await lock.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end();
  }
}
