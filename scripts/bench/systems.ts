import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import type { DatabaseOwner } from "../../services/shared/config/config";
import { cpuMs, type CpuSource } from "./cpu";

/** The built launcher next to this file (the benchmark runs from the same build). */
const LAUNCH = path.resolve(__dirname, "../../main.js");
const ROOT = process.cwd();
const OWNERS = ["order", "payment", "saga"] as const;
/** Where the system under test lives is the benchmark's choice; tuning variables pass through. */
const PLACEMENT_VARIABLES = new Set([
  "ORDER_DATABASE_URL",
  "PAYMENT_DATABASE_URL",
  "SAGA_DATABASE_URL",
  "EMBEDDED_PG_PORT",
  "EMBEDDED_PG_DATA_DIR",
  "KAFKA_BROKERS",
  "KAFKA_TOPIC_PREFIX",
  "TRANSPORTER",
  "NAMESPACE",
  "NODE_ID",
  "PORT",
]);

export interface RunningSystem {
  mode: "embedded" | "distributed";
  baseUrl: string;
  databases: Record<DatabaseOwner, string>;
  /** CPU of every process that does the work, by name. */
  cpu: Record<string, CpuSource>;
  /** Physical topic-name prefixes: business topics and Moleculer's transporter topics. */
  kafkaPrefixes?: { business: string; transporter: string };
  stop(): Promise<void>;
}

export interface SystemOptions {
  run: string;
  port: number;
  env: Record<string, string>;
}

