import { TEST_AUTH_SECRET } from "./auth";
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ServiceBroker } from "moleculer";
import pg from "pg";
import {
  DATABASE_OWNERS,
  loadConfig,
  type AppConfig,
  type DatabaseOwner,
} from "../../services/shared/config/config";
import { createBrokerOptions } from "../../services/shared/runtime/broker-options";
import { platformOf } from "../../services/shared/runtime/platform";
import createApiService from "../../services/api/api.service";
import createOrderService from "../../services/order/order.service";
import createPaymentService from "../../services/payment/payment.service";
import createSagaService from "../../services/saga/saga.service";
import type { OmsDatabases } from "./oms-databases";

const SERVICE_FACTORIES = {
  api: createApiService,
  order: createOrderService,
  payment: createPaymentService,
  saga: createSagaService,
} as const;

export type TestServiceName = keyof typeof SERVICE_FACTORIES;

export interface TestSystem {
  broker: ServiceBroker;
  config: AppConfig;
  /** http://127.0.0.1:<random port> of this system's gateway. */
  baseUrl: string;
  /** http://127.0.0.1:<random port>/metrics of this system's Prometheus endpoint ("" when off). */
  metricsUrl: string;
  stop(): Promise<void>;
}

/** Databases of one test file: `<name>_order`, `<name>_payment`, `<name>_saga` on the test server. */
export function databaseUrls(name: string): Record<DatabaseOwner, string> {
  const server = process.env.TEST_DATABASE_URL;
  if (!server)
    throw new Error(
      "TEST_DATABASE_URL is not set: run through jest (global setup starts PostgreSQL)",
    );
  return Object.fromEntries(
    DATABASE_OWNERS.map((owner) => {
      const url = new URL(server);
      url.pathname = `/${name}_${owner}`;
      return [owner, url.toString()];
    }),
  ) as Record<DatabaseOwner, string>;
}

/**
 * The whole OMS in one real ServiceBroker (as `npm start` runs it), on its own databases, with
 * the gateway on a random port. Calling it again with the same name is a restart.
 */
export async function startTestSystem(
  name: string,
  options: { env?: Record<string, string>; services?: TestServiceName[]; fresh?: boolean } = {},
): Promise<TestSystem> {
  const urls = databaseUrls(name);
  if (options.fresh) await dropDatabases(urls);
  const config = loadConfig({
    NODE_ID: name,
    PORT: "0",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "error",
    ORDER_DATABASE_URL: urls.order,
    PAYMENT_DATABASE_URL: urls.payment,
    SAGA_DATABASE_URL: urls.saga,
    OUTBOX_POLL_INTERVAL_MS: "200",
    CONSUMER_RETRY_BASE_MS: "20",
    // Several test systems run at once (jest workers): each takes a free port for its metrics.
    METRICS_PORT: "0",
    AUTH_JWT_SECRET: TEST_AUTH_SECRET,
    // Tests call as fast as they can; the limiter's own test turns it on.
    RATE_LIMIT_RPS: "0",
    ...options.env,
  });
  // Tests stop their brokers themselves; no SIGINT handlers piling up on the jest worker.
  const broker = new ServiceBroker({
    ...createBrokerOptions(config),
    skipProcessEventRegistration: true,
  });
  try {
    for (const service of options.services ?? (Object.keys(SERVICE_FACTORIES) as TestServiceName[]))
      broker.createService(SERVICE_FACTORIES[service](broker));
    await broker.start();
  } catch (error) {
    // A system that cannot start leaves nothing running (its metrics port, its bus).
    await broker.stop().catch(() => undefined);
    throw error;
  }
  const api = broker.getLocalService("api") as unknown as
    { server?: { address(): AddressInfo } } | undefined;
  const baseUrl = api?.server ? `http://127.0.0.1:${api.server.address().port}` : "";
  const reporter = (
    broker.metrics as unknown as { reporter?: Array<{ server?: Server }> }
  ).reporter?.[0]?.server?.address() as AddressInfo | undefined;
  const metricsUrl = reporter ? `http://127.0.0.1:${reporter.port}/metrics` : "";
  return { broker, config, baseUrl, metricsUrl, stop: () => broker.stop() };
}

export function busOf(system: TestSystem) {
  return platformOf(system.broker).bus;
}

/** Runs one SQL statement against one service's database of a test system. */
export async function query<T extends pg.QueryResultRow = Record<string, unknown>>(
  name: string,
  owner: DatabaseOwner,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrls(name)[owner] });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** A test system's three databases, for the named reads of oms-databases.ts. */
export function databasesOf(name: string): OmsDatabases {
  return { query: (owner, sql, params) => query(name, owner, sql, params) };
}

/** A clean slate for a test file, even on a server that outlives the run (TEST_DATABASE_URL). */
async function dropDatabases(urls: Record<DatabaseOwner, string>): Promise<void> {
  const maintenance = new URL(urls.order);
  maintenance.pathname = "/postgres";
  const client = new pg.Client({ connectionString: maintenance.toString() });
  await client.connect();
  try {
    for (const url of Object.values(urls)) {
      await client.query(
        `DROP DATABASE IF EXISTS "${new URL(url).pathname.slice(1)}" WITH (FORCE)`,
      );
    }
  } finally {
    await client.end();
  }
}

/** What a system published on some topics, as its consumers saw it (envelopes, in order). */
export interface PublishedRecords {
  envelopes: Array<{ topic: string; key: string | null; envelope: Record<string, unknown> }>;
  of(topic: string, key: string): Array<Record<string, unknown>>;
}

/**
 * A consumer group of its own on the system's bus, recording every record published on these
 * topics from now on: what a user of the bus observes, not what a producer's tables say.
 */
export async function recordPublished(
  system: TestSystem,
  topics: string[],
): Promise<PublishedRecords> {
  const envelopes: PublishedRecords["envelopes"] = [];
  await busOf(system).subscribe({
    groupId: `test-recorder-${randomUUID()}`,
    topics,
    handler: async (records) => {
      for (const record of records) {
        // Tests publish garbage on purpose; the recorder keeps only what parses.
        const envelope = parseOrNull(record.value?.toString() ?? "");
        if (envelope) envelopes.push({ topic: record.topic, key: record.key, envelope });
      }
    },
  });
  return {
    envelopes,
    of: (topic, key) =>
      envelopes
        .filter((record) => record.topic === topic && record.key === key)
        .map((record) => record.envelope),
  };
}

function parseOrNull(text: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === "object"
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
