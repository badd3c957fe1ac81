import { hostname } from "node:os";
import path from "node:path";
import { ISO_CURRENCY_CODE } from "../domain/currency";

/** The three bounded contexts that own a database. */
export type DatabaseOwner = "order" | "payment" | "saga";
export const DATABASE_OWNERS: readonly DatabaseOwner[] = ["order", "payment", "saga"];

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  /** Prepended to every business topic and consumer group (KAFKA_TOPIC_PREFIX, default none). */
  topicPrefix: string;
  topicPartitions: number;
  replicationFactor: number;
}

export interface AppConfig {
  namespace: string;
  nodeId: string;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace";
  /**
   * json: one JSON object per line (Pino); text: Moleculer's console format; auto (LOG_FORMAT's
   * default): text when stdout is a terminal, json otherwise.
   */
  logFormat: "json" | "text" | "auto";
  /**
   * Who may call the gateway: a JWT bearer token signed with `jwtSecret` (AUTH_JWT_SECRET, HS256,
   * at least 32 bytes) or a key of `jwks` (AUTH_JWKS: a JWKS file path or URL; RS256/ES256), with
   * this issuer and audience. Neither set: the embedded default makes a development key under
   * `devKeyFile`; anywhere else the gateway refuses to start.
   */
  auth: {
    jwtSecret: string | undefined;
    jwks: string | undefined;
    issuer: string;
    audience: string;
    devKeyFile: string | undefined;
  };
  /**
   * The gateway: the address it binds to (HTTP_HOST), its port (PORT), its largest body
   * (HTTP_BODY_LIMIT), and how many requests a second a customer may make (RATE_LIMIT_RPS).
   */
  http: { host: string; port: number; bodyLimit: string; rateLimitRps: number };
  /** Unset in embedded mode: the in-process bus and no Moleculer transporter. */
  kafka: KafkaConfig | null;
  /** A Moleculer transporter string that overrides the Kafka default (TRANSPORTER). */
  transporter: string | null;
  databases: Record<DatabaseOwner, string>;
  /** Set when no database URL is configured: `npm start` then runs its own PostgreSQL. */
  embeddedPostgres: { port: number; dataDir: string } | null;
  currency: string;
  payment: {
    declineAbove: string;
    /** How long each call to the (simulated) provider takes. */
    providerLatencyMs: number;
    /** A claimed payment whose answer is not recorded within this is claimed again. */
    settleLeaseMs: number;
    settlePollIntervalMs: number;
  };
  saga: {
    /** How long PAYMENT_INITIATED waits for the payment's outcome before the saga gives up. */
    paymentTimeoutMs: number;
    /** How long the other waiting states wait for a reply before sending their command again. */
    replyTimeoutMs: number;
    sweepIntervalMs: number;
  };
  /** Connections of each service's write-side pool (consumer batches, relay, commands). */
  databasePoolMax: number;
  outbox: { pollIntervalMs: number; batchSize: number; maxInFlight: number };
  consumer: { maxAttempts: number; retryBaseMs: number; batchSize: number; pauseAfterMs: number };
  retention: { inboxDays: number; deadLetterDays: number; intervalMs: number };
  requestTimeoutMs: number;
  /**
   * Test-only crash points (OMS_FAILPOINTS=name,…): the process kills itself with SIGKILL where
   * the code names one, exactly as a crash there would. Used by the fault suite.
   */
  failpoints: string[];
  /** /health/live fails for `windowMs` after the event loop was blocked longer than `maxStallMs`. */
  liveness: { tickMs: number; maxStallMs: number; windowMs: number };
  /**
   * Prometheus metrics of this node on http://<host>:<port>/metrics (METRICS_ENABLED, METRICS_PORT;
   * port 0 takes any free port). Gauges read from the databases are sampled every
   * `sampleIntervalMs` (METRICS_SAMPLE_INTERVAL_MS).
   */
  metrics: { enabled: boolean; port: number; sampleIntervalMs: number };
  /**
   * Moleculer tracing, one trace per order across the bus (TRACING_ENABLED). Spans are exported
   * to a Zipkin-compatible collector when `zipkinUrl` is set (TRACING_ZIPKIN_URL, e.g.
   * http://127.0.0.1:9411; Jaeger and the OpenTelemetry Collector accept the same API). A node
   * starts at most `tracesPerSecond` traces a second (TRACING_TRACES_PER_SECOND; 0: no limit),
   * else a share `sampleRate` of them (TRACING_SAMPLE_RATE, 0–1).
   */
  tracing: {
    enabled: boolean;
    zipkinUrl: string | undefined;
    tracesPerSecond: number;
    sampleRate: number;
  };
}