/** `npm start` as a user runs it: one process, embedded PostgreSQL, in-process bus. */
export async function startEmbedded({ run, port, env }: SystemOptions): Promise<RunningSystem> {
  const dataDir = path.join(ROOT, ".data/bench/postgres");
  rmSync(dataDir, { recursive: true, force: true });
  const pgPort = 54339;
  const node = launch("embedded", [], {
    METRICS_PORT: "0",
    ...env,
    PORT: String(port),
    NODE_ID: `bench-${run}`,
    EMBEDDED_PG_PORT: String(pgPort),
    EMBEDDED_PG_DATA_DIR: dataDir,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  return stoppedIfFailing([node], async () => {
    await waitUntilReady(baseUrl, [node]);
    const postmaster = Number(
      readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0],
    );
    return {
      mode: "embedded",
      baseUrl,
      databases: databaseUrls(`postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres`, "oms_"),
      cpu: { oms: () => cpuMs(node.pid!), postgres: () => cpuMs(postmaster, { tree: true }) },
      stop: () => stopAll([node]),
    };
  });
}

/** Kafka and one process per service, as the README's distributed quick start runs them. */
export async function startDistributed(
  { run, port, env }: SystemOptions,
  server: { databaseUrl: string; kafkaBrokers: string },
): Promise<RunningSystem> {
  const databases = databaseUrls(server.databaseUrl, "oms_bench_");
  await dropDatabases(server.databaseUrl, Object.values(databases));
  const common = {
    // Four nodes on one machine: each takes a free metrics port.
    METRICS_PORT: "0",
    ...env,
    KAFKA_BROKERS: server.kafkaBrokers,
    KAFKA_TOPIC_PREFIX: `bench.${run}.`,
    NAMESPACE: `bench-${run}`,
    ORDER_DATABASE_URL: databases.order,
    PAYMENT_DATABASE_URL: databases.payment,
    SAGA_DATABASE_URL: databases.saga,
  };
  const nodes = (["order", "payment", "saga", "api"] as const).map((service) =>
    launch(service, [service], { ...common, PORT: String(port) }),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  return stoppedIfFailing(nodes, async () => {
    await waitUntilReady(baseUrl, nodes);
    const postmaster = await postmasterPid(server.databaseUrl);
    const kafka = Number(readFileSync(path.join(ROOT, ".data/kafka/kafka.pid"), "utf8").trim());
    const cpu: Record<string, CpuSource> = {};
    for (const [index, service] of ["order", "payment", "saga", "api"].entries())
      cpu[service] = () => cpuMs(nodes[index]!.pid!);
    cpu.postgres = () => cpuMs(postmaster, { tree: true });
    cpu.kafka = () => cpuMs(kafka);
    return {
      mode: "distributed",
      baseUrl,
      databases,
      cpu,
      kafkaPrefixes: { business: `bench.${run}.`, transporter: `MOL-bench-${run}.` },
      stop: () => stopAll(nodes),
    };
  });
}

/**
 * The rest of a start-up, once the nodes are launched: if it fails (a node does not become ready,
 * a pid file is missing), the nodes are stopped before the error goes on, never left running to
 * skew every later measurement on the machine.
 */
async function stoppedIfFailing<T>(nodes: ChildProcess[], rest: () => Promise<T>): Promise<T> {
  try {
    return await rest();
  } catch (error) {
    await stopAll(nodes);
    throw error;
  }
}

function launch(name: string, args: string[], env: Record<string, string>): ChildProcess {
  const logDir = path.join(ROOT, ".data/bench/logs");
  mkdirSync(logDir, { recursive: true });
  const log = openSync(path.join(logDir, `${name}.log`), "w");
  const inherited = Object.entries(process.env).filter(([key]) => !PLACEMENT_VARIABLES.has(key));
  return spawn(process.execPath, [LAUNCH, ...args], {
    cwd: ROOT,
    env: { ...Object.fromEntries(inherited), ...env },
    stdio: ["ignore", log, log],
  });
}

/** Until `/health/ready` answers 200; fails early if one of `nodes` exits meanwhile. */
export async function waitUntilReady(
  baseUrl: string,
  nodes: ChildProcess[] = [],
  timeoutMs = 120_000,
  logs = ".data/bench/logs",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const exited = nodes.find((node) => node.exitCode !== null);
    if (exited) throw new Error(`a node exited during start-up; see ${logs}`);
    const ready = await fetch(`${baseUrl}/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await sleep(250);
  }
  throw new Error(`${baseUrl} was not ready after ${timeoutMs} ms; see ${logs}`);
}

async function stopAll(nodes: ChildProcess[]): Promise<void> {
  await Promise.all(
    nodes.map(async (node) => {
      if (node.exitCode !== null) return;
      const exited = new Promise((resolve) => node.once("exit", resolve));
      node.kill("SIGTERM");
      const timer = setTimeout(() => node.kill("SIGKILL"), 30_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

export function databaseUrls(server: string, prefix: string): Record<DatabaseOwner, string> {
  const urls = OWNERS.map((owner) => {
    const url = new URL(server);
    url.pathname = `/${prefix}${owner}`;
    return [owner, url.toString()];
  });
  return Object.fromEntries(urls) as Record<DatabaseOwner, string>;
}

export async function dropDatabases(server: string, urls: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    for (const url of urls)
      await client.query(
        `DROP DATABASE IF EXISTS "${new URL(url).pathname.slice(1)}" WITH (FORCE)`,
      );
  } finally {
    await client.end();
  }
}

/** The server's postmaster: its process tree is all of PostgreSQL's work. */
async function postmasterPid(server: string): Promise<number> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    const { rows } = await client.query<{ dir: string }>(
      "SELECT current_setting('data_directory') AS dir",
    );
    return Number(readFileSync(path.join(rows[0]!.dir, "postmaster.pid"), "utf8").split("\n")[0]);
  } finally {
    await client.end();
  }
}

/** Kafka from the project's own script, unless a broker already answers. Returns a stopper. */
export async function ensureKafka(brokers: string): Promise<() => void> {
  const [host = "127.0.0.1", port = "9092"] = brokers.split(",")[0]!.split(":");
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = connect(Number(port), host);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
  if (reachable) return () => undefined;
  const started = spawnSync("bash", [path.join(ROOT, "scripts/kafka-start.sh")], {
    stdio: "inherit",
  });
  if (started.status !== 0) throw new Error("could not start Kafka with scripts/kafka-start.sh");
  return () =>
    void spawnSync("bash", [path.join(ROOT, "scripts/kafka-stop.sh")], { stdio: "inherit" });
}
