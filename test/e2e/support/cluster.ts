import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import pg from "pg";
import { freePort } from "../../../scripts/support/free-port";
import { TEST_AUTH_SECRET } from "../../support/auth";

const ROOT = path.resolve(__dirname, "../../..");
const LAUNCH = path.join(ROOT, "dist/main.js");
const LOG_DIR = path.join(ROOT, ".data/e2e-logs");

export type ServiceName = "api" | "order" | "payment" | "saga";
export const OWNERS = ["order", "payment", "saga"] as const;
export type Owner = (typeof OWNERS)[number];

export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? "127.0.0.1:9092";
const DATABASE_SERVER =
  process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface RunningNode {
  service: ServiceName;
  nodeId: string;
  /** 127.0.0.1:<port> of the node's Prometheus endpoint (/metrics). */
  metricsTarget: string;
  process: ChildProcess;
  exited: Promise<number | null>;
}

/**
 * The OMS as a user runs it in distributed mode: every service its own OS process (the built
 * launcher, as `npm run node -- <service>` runs it), Moleculer's Kafka transporter between them,
 * business messages on Kafka topics, one PostgreSQL database per service.
 */
export class Cluster {
  readonly nodes = new Set<RunningNode>();
  private port = 0;

  /** This run's own topics and consumer groups, so runs and test files never see each other. */
  readonly topicPrefix: string;

  constructor(readonly name: string) {
    this.topicPrefix = `e2e.${name}.${Date.now().toString(36)}.`;
  }

  /** The physical Kafka topic behind a logical one, for tests that write or read raw records. */
  topic(logical: string): string {
    return `${this.topicPrefix}${logical}`;
  }

  /** Each node's output, kept after the run: .data/e2e-logs/<cluster>/<node>.log */
  get logDir(): string {
    return path.join(LOG_DIR, this.name);
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  databaseUrl(owner: Owner): string {
    const url = new URL(DATABASE_SERVER);
    url.pathname = `/e2e_${this.name}_${owner}`;
    return url.toString();
  }

  /** Fresh databases and every service once; resolves when the gateway answers ready. */
  async start(): Promise<void> {
    rmSync(this.logDir, { recursive: true, force: true });
    await this.resetDatabases();
    this.port = await freePort();
    await Promise.all(
      (["order", "payment", "saga", "api"] as const).map((service) => this.startNode(service)),
    );
    await this.waitUntilReady();
  }

  /** Extra environment of every node this cluster starts (e.g. short saga deadlines). */
  env: Record<string, string> = {};

  /** `env` adds to (or overrides) the cluster's environment for this node only. */
  async startNode(
    service: ServiceName,
    instance = 1,
    env: Record<string, string> = {},
  ): Promise<RunningNode> {
    const nodeId = `${this.name}-${service}-${instance}`;
    const metricsPort = await freePort();
    mkdirSync(this.logDir, { recursive: true });
    const log = createWriteStream(path.join(this.logDir, `${nodeId}.log`), { flags: "a" });
    const child = spawn(process.execPath, [LAUNCH, service, "--instance", String(instance)], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ID: nodeId,
        NAMESPACE: `e2e-${this.name}`,
        KAFKA_BROKERS,
        KAFKA_TOPIC_PREFIX: this.topicPrefix,
        PORT: String(this.port),
        LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? "info",
        ORDER_DATABASE_URL: this.databaseUrl("order"),
        PAYMENT_DATABASE_URL: this.databaseUrl("payment"),
        SAGA_DATABASE_URL: this.databaseUrl("saga"),
        OUTBOX_POLL_INTERVAL_MS: "500",
        // Every node of the cluster runs on this machine: each has its own metrics port.
        METRICS_PORT: String(metricsPort),
        AUTH_JWT_SECRET: TEST_AUTH_SECRET,
        RATE_LIMIT_RPS: "0",
        ...this.env,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    const exited = new Promise<number | null>((resolve) =>
      child.once("exit", (code) => resolve(code)),
    );
    const node: RunningNode = {
      service,
      nodeId,
      metricsTarget: `127.0.0.1:${metricsPort}`,
      process: child,
      exited,
    };
    this.nodes.add(node);
    void exited.then(() => this.nodes.delete(node));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${nodeId} did not start in 60 s; see ${this.logDir}`)),
        60_000,
      );
      child.stdout!.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes(`Node ${nodeId} ready`)) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(
          new Error(
            `${nodeId} exited with ${code} while starting; see ${this.logDir}/${nodeId}.log`,
          ),
        );
      });
    });
    return node;
  }

  /** SIGKILL: no shutdown hook runs, exactly like a crashed container. */
  async kill(service: ServiceName, instance?: number): Promise<void> {
    const victims = [...this.nodes].filter(
      (node) =>
        node.service === service &&
        (instance === undefined || node.nodeId === `${this.name}-${service}-${instance}`),
    );
    for (const node of victims) node.process.kill("SIGKILL");
    await Promise.all(victims.map((node) => node.exited));
  }

  /** Stops every node (SIGTERM, then SIGKILL after 20 s) and deletes this run's topics. */
  async stop(): Promise<void> {
    const nodes = [...this.nodes];
    for (const node of nodes) node.process.kill("SIGTERM");
    await Promise.all(
      nodes.map((node) =>
        Promise.race([
          node.exited,
          new Promise((resolve) => setTimeout(resolve, 20_000).unref()),
        ]).then(() => node.process.kill("SIGKILL")),
      ),
    );
    const admin = new Kafka({
      clientId: "e2e-cleanup",
      brokers: KAFKA_BROKERS.split(","),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(this.topicPrefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    await admin.disconnect();
  }

  async waitUntilReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ready = await fetch(`${this.baseUrl}/health/ready`).then(
        (response) => response.status === 200,
        () => false,
      );
      if (ready) return;
      if (Date.now() > deadline) throw new Error("the cluster did not become ready");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async query<T extends pg.QueryResultRow = Record<string, unknown>>(
    owner: Owner,
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.databaseUrl(owner) });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  private async resetDatabases(): Promise<void> {
    const client = new pg.Client({ connectionString: DATABASE_SERVER });
    await client.connect();
    try {
      for (const owner of OWNERS) {
        const name = new URL(this.databaseUrl(owner)).pathname.slice(1);
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await client.query(`CREATE DATABASE "${name}"`);
      }
    } finally {
      await client.end();
    }
  }
}
