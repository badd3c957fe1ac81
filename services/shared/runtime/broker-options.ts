import type { BrokerOptions } from "moleculer";
import { stdTimeFunctions, type LoggerOptions } from "pino";
import { currentMessageContext, logFieldsOf } from "../messaging/message-context";
import type { AppConfig } from "../config/config";
import { createAnnounceAgainMiddleware } from "./announce-again.middleware";
import { createPlatformMiddleware } from "./platform";
import { replCommands } from "./repl-commands";
import { createTraceContextMiddleware, tracingOptions } from "./tracing";
import { createUnavailableDatabaseMiddleware } from "./unavailable-database.middleware";

/**
 * Broker options for every way the OMS runs (npm start, one node per service, the REPL, tests).
 * Embedded: no transporter, all services in one process. Distributed: Moleculer's Kafka
 * transporter for RPC between nodes (TRANSPORTER overrides it).
 */
export function createBrokerOptions(config: AppConfig): BrokerOptions {
  return {
    namespace: config.namespace,
    nodeID: config.nodeId,
    transporter: transporterFor(config),
    logger: loggerFor(config),
    logLevel: config.logLevel,
    requestTimeout: config.requestTimeoutMs,
    // A node killed mid-request is noticed by its missing heartbeats (6 s, not Moleculer's 30 s);
    // its pending requests are then rejected as retryable and retried on another node. Only
    // retryable errors are (REQUEST_REJECTED, SERVICE_NOT_AVAILABLE, a timeout, an unreachable
    // database): every action the gateway calls is a read or idempotent (POST /orders always
    // carries an idempotency key), so a retry never places a second order.
    heartbeatInterval: 2,
    heartbeatTimeout: 6,
    retryPolicy: {
      enabled: true,
      retries: 3,
      delay: 200,
      maxDelay: 2_000,
      factor: 2,
      check: (error) => (error as { retryable?: boolean }).retryable === true,
    },
    registry: { strategy: "RoundRobin", preferLocal: true },
    // Moleculer's own metrics (process, requests per action) and the OMS's (oms-metrics.ts), on one
    // Prometheus endpoint per node; the reporter labels every series with namespace and nodeID.
    metrics: config.metrics.enabled && {
      enabled: true,
      reporter: { type: "Prometheus", options: { port: config.metrics.port, path: "/metrics" } },
    },
    tracing: tracingOptions(config),
    // On stop, wait for requests in flight instead of cutting them off.
    tracking: { enabled: true, shutdownTimeout: 10_000 },
    middlewares: [
      createTraceContextMiddleware(),
      createPlatformMiddleware(config),
      createAnnounceAgainMiddleware(),
      createUnavailableDatabaseMiddleware(),
    ],
    replOptions: {
      delimiter: "oms $",
      customCommands: replCommands as unknown as NonNullable<
        BrokerOptions["replOptions"]
      >["customCommands"],
    },
  };
}

/**
 * JSON lines through Moleculer's Pino logger, for a log pipeline: every line has its time, level,
 * node, service and module; a line written while a message is handled also names the message, its
 * order and its trace (message-context.ts). People at a terminal get Moleculer's readable format instead.
 */
function loggerFor(config: AppConfig): BrokerOptions["logger"] {
  const json =
    config.logFormat === "json" || (config.logFormat === "auto" && !process.stdout.isTTY);
  if (!json)
    return {
      type: "Console",
      options: {
        formatter: "short",
        colors: process.stdout.isTTY,
        moduleColors: process.stdout.isTTY,
      },
    };
  return { type: "Pino", options: { pino: { options: pinoOptions() } } };
}

/** Exported for its test. */
export function pinoOptions(): LoggerOptions {
  return {
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => logFieldsOf(currentMessageContext()),
    // Nothing the OMS logs carries a secret, and nothing ever should: drop them if it does.
    redact: { paths: REDACTED, remove: true },
  };
}

const REDACTED = [
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "password",
  "*.password",
];

function transporterFor(config: AppConfig): BrokerOptions["transporter"] {
  // A connection string such as "nats://host:4222" or "kafka://host:9092"; Moleculer parses it.
  if (config.transporter) return config.transporter as BrokerOptions["transporter"];
  if (!config.kafka) return null;
  return {
    type: "Kafka",
    options: {
      clientId: `${config.kafka.clientId}-${config.nodeId}`,
      bootstrapBrokers: config.kafka.brokers,
      // The transporter never restarts its consumer stream once fetching fails, and the client
      // gives up after 3 retries by default: a Kafka restart would cut the node off for good.
      consumer: { retries: true, retryDelay: 1_000 },
    },
  };
}
