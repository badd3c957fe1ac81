import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { createOrders } from "../../services/order/infrastructure/migrations/0001-create-orders";
import { createPayments } from "../../services/payment/infrastructure/migrations/0001-create-payments";
import { createSagas } from "../../services/saga/infrastructure/migrations/0001-create-sagas";
import { leanSagaIndexes } from "../../services/saga/infrastructure/migrations/0003-lean-saga-indexes";
import { messagingMigrations } from "../../services/shared/db/messaging-tables.migration";
import { migrate } from "../../services/shared/db/migrator";
import { createSequelize } from "../../services/shared/db/sequelize";

const SCRIPT = path.join(process.cwd(), "bench/ceiling/per-order.sql");
const DATABASE = "oms_ceiling";
/** Every table the per-order commits touch, in one database (pgbench connects to one), exactly
 * as the services' own migrations create them. */
const SCHEMA = [...messagingMigrations, createOrders, createPayments, createSagas, leanSagaIndexes];

export interface Ceiling {
  ordersPerSecond: number;
  clients: number;
  seconds: number;
}

/**
 * What PostgreSQL itself can commit of the per-order work (bench/ceiling/per-order.sql), run by
 * PostgreSQL's own pgbench against the same server the OMS uses, in the same run: the OMS's
 * throughput is reported as a ratio of this, because the machine is shared and noisy.
 */
export async function measureCeiling(server: string, seconds = 10, clients = 8): Promise<Ceiling> {
  const url = new URL(server);
  await recreateDatabase(url);
  try {
    const target = new URL(server);
    target.pathname = `/${DATABASE}`;
    const sequelize = createSequelize(target.toString());
    await migrate(target.toString(), sequelize, SCHEMA).finally(() => sequelize.close());
    const run = spawnSync(
      pgbench(),
      [
        "-n",
        "-M",
        "prepared",
        "-f",
        SCRIPT,
        "-c",
        String(clients),
        "-j",
        "2",
        "-T",
        String(seconds),
        "-h",
        url.hostname,
        "-p",
        url.port || "5432",
        "-U",
        decodeURIComponent(url.username || "postgres"),
        DATABASE,
      ],
      { encoding: "utf8", env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) } },
    );
    const tps = /tps = ([\d.]+)/.exec(run.stdout);
    if (run.status !== 0 || !tps)
      throw new Error(`pgbench failed: ${run.stderr || run.stdout || run.error?.message}`);
    return { ordersPerSecond: Number(tps[1]), clients, seconds };
  } finally {
    await recreateDatabase(url, false);
  }
}

async function recreateDatabase(server: URL, create = true): Promise<void> {
  const client = new pg.Client({ connectionString: server.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    if (create) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

/** pgbench comes with PostgreSQL: on PATH, or in Debian's versioned directory. */
function pgbench(): string {
  const onPath = spawnSync("sh", ["-c", "command -v pgbench"], { encoding: "utf8" }).stdout.trim();
  if (onPath) return onPath;
  const debian = "/usr/lib/postgresql";
  const versions = existsSync(debian) ? readdirSync(debian).sort().reverse() : [];
  for (const version of versions) {
    const candidate = path.join(debian, version, "bin/pgbench");
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(
    "pgbench not found: install PostgreSQL's client tools (Debian: postgresql-contrib)",
  );
}
