import { rmSync } from "node:fs";
import path from "node:path";
import {
  startEmbeddedPostgres,
  type RunningPostgres,
} from "../../services/shared/db/embedded-postgres";

declare global {
  var __TEST_POSTGRES__: RunningPostgres | undefined;
}

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: console.warn,
  error: console.error,
};

/**
 * One real PostgreSQL for the whole run, from embedded-postgres, in a fresh data directory.
 * Every test file creates its own databases on it (see test-system.ts). TEST_DATABASE_URL points
 * the tests at another server instead (e.g. the e2e machine's PostgreSQL).
 */
export default async function setup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) return;
  const port = Number(process.env.TEST_PG_PORT ?? 54339);
  const dataDir = path.resolve(__dirname, "../../.data/test-postgres");
  rmSync(dataDir, { recursive: true, force: true });
  globalThis.__TEST_POSTGRES__ = await startEmbeddedPostgres({ port, dataDir, logger: quiet });
  process.env.TEST_DATABASE_URL = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
}
