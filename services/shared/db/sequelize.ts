import { Sequelize, type Model, type ModelStatic } from "sequelize";
import pg from "pg";
import "./pg-types";

export interface SequelizeOptions {
  poolMax?: number;
  logging?: (sql: string) => void;
}

/** One Sequelize instance per service database; pure-JS `pg` driver, no native addon. */
export function createSequelize(url: string, options: SequelizeOptions = {}): Sequelize {
  return new Sequelize(url, {
    dialect: "postgres",
    dialectModule: pg,
    logging: options.logging ?? false,
    pool: { max: options.poolMax ?? 10, min: 0, idle: 10_000, acquire: 30_000 },
    define: { underscored: true, freezeTableName: true },
  });
}

/** Creates the service's database if the server does not have it yet (embedded, local PG). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ""));
  if (!/^[A-Za-z0-9_]+$/.test(name))
    throw new Error(`refusing to create database with name "${name}"`);
  const maintenance = new URL(url);
  maintenance.pathname = "/postgres";
  const client = new pg.Client({ connectionString: maintenance.toString() });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name}"`).catch((error: { code?: string }) => {
        // 42P04 duplicate_database: another instance created it first.
        if (error.code !== "42P04") throw error;
      });
    }
  } finally {
    await client.end();
  }
}

/** The Sequelize instance (the context's own database) a model was initialised on. */
export function sequelizeOf(model: ModelStatic<Model>): Sequelize {
  if (!model.sequelize) throw new Error(`model ${model.name} was never initialised`);
  return model.sequelize;
}