const DATABASE_URL_VARIABLES: Record<DatabaseOwner, string> = {
  order: "ORDER_DATABASE_URL",
  payment: "PAYMENT_DATABASE_URL",
  saga: "SAGA_DATABASE_URL",
};

/** Database names inside the embedded (or docker-compose) PostgreSQL server. */
export const DEFAULT_DATABASE_NAMES: Record<DatabaseOwner, string> = {
  order: "oms_order",
  payment: "oms_payment",
  saga: "oms_saga",
};

export class ConfigError extends Error {}

/** Reads the environment once, checks every value, and fails fast with the variable's name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === "" ? undefined : value;
  };
  const integer = (name: string, fallback: number, min = 0): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      throw new ConfigError(`${name} must be a whole number ≥ ${min}, got "${raw}"`);
    }
    return value;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (raw !== "true" && raw !== "false")
      throw new ConfigError(`${name} must be true or false, got "${raw}"`);
    return raw === "true";
  };
  const decimal = (name: string, fallback: number, max = Infinity): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0 || value > max)
      throw new ConfigError(
        `${name} must be a number from 0${max < Infinity ? ` to ${max}` : " up"}, got "${raw}"`,
      );
    return value;
  };
  const url = (name: string): string | undefined => {
    const raw = read(name);
    if (raw === undefined) return undefined;
    if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol))
      throw new ConfigError(`${name} must be an http(s) URL, got "${raw}"`);
    return raw.replace(/\/+$/, "");
  };

  const configuredUrls = DATABASE_OWNERS.filter((owner) => read(DATABASE_URL_VARIABLES[owner]));
  if (configuredUrls.length > 0 && configuredUrls.length < DATABASE_OWNERS.length) {
    const missing = DATABASE_OWNERS.filter((owner) => !configuredUrls.includes(owner));
    throw new ConfigError(
      `set all three database URLs or none (none = embedded PostgreSQL); missing: ${missing
        .map((owner) => DATABASE_URL_VARIABLES[owner])
        .join(", ")}`,
    );
  }
  const embedded = configuredUrls.length === 0;
  const embeddedPort = integer("EMBEDDED_PG_PORT", 54329, 1);
  const databases = Object.fromEntries(
    DATABASE_OWNERS.map((owner) => [
      owner,
      embedded
        ? `postgres://postgres:postgres@127.0.0.1:${embeddedPort}/${DEFAULT_DATABASE_NAMES[owner]}`
        : read(DATABASE_URL_VARIABLES[owner])!,
    ]),
  ) as Record<DatabaseOwner, string>;

  const brokers = read("KAFKA_BROKERS")
    ?.split(",")
    .map((broker) => broker.trim())
    .filter((broker) => broker !== "");
  if (brokers?.length === 0)
    throw new ConfigError("KAFKA_BROKERS names no broker (expected host:port[,host:port...])");
  const logLevel = read("LOG_LEVEL") ?? "info";
  if (!["fatal", "error", "warn", "info", "debug", "trace"].includes(logLevel)) {
    throw new ConfigError(
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace; got "${logLevel}"`,
    );
  }
  const logFormat = read("LOG_FORMAT") ?? "auto";
  if (!["json", "text", "auto"].includes(logFormat))
    throw new ConfigError(`LOG_FORMAT must be json, text or auto; got "${logFormat}"`);
  const jwtSecret = read("AUTH_JWT_SECRET");
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret) < 32)
    throw new ConfigError("AUTH_JWT_SECRET must be at least 32 bytes (HS256 needs a 256-bit key)");
  const currency = read("CURRENCY") ?? "INR";
  if (!ISO_CURRENCY_CODE.test(currency))
    throw new ConfigError(`CURRENCY must be an ISO-4217 code, got "${currency}"`);

  return {
    namespace: read("NAMESPACE") ?? "oms",
    nodeId: read("NODE_ID") ?? `${hostname()}-${process.pid}`,
    logLevel: logLevel as AppConfig["logLevel"],
    logFormat: logFormat as AppConfig["logFormat"],
    auth: {
      jwtSecret,
      jwks: read("AUTH_JWKS"),
      issuer: read("AUTH_ISSUER") ?? "distributed-oms",
      audience: read("AUTH_AUDIENCE") ?? "oms-api",
      // Only the embedded default (no database URL, no Kafka) may make its own key.
      devKeyFile: embedded && !brokers ? path.resolve(".data/auth/dev-jwt-secret") : undefined,
    },
    http: {
      host: read("HTTP_HOST") ?? "0.0.0.0",
      port: integer("PORT", 3000, 0),
      bodyLimit: read("HTTP_BODY_LIMIT") ?? "1mb",
      // Requests per second per customer (per address without a valid token); 0 turns it off.
      rateLimitRps: integer("RATE_LIMIT_RPS", 100, 0),
    },
    kafka: brokers
      ? {
          brokers,
          clientId: read("KAFKA_CLIENT_ID") ?? "oms",
          topicPrefix: read("KAFKA_TOPIC_PREFIX") ?? "",
          topicPartitions: integer("KAFKA_TOPIC_PARTITIONS", 6, 1),
          replicationFactor: integer("KAFKA_REPLICATION_FACTOR", 1, 1),
        }
      : null,
    transporter: read("TRANSPORTER") ?? null,
    databases,
    embeddedPostgres: embedded
      ? {
          port: embeddedPort,
          dataDir: path.resolve(read("EMBEDDED_PG_DATA_DIR") ?? ".data/postgres"),
        }
      : null,
    currency,
    payment: {
      declineAbove: read("PAYMENT_DECLINE_ABOVE") ?? "100000.00",
      providerLatencyMs: integer("PAYMENT_PROVIDER_LATENCY_MS", 0),
      settleLeaseMs: integer("PAYMENT_SETTLE_LEASE_MS", 10_000, 100),
      settlePollIntervalMs: integer("PAYMENT_SETTLE_POLL_INTERVAL_MS", 1000, 10),
    },
    saga: {
      paymentTimeoutMs: integer("SAGA_PAYMENT_TIMEOUT_MS", 30_000, 100),
      replyTimeoutMs: integer("SAGA_REPLY_TIMEOUT_MS", 60_000, 100),
      sweepIntervalMs: integer("SAGA_SWEEP_INTERVAL_MS", 1000, 10),
    },
    databasePoolMax: integer("DATABASE_POOL_MAX", 10, 2),
    outbox: {
      pollIntervalMs: integer("OUTBOX_POLL_INTERVAL_MS", 1000, 10),
      batchSize: integer("OUTBOX_BATCH_SIZE", 500, 1),
      maxInFlight: integer("OUTBOX_MAX_IN_FLIGHT", 4, 1),
    },
    consumer: {
      maxAttempts: integer("CONSUMER_MAX_ATTEMPTS", 5, 1),
      retryBaseMs: integer("CONSUMER_RETRY_BASE_MS", 200, 1),
      batchSize: integer("CONSUMER_BATCH_SIZE", 500, 1),
      pauseAfterMs: integer("CONSUMER_PAUSE_AFTER_MS", 30_000, 100),
    },
    retention: {
      inboxDays: integer("INBOX_RETENTION_DAYS", 8, 1),
      deadLetterDays: integer("DEAD_LETTER_RETENTION_DAYS", 30, 1),
      intervalMs: integer("RETENTION_INTERVAL_MS", 60_000, 100),
    },
    requestTimeoutMs: integer("REQUEST_TIMEOUT_MS", 10_000, 100),
    failpoints: (read("OMS_FAILPOINTS") ?? "")
      .split(",")
      .map((name) => name.trim())
      .filter((name) => name !== ""),
    liveness: {
      tickMs: 200,
      maxStallMs: integer("LIVENESS_MAX_STALL_MS", 5_000, 100),
      windowMs: integer("LIVENESS_WINDOW_MS", 30_000, 1_000),
    },
    metrics: {
      enabled: flag("METRICS_ENABLED", true),
      port: integer("METRICS_PORT", 3030, 0),
      sampleIntervalMs: integer("METRICS_SAMPLE_INTERVAL_MS", 5_000, 100),
    },
    tracing: {
      enabled: flag("TRACING_ENABLED", true),
      zipkinUrl: url("TRACING_ZIPKIN_URL"),
      tracesPerSecond: decimal("TRACING_TRACES_PER_SECOND", 10),
      sampleRate: decimal("TRACING_SAMPLE_RATE", 1, 1),
    },
  };
}
